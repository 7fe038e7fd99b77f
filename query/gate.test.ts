import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type SETTINGS } from '../core/config.js';
import { SluiceError } from '../core/errors.js';
import { startRedis, type RedisHandle } from '../test/helpers/redis.js';
import { QueryGate, QueryLimited } from './gate.js';
import type { Principal } from './types.js';

const config = (overrides: Partial<Record<keyof typeof SETTINGS, string>>) => loadConfig({}, overrides);
const caller = (subject = randomUUID(), via: Principal['via'] = 'read_key'): Principal => ({ subject, role: 'analyst', project: 'alpha', via });

async function refused(p: Promise<unknown>): Promise<QueryLimited> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(QueryLimited);
  return err as QueryLimited;
}

describe('rate limit', () => {
  it('admits a burst of twice the rate, then answers 429 with retry_after and RateLimit headers', async () => {
    const gate = new QueryGate(config({ queryRateLimit: '2', queryMaxConcurrent: '100' }));
    const p = caller();
    const first = await gate.enter(p);
    expect(first.headers).toMatchObject({ 'RateLimit-Limit': '4', 'RateLimit-Remaining': '3' });
    first.release();
    const rest = await gate.enter(p, 3);
    expect(rest.headers['RateLimit-Remaining']).toBe('0');
    rest.release();

    const err = await refused(gate.enter(p));
    expect(err).toBeInstanceOf(SluiceError);
    expect(err.status).toBe(429);
    expect(err.code).toBe('SLUICE_E_RATE_LIMITED');
    expect(err.message).toMatch(/^Rate limit: 2 queries\/s \(bursts of 4\) for this read key exceeded/);
    const retry = err.details?.retry_after_s as number;
    expect(retry).toBeGreaterThanOrEqual(1);
    expect(retry).toBeLessThanOrEqual(2);
    expect(err.headers).toMatchObject({ 'RateLimit-Limit': '4', 'RateLimit-Remaining': '0', 'Retry-After': String(retry) });
    expect(err.toJSON().error).toMatchObject({ code: 'SLUICE_E_RATE_LIMITED', retry_after_s: retry });
    // A refused query holds no concurrency slot.
    expect(gate.runningFor(p)).toBe(0);
  });

  it('counts each subject apart, a JWT subject apart from a key id of the same text', async () => {
    const gate = new QueryGate(config({ queryRateLimit: '1', queryMaxConcurrent: '100' }));
    const id = randomUUID();
    (await gate.enter(caller(id), 2)).release();
    await refused(gate.enter(caller(id)));
    (await gate.enter(caller(id, 'jwt'))).release();
    (await gate.enter(caller())).release();
  });

  it('sends no RateLimit headers when the rate is unlimited', async () => {
    const gate = new QueryGate(config({ queryRateLimit: '0' }));
    const pass = await gate.enter(caller(), 1_000_000);
    expect(pass.headers).toEqual({});
    pass.release();
  });
});

describe('concurrency limit', () => {
  it('refuses more than SLUICE_QUERY_MAX_CONCURRENT running queries, and frees a slot on release', async () => {
    const gate = new QueryGate(config({ queryRateLimit: '0', queryMaxConcurrent: '2' }));
    const p = caller(randomUUID(), 'jwt');
    const a = await gate.enter(p);
    const b = await gate.enter(p);
    const err = await refused(gate.enter(p));
    expect(err.status).toBe(429);
    expect(err.message).toMatch(/^Concurrency limit: 2 queries may run at once for this JWT subject/);
    expect(err.details).toEqual({ retry_after_s: 1 });
    expect(err.headers).toEqual({ 'Retry-After': '1' });
    // Another caller is not affected.
    (await gate.enter(caller())).release();

    a.release();
    a.release(); // idempotent: frees one slot, not two
    expect(gate.runningFor(p)).toBe(1);
    const c = await gate.enter(p);
    await refused(gate.enter(p));
    b.release();
    c.release();
    expect(gate.runningFor(p)).toBe(0);
  });

  it('admits exactly the limit when many arrive at once', async () => {
    const gate = new QueryGate(config({ queryRateLimit: '0', queryMaxConcurrent: '3' }));
    const p = caller();
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => gate.enter(p)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect(results.filter((r) => r.status === 'rejected').every((r) => (r as PromiseRejectedResult).reason instanceof QueryLimited)).toBe(true);
    expect(gate.runningFor(p)).toBe(3);
  });
});

describe('rate limit shared through Redis', () => {
  let redis: RedisHandle;
  const clients: Redis[] = [];

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await redis?.stop();
  });

  async function client(): Promise<Redis> {
    const c = new Redis(redis.url, { maxRetriesPerRequest: 1, lazyConnect: true });
    c.on('error', () => undefined);
    await c.connect();
    clients.push(c);
    return c;
  }

  it('two gates on one Redis share one allowance per subject', async () => {
    const settings = config({ queryRateLimit: '5', queryMaxConcurrent: '100' });
    const a = new QueryGate(settings, await client());
    const b = new QueryGate(settings, await client());
    const p = caller();
    const spent = await a.enter(p, 10);
    expect(spent.headers['RateLimit-Remaining']).toBe('0');
    spent.release();
    const err = await refused(b.enter(p));
    expect(err.message).toMatch(/^Rate limit: 5 queries\/s/);
    await refused(a.enter(p));
    // Without Redis, a third gate knows nothing of the others' counts.
    (await new QueryGate(settings).enter(p)).release();
  });
});
