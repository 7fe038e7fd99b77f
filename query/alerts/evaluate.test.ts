import { describe, expect, it } from 'vitest';
import { step } from './evaluate.js';
import { emptyState, type RuleState } from './store.js';
import type { AlertRule } from './types.js';

const rule = (over: Partial<AlertRule> = {}): AlertRule => ({
  id: 'r', project: 'p', name: 'n', query: { kind: 'timeseries', event: 'e', range: '1h' }, condition: { type: 'threshold_above', value: 1 },
  severity: 'warning', every: '1s', for: '0s', cooldown: '10s', enabled: true, created_at: 0, updated_at: 0, created_by: 'a', updated_by: 'a', ...over,
});

/** Runs evaluations one second apart; answers the transitions and whether each notified. */
function run(r: AlertRule, breaches: boolean[], start: RuleState = emptyState('p', 'r')): string[] {
  let s = start;
  const out: string[] = [];
  breaches.forEach((b, i) => {
    const next = step(s, r, b, b ? 5 : 0, 1_000_000 + i * 1000);
    if (next.transition) out.push(`${i}:${next.transition}${next.notify ? '!' : ''}`);
    s = next.state;
  });
  return out;
}

describe('alert state machine', () => {
  it('a step change fires once and resolves when it clears', () => {
    expect(run(rule({ cooldown: '1h' }), [false, true, true, true, true, false, false])).toEqual(['1:firing!', '5:resolved!']);
  });

  it('waits for `for` in pending; a condition that clears first never fires', () => {
    expect(run(rule({ for: '2s', cooldown: '1h' }), [true, true, true, true, false])).toEqual(['0:pending', '2:firing!', '4:resolved!']);
    expect(run(rule({ for: '5s' }), [true, true, false, false])).toEqual(['0:pending', '2:resolved']);
  });

  it('reminds each cooldown while firing, unless acknowledged', () => {
    expect(run(rule({ cooldown: '3s' }), [true, true, true, true, true, true, true])).toEqual(['0:firing!', '3:firing!', '6:firing!']);
    const acked: RuleState = { ...emptyState('p', 'r'), state: 'firing', since: 999_000, last_notified: 999_000, acknowledged: true };
    expect(run(rule({ cooldown: '3s' }), [true, true, true, true, true, false], acked)).toEqual(['5:resolved!']);
  });

  it('a refire within the cooldown is recorded but not notified, nor is its resolve', () => {
    expect(run(rule({ cooldown: '1h' }), [true, false, true, false])).toEqual(['0:firing!', '1:resolved!', '2:firing', '3:resolved']);
  });

  it('counts evaluations and clears the last error', () => {
    const s = step({ ...emptyState('p', 'r'), last_error: 'boom', evaluations: 4 }, rule(), false, 0, 5);
    expect(s.state).toMatchObject({ evaluations: 5, last_error: '', last_eval: 5, value: 0, state: 'ok' });
  });
});
