// kind forecast and kind anomalies end to end: ten days of page views whose hourly rate
// follows a daily cycle (Poisson counts from a seeded generator) plus one burst hour, ingested
// through the real endpoint and asked over HTTP. History values must equal the counts made
// here; the models' figures are checked for shape and sense, their accuracy in forecast.test.ts.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRng, seedFromEnv } from './helpers/events.js';
import { ask, ingestAll, records } from './helpers/query.js';
import { startInProcess, type InProcess } from './helpers/sluice.js';

const HOUR = 3_600_000;
const HOURS = 240;
const BURST_AT = 200;
const BURST = 100;
const seed = seedFromEnv('FORECAST_SEED');
const rng = seededRng(seed);
const to = Math.floor(Date.now() / HOUR) * HOUR;
const from = to - HOURS * HOUR;
const iso = (ms: number): string => new Date(ms).toISOString();

/** Knuth's Poisson draw (fine for small means). */
function poisson(mean: number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  for (let p = rng(); p > limit; p *= rng()) k++;
  return k;
}

const counts: number[] = [];
const events: object[] = [];
for (let h = 0; h < HOURS; h++) {
  const start = from + h * HOUR;
  const hourOfDay = new Date(start).getUTCHours();
  const n = poisson(40 + 25 * Math.sin((2 * Math.PI * hourOfDay) / 24)) + (h === BURST_AT ? BURST : 0);
  counts.push(n);
  for (let i = 0; i < n; i++) {
    events.push({ event: 'page_view', event_id: randomUUID(), timestamp: start + Math.floor(rng() * HOUR), user_id: `u${Math.floor(rng() * 50)}`, properties: { path: '/pricing' } });
  }
}

function correlation(x: number[], y: number[]): number {
  const mx = x.reduce((a, b) => a + b, 0) / x.length;
  const my = y.reduce((a, b) => a + b, 0) / y.length;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  x.forEach((v, i) => {
    sxy += (v - mx) * (y[i] - my);
    sxx += (v - mx) ** 2;
    syy += (y[i] - my) ** 2;
  });
  return sxy / Math.sqrt(sxx * syy);
}

let s: InProcess;
beforeAll(async () => {
  console.log(`query-forecast seed ${seed} (FORECAST_SEED replays it)`);
  s = await startInProcess({ queryRateLimit: '0' });
  await ingestAll(s, s.writeKey, events);
});
afterAll(async () => s?.stop());

const series = { event: 'page_view', aggregations: ['count'], from: iso(from), to: iso(to), interval: '1h', timezone: 'UTC' };

