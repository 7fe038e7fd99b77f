// Buckets in IANA time zones across DST changes, and previous_year across a leap day. The
// expected local days and hours come from Intl (the platform's own zone data), independent of
// the service's computation; every answer is asked from the chosen table and from raw events.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askBoth, ingestAll, records } from './helpers/query.js';
import { startInProcess, type InProcess } from './helpers/sluice.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const at = (s: string): number => Date.parse(s);

function localParts(ms: number, timeZone: string): { date: string; time: string; weekday: string } {
  const f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', weekday: 'short' });
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}`, weekday: p.weekday };
}

const events: object[] = [];
function series(event: string, start: number, end: number, every: number): number[] {
  const out: number[] = [];
  for (let t = start; t < end; t += every) {
    out.push(t);
    events.push({ event, event_id: randomUUID(), timestamp: t, user_id: `u${t % 7}`, properties: { endpoint: '/x', method: 'GET', status: 200, duration_ms: (t / MIN) % 97 } });
  }
  return out;
}

// Berlin leaves summer time on 2026-10-25 (03:00 CEST -> 02:00 CET); New York on 2026-11-01
// (02:00 EDT -> 01:00 EST) and enters it on 2026-03-08 (a 23-hour day).
const berlin = series('api_request', at('2026-10-23T00:00:00Z'), at('2026-10-28T00:00:00Z'), 20 * MIN);
const newYorkFall = series('visit_ny', at('2026-10-31T00:00:00Z'), at('2026-11-03T00:00:00Z'), 15 * MIN);
const newYorkSpring = series('visit_ny', at('2026-03-06T00:00:00Z'), at('2026-03-11T00:00:00Z'), 30 * MIN);
// Around two leap-day seasons: one event per day-of-month modulo 5 (plus one) at noon UTC.
const leap: number[] = [];
for (const year of [2023, 2024]) {
  for (let t = at(`${year}-02-20T12:00:00Z`); t < at(`${year}-03-06T00:00:00Z`); t += DAY) {
    const n = (new Date(t).getUTCDate() % 5) + 1;
    for (let i = 0; i < n; i++) leap.push(...series('order_placed', t + i * MIN, t + i * MIN + 1, 1));
  }
}

let s: InProcess;
beforeAll(async () => {
  s = await startInProcess({ retentionRawDays: '1500', queryRateLimit: '0', queryMaxRangeMs: '400d' });
  await ingestAll(s, s.writeKey, events);
});
afterAll(async () => s?.stop());

/** Rollup and raw answers must be identical here: counts only. */
async function both(query: Record<string, unknown>): Promise<{ picked: any; raw: any }> {
  const out = await askBoth(s, query);
  expect(out.raw.rows).toEqual(out.picked.rows);
  return out;
}

function countByLocal(times: number[], tz: string, key: (p: ReturnType<typeof localParts>) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of times) {
    const k = key(localParts(t, tz));
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}

describe('time zones and calendars', () => {
  it('Europe/Berlin days across the end of summer time: the 25-hour day holds 25 hours of events', async () => {
    const tz = 'Europe/Berlin';
    const { picked } = await both({ kind: 'timeseries', event: 'api_request', interval: '1d', timezone: tz, from: '2026-10-23T22:00:00Z', to: '2026-10-27T23:00:00Z' });
    expect(picked.meta.source).toBe('rollup_1h');
    const rows = records(picked);
    expect(rows.map((r) => localParts(r.time, tz).date)).toEqual(['2026-10-24', '2026-10-25', '2026-10-26', '2026-10-27']);
    for (const r of rows) expect(localParts(r.time, tz).time).toBe('00:00');
    const expected = countByLocal(berlin.filter((t) => t >= at('2026-10-23T22:00:00Z') && t < at('2026-10-27T23:00:00Z')), tz, (p) => p.date);
    for (const r of rows) expect(r.count, localParts(r.time, tz).date).toBe(expected.get(localParts(r.time, tz).date));
    expect(rows[1].count).toBe(75); // 25 hours of one event every 20 minutes
    expect(rows[0].count).toBe(72);
  });

  it('Europe/Berlin hours across the change: the repeated local hour is two buckets', async () => {
    const { picked } = await both({ kind: 'timeseries', event: 'api_request', interval: '1h', timezone: 'Europe/Berlin', from: '2026-10-24T23:00:00Z', to: '2026-10-25T03:00:00Z' });
    const rows = records(picked);
    expect(rows.map((r) => r.time)).toEqual([0, 1, 2, 3].map((h) => at('2026-10-24T23:00:00Z') + h * HOUR));
    expect(rows.map((r) => localParts(r.time, 'Europe/Berlin').time)).toEqual(['01:00', '02:00', '02:00', '03:00']);
    expect(rows.map((r) => r.count)).toEqual([3, 3, 3, 3]);
  });

  it('America/New_York hours and days across both DST changes, and Monday weeks', async () => {
    const tz = 'America/New_York';
    const hours = await both({ kind: 'timeseries', event: 'visit_ny', interval: '1h', timezone: tz, from: '2026-11-01T04:00:00Z', to: '2026-11-01T08:00:00Z' });
    expect(records(hours.picked).map((r) => localParts(r.time, tz).time)).toEqual(['00:00', '01:00', '01:00', '02:00']);
    expect(records(hours.picked).map((r) => r.count)).toEqual([4, 4, 4, 4]);

    const days = await both({ kind: 'timeseries', event: 'visit_ny', interval: '1d', timezone: tz, from: '2026-03-07T05:00:00Z', to: '2026-03-10T04:00:00Z' });
    expect(days.picked.meta.source).toBe('rollup_1h');
    const rows = records(days.picked);
    expect(rows.map((r) => localParts(r.time, tz).date)).toEqual(['2026-03-07', '2026-03-08', '2026-03-09']);
    const expected = countByLocal(newYorkSpring.filter((t) => t >= at('2026-03-07T05:00:00Z') && t < at('2026-03-10T04:00:00Z')), tz, (p) => p.date);
    expect(rows.map((r) => r.count)).toEqual(rows.map((r) => expected.get(localParts(r.time, tz).date)));
    expect(rows[1].count).toBe(46); // the 23-hour day

    const weeks = await both({ kind: 'timeseries', event: 'visit_ny', interval: '1w', timezone: tz, from: '2026-10-26T04:00:00Z', to: '2026-11-09T05:00:00Z' });
    const w = records(weeks.picked);
    expect(w.map((r) => localParts(r.time, tz))).toEqual([
      { date: '2026-10-26', time: '00:00', weekday: 'Mon' },
      { date: '2026-11-02', time: '00:00', weekday: 'Mon' },
    ]);
    const byWeek = countByLocal(newYorkFall, tz, (p) => (p.date < '2026-11-02' ? 'first' : 'second'));
    expect(w.map((r) => r.count)).toEqual([byWeek.get('first'), byWeek.get('second')]);
  });

  it('previous_year across a leap day: 29 February compares with 28 February, from the day rollup and raw alike', async () => {
    const { picked } = await both({ kind: 'timeseries', event: 'order_placed', interval: '1d', from: '2024-02-27T00:00:00Z', to: '2024-03-02T00:00:00Z', compare: 'previous_year' });
    expect(picked.meta.source).toBe('rollup_1d');
    expect(picked.meta.compare.from).toBe(at('2023-02-27T00:00:00Z'));
    expect(picked.columns.map((c: any) => c.name)).toEqual(['time', 'count', 'count_previous', 'count_change']);
    const perDay = (day: string): number => leap.filter((t) => new Date(t).toISOString().startsWith(day)).length;
    const rows = records(picked);
    expect(rows.map((r) => new Date(r.time).toISOString().slice(0, 10))).toEqual(['2024-02-27', '2024-02-28', '2024-02-29', '2024-03-01']);
    expect(rows.map((r) => r.count)).toEqual(['2024-02-27', '2024-02-28', '2024-02-29', '2024-03-01'].map(perDay));
    expect(rows.map((r) => r.count_previous)).toEqual(['2023-02-27', '2023-02-28', '2023-02-28', '2023-03-01'].map(perDay));
    for (const r of rows) expect(r.count_change).toBeCloseTo((r.count - r.count_previous) / r.count_previous, 12);
  });
});
