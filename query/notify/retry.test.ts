import { describe, expect, it } from 'vitest';
import { DeliveryError } from './http-post.js';
import { deliver } from './retry.js';

const policy = { attempts: 3, timeoutMs: 200, backoffMs: 40 };

describe('deliver', () => {
  it('retries until a try succeeds, waiting between half and all of each doubled delay', async () => {
    const at: number[] = [];
    const d = await deliver(async () => {
      at.push(Date.now());
      if (at.length < 3) throw new DeliveryError('HTTP 503', 503);
    }, policy);
    expect(d).toEqual({ ok: true, attempts: 3 });
    expect(at[1] - at[0]).toBeGreaterThanOrEqual(19);
    expect(at[2] - at[1]).toBeGreaterThanOrEqual(39);
  });

  it('gives up after the last attempt with the last error', async () => {
    const d = await deliver(async () => {
      throw new DeliveryError('HTTP 500', 500);
    }, policy);
    expect(d).toEqual({ ok: false, attempts: 3, error: 'HTTP 500' });
  });

  it('does not retry a refusal that will not change, but does retry 429', async () => {
    let n = 0;
    expect(await deliver(async () => {
      n++;
      throw new DeliveryError('HTTP 400', 400);
    }, policy)).toEqual({ ok: false, attempts: 1, error: 'HTTP 400' });
    expect(n).toBe(1);
    expect((await deliver(async () => {
      throw new DeliveryError('HTTP 429', 429);
    }, policy)).attempts).toBe(3);
  });

  it('cuts off an attempt that hangs, even one that ignores its signal, and aborts the signal', async () => {
    const signals: AbortSignal[] = [];
    const started = Date.now();
    const d = await deliver((signal) => {
      signals.push(signal);
      return new Promise<void>(() => undefined);
    }, { attempts: 2, timeoutMs: 100, backoffMs: 10 });
    expect(d).toEqual({ ok: false, attempts: 2, error: 'timed out after 100 ms' });
    expect(signals.every((s) => s.aborted)).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