describe('kind forecast', () => {
  it('answers the history as counted and the horizon with nested intervals', async () => {
    const res = await ask(s.queryUrl, s.readKey, { kind: 'forecast', ...series, horizon: 24 });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.columns.map((c: { name: string }) => c.name)).toEqual(['time', 'value', 'forecast', 'lower_80', 'upper_80', 'lower_95', 'upper_95']);
    const rows = records(res.body);
    expect(rows).toHaveLength(HOURS + 24);
    rows.slice(0, HOURS).forEach((r, h) => {
      expect(r.time).toBe(from + h * HOUR);
      expect(r.value, `hour ${h}`).toBe(counts[h]);
      expect([r.forecast, r.lower_80, r.upper_80, r.lower_95, r.upper_95]).toEqual([null, null, null, null, null]);
    });
    rows.slice(HOURS).forEach((r, i) => {
      expect(r.time).toBe(to + i * HOUR);
      expect(r.value).toBeNull();
      expect(r.lower_95).toBeLessThanOrEqual(r.lower_80);
      expect(r.lower_80).toBeLessThanOrEqual(r.forecast);
      expect(r.forecast).toBeLessThanOrEqual(r.upper_80);
      expect(r.upper_80).toBeLessThanOrEqual(r.upper_95);
    });
    // The forecast follows the daily cycle: it correlates with the rate the counts were drawn from.
    const ahead = rows.slice(HOURS);
    const rate = ahead.map((r) => 40 + 25 * Math.sin((2 * Math.PI * new Date(r.time).getUTCHours()) / 24));
    expect(correlation(ahead.map((r) => r.forecast), rate)).toBeGreaterThan(0.8);
    const meta = res.body.meta;
    expect(meta.seasonality).toContain(24);
    expect(meta.model).toBe('mstl');
    expect(meta.horizon).toBe(24);
    expect(meta.backtest.holdout).toBe(24);
    expect(meta.backtest.mape).toBeGreaterThan(0);
    expect(meta.backtest.smape).toBeGreaterThan(0);
    // Poisson noise alone costs E|X − λ|/λ ≈ 0.8/√λ: 21% at the trough (15 an hour), 10% at
    // the peak (65); 40% leaves as much again for the model (and the burst in its history).
    expect(meta.backtest.smape).toBeLessThan(0.4);
    expect(meta.source).toBe('rollup_1h');
  });

  it('continues daily buckets across a time zone', async () => {
    const days = { ...series, interval: '1d', timezone: 'Europe/Berlin' };
    const res = await ask(s.queryUrl, s.readKey, { kind: 'forecast', ...days, horizon: 3 });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const ts = await ask(s.queryUrl, s.readKey, { kind: 'timeseries', ...days });
    const rows = records(res.body);
    const history = records(ts.body);
    expect(rows.slice(0, history.length).map((r) => [r.time, r.value])).toEqual(history.map((r) => [r.time, r.count]));
    const last = history[history.length - 1].time as number;
    const berlinMidnight = (ms: number): boolean => new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(ms) === '00:00';
    const future = rows.slice(history.length).map((r) => r.time as number);
    expect(future).toHaveLength(3);
    expect(future[0]).toBeGreaterThan(last);
    for (const t of future) expect(berlinMidnight(t), iso(t)).toBe(true);
  });

  it('names every problem of an invalid forecast or anomalies query', async () => {
    const res = await ask(s.queryUrl, s.readKey, { kind: 'forecast', ...series, aggregations: ['count', 'uniq_users'], group_by: ['path'], compare: 'previous_period', horizon: 5000 });
    expect(res.status).toBe(400);
    const paths = res.body.error.problems.map((p: { path: string }) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['/horizon', '/aggregations', '/group_by', '/compare']));
    const other = await ask(s.queryUrl, s.readKey, { kind: 'anomalies', ...series, horizon: 5 });
    expect(other.status).toBe(400);
    expect(other.body.error.problems).toEqual([{ path: '/horizon', message: 'only applies to kind forecast' }]);
    const fine = await ask(s.queryUrl, s.readKey, { kind: 'anomalies', ...series, interval: '5m' });
    expect(fine.status).toBe(400);
    expect(fine.body.error.problems[0].path).toBe('/interval');
    expect(fine.body.error.problems[0].message).toContain('at most 2500');
    const missing = await ask(s.queryUrl, s.readKey, { kind: 'anomalies', range: '7d' });
    expect(missing.body.error.problems).toEqual([{ path: '/event', message: 'is required for kind anomalies' }]);
  });
});

describe('kind anomalies', () => {
  it('flags the burst hour with the highest score and ends with the latest bucket', async () => {
    const res = await ask(s.queryUrl, s.readKey, { kind: 'anomalies', ...series });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.columns.map((c: { name: string }) => c.name)).toEqual(['time', 'value', 'expected', 'lower', 'upper', 'score', 'is_anomaly']);
    const rows = records(res.body);
    expect(rows).toHaveLength(HOURS);
    expect(rows.map((r) => r.value)).toEqual(counts);
    expect(rows[rows.length - 1].time).toBe(to - HOUR);
    const top = rows.reduce((b, r, i) => (r.score > rows[b].score ? i : b), 0);
    expect(top).toBe(BURST_AT);
    expect(rows[BURST_AT].is_anomaly).toBe(1);
    for (const r of rows) {
      expect(r.lower).toBeLessThanOrEqual(r.expected);
      expect(r.expected).toBeLessThanOrEqual(r.upper);
      expect(r.is_anomaly).toBe(r.score > 0 ? 1 : 0);
    }
    // Poisson counts at a 99% interval: a handful of chance flags at most.
    expect(rows.filter((r) => r.is_anomaly).length).toBeLessThanOrEqual(Math.ceil(HOURS * 0.04));
    expect(res.body.meta.seasonality).toContain(24);
  });

  it('exports as CSV like any other answer', async () => {
    const q = encodeURIComponent(JSON.stringify({ kind: 'anomalies', ...series }));
    const res = await fetch(`${s.queryUrl}/api/v1/export?format=csv&query=${q}`, { headers: { authorization: `Bearer ${s.readKey}` } });
    const text = await res.text();
    expect(res.status, text.slice(0, 300)).toBe(200);
    const lines = text.trim().split('\n');
    expect(lines[0].replace(/"/g, '')).toBe('time,value,expected,lower,upper,score,is_anomaly');
    expect(lines).toHaveLength(HOURS + 1);
  });
});
