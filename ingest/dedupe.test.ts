import { describe, expect, it } from 'vitest';
import { MemoryDeduper } from './dedupe.js';

// 15 slices of one window: a 15 s window has 1 s slices.
const WINDOW = 15_000;
const SLICE = 1_000;

function clocked(windowMs = WINDOW, maxIds = 1_000_000) {
  const clock = { t: 1_000_000 };
  const d = new MemoryDeduper(windowMs, maxIds, () => clock.t);
  return { d, clock };
}

describe('MemoryDeduper', () => {
  it('answers duplicate for an id seen within the window', async () => {
    const { d, clock } = clocked();
    expect(await d.check('p', ['a'])).toEqual([false]);
    clock.t += 5_000;
    expect(await d.check('p', ['a', 'b'])).toEqual([true, false]);
  });

  it('still remembers an id just before the window elapsed and forgets it after window + one slice', async () => {
    const { d, clock } = clocked();
    const t0 = clock.t + 500; // mid-slice, so slice alignment matters
    clock.t = t0;
    expect(await d.check('p', ['a'])).toEqual([false]);
    clock.t = t0 + WINDOW - 1;
    expect(await d.check('p', ['a'])).toEqual([true]);

    const { d: d2, clock: c2 } = clocked();
    c2.t = t0;
    expect(await d2.check('p', ['b'])).toEqual([false]);
    c2.t = t0 + WINDOW + SLICE;
    expect(await d2.check('p', ['b'])).toEqual([false]);
    // and it is remembered afresh from then on
    c2.t += 1;
    expect(await d2.check('p', ['b'])).toEqual([true]);
  });

  it('keeps the first sighting: a repeat inside the window does not extend it', async () => {
    const { d, clock } = clocked();
    const t0 = clock.t;
    await d.check('p', ['a']);
    clock.t = t0 + WINDOW - 1;
    expect(await d.check('p', ['a'])).toEqual([true]);
    clock.t = t0 + WINDOW + SLICE;
    expect(await d.check('p', ['a'])).toEqual([false]);
  });

  it('keeps projects apart', async () => {
    const { d } = clocked();
    expect(await d.check('p1', ['a'])).toEqual([false]);
    expect(await d.check('p2', ['a'])).toEqual([false]);
    expect(await d.check('p1', ['a'])).toEqual([true]);
    expect(await d.check('p2', ['a'])).toEqual([true]);
  });

  it('finds duplicates within one check call', async () => {
    const { d } = clocked();
    expect(await d.check('p', ['a', 'b', 'a', 'c', 'b', 'a'])).toEqual([false, false, true, false, true, true]);
    expect(d.size()).toBe(3);
  });

  it('forget undoes a check', async () => {
    const { d, clock } = clocked();
    await d.check('p', ['a', 'b']);
    clock.t += 3 * SLICE;
    await d.check('p', ['c']);
    await d.forget('p', ['a', 'c']);
    expect(await d.check('p', ['a', 'b', 'c'])).toEqual([false, true, false]);
    // forgetting in one project leaves the other alone
    await d.check('q', ['a']);
    await d.forget('p', ['a']);
    expect(await d.check('q', ['a'])).toEqual([true]);
  });

  it('has tells what is remembered without remembering', async () => {
    const { d, clock } = clocked();
    await d.check('p', ['a']);
    expect(d.has('p', ['a', 'b'])).toEqual([true, false]);
    expect(d.has('q', ['a'])).toEqual([false]);
    expect(await d.check('p', ['b'])).toEqual([false]);
    clock.t += WINDOW + SLICE;
    expect(d.has('p', ['a', 'b'])).toEqual([false, false]);
    expect(d.size()).toBe(0);
  });

  it('remember seeds ids that count as seen', async () => {
    const { d, clock } = clocked();
    d.remember('p', ['a', 'b']);
    clock.t += SLICE;
    expect(await d.check('p', ['a', 'b', 'c'])).toEqual([true, true, false]);
    expect(await d.check('q', ['a'])).toEqual([false]);
  });

  it('past maxIds drops the oldest slice first', async () => {
    const { d, clock } = clocked(WINDOW, 1_000);
    const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
    await d.check('p', ids('a', 600));
    clock.t += SLICE;
    await d.check('p', ids('b', 600));
    clock.t += SLICE;
    await d.check('p', ['c']);
    expect(d.size()).toBeLessThanOrEqual(1_000);
    expect(await d.check('p', ['a0', 'a599', 'b0', 'b599', 'c'])).toEqual([false, false, true, true, true]);
  });

  it('drops only whole slices: ids of the newest slice stay even past maxIds', async () => {
    const { d } = clocked(WINDOW, 1_000);
    const ids = Array.from({ length: 1_500 }, (_, i) => `x${i}`);
    await d.check('p', ids);
    expect(await d.check('p', ['x0', 'x1499'])).toEqual([true, true]);
  });
});
