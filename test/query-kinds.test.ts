// Every query kind against answers computed here from the generated events (never by asking
// ClickHouse): counts, sums and averages exact, percentiles within the sketch's 1%, funnels
// and retention exact on data with distinct timestamps. Each aggregate query is asked twice,
// from the table Sluice picks and forced onto raw events, and both must match.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { int, pick, seededRng, seedFromEnv } from './helpers/events.js';
import { ask, askBoth, expectClose, ingestAll, quantileBounds, records } from './helpers/query.js';
import { startInProcess, type InProcess } from './helpers/sluice.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MIN = 60_000;
const seed = seedFromEnv('QUERY_SEED');
const rng = seededRng(seed);
const now = Date.now();
const from = Math.floor(now / HOUR) * HOUR - 47 * HOUR;
const to = from + 48 * HOUR;
const iso = (ms: number): string => new Date(ms).toISOString();

interface Ev {
  event: string;
  event_id: string;
  timestamp: number;
  user_id: string;
  properties: Record<string, any>;
}

const ENDPOINTS = ['/checkout', '/cart', '/search', '/users/:id', '/orders/:id', '/health'];
const api: Ev[] = [];
const span = now - from - 1000;
for (let i = 0; i < 3000; i++) {
  const step = span / 3000;
  api.push({
    event: 'api_request',
    event_id: randomUUID(),
    timestamp: Math.floor(from + i * step + rng() * (step - 1)),
    user_id: `u${int(rng, 0, 59)}`,
    properties: {
      endpoint: ENDPOINTS[Math.min(ENDPOINTS.length - 1, Math.floor(rng() ** 2 * ENDPOINTS.length))],
      method: pick(rng, ['GET', 'POST']),
      status: pick(rng, [200, 200, 200, 201, 404, 500, 503]),
      duration_ms: Math.round(rng() * rng() * 200_000) / 100,
      region: pick(rng, ['eu-west', 'us-east', 'ap-south']),
    },
  });
}
const orders: Ev[] = [];
for (let i = 0; i < 500; i++) {
  orders.push({
    event: 'order',
    event_id: randomUUID(),
    timestamp: from + int(rng, 0, span),
    user_id: `u${int(rng, 0, 59)}`,
    properties: {
      order_id: `o${i}`,
      revenue: Math.round(rng() * 50_000) / 100,
      currency: 'EUR',
      category: pick(rng, ['shoes', 'shirts', 'bags']),
      payment_method: pick(rng, ['card', 'paypal']),
      items: Array.from({ length: int(rng, 1, 3) }, () => ({ product_id: `p${int(rng, 1, 12)}`, quantity: int(rng, 1, 4), price: int(rng, 1, 100) })),
    },
  });
}

// Funnel: per user a few attempts of step_a -> step_b -> step_c with random gaps, some out
// of order, some too slow; distinct timestamps throughout.
const funnelEvents: Ev[] = [];
const usedTimes = new Set<number>();
const distinct = (t: number): number => {
  while (usedTimes.has(t)) t++;
  usedTimes.add(t);
  return t;
};
for (let u = 0; u < 120; u++) {
  const user = `f${u}`;
  const attempts = int(rng, 1, 3);
  for (let a = 0; a < attempts; a++) {
    let t = from + int(rng, 0, 40 * HOUR);
    const plan = pick(rng, ['free', 'pro', 'team']);
    funnelEvents.push({ event: 'step_a', event_id: randomUUID(), timestamp: distinct(t), user_id: user, properties: { plan } });
    if (rng() < 0.7) {
      t += int(rng, 1, 25) * MIN;
      funnelEvents.push({ event: 'step_b', event_id: randomUUID(), timestamp: distinct(t), user_id: user, properties: {} });
      if (rng() < 0.3) funnelEvents.push({ event: 'step_a', event_id: randomUUID(), timestamp: distinct(t + int(rng, 1, 60) * 1000), user_id: user, properties: { plan } });
      if (rng() < 0.7) {
        t += int(rng, 1, 25) * MIN;
        funnelEvents.push({ event: 'step_c', event_id: randomUUID(), timestamp: distinct(t), user_id: user, properties: { amount: int(rng, 1, 30) } });
      }
    } else if (rng() < 0.5) {
      funnelEvents.push({ event: 'step_c', event_id: randomUUID(), timestamp: distinct(t - int(rng, 1, 10) * MIN), user_id: user, properties: { amount: 20 } });
    }
  }
}

// Retention over ten UTC days.
const retFrom = Math.floor(now / DAY) * DAY - 9 * DAY;
const retTo = Math.floor(now / DAY) * DAY + DAY;
const retention: Ev[] = [];
for (let u = 0; u < 80; u++) {
  const user = `r${u}`;
  const n = int(rng, 1, 12);
  for (let i = 0; i < n; i++) {
    const t = distinct(retFrom + int(rng, 0, Math.min(10 * DAY, now - retFrom) - 1));
    retention.push({ event: rng() < 0.5 ? 'visit' : 'buy', event_id: randomUUID(), timestamp: t, user_id: user, properties: {} });
  }
}

const all = [...api, ...orders, ...funnelEvents, ...retention];
let s: InProcess;

beforeAll(async () => {
  s = await startInProcess({ queryRateLimit: '0', cacheTtlMs: '1m', cacheFreshnessMs: '1m' });
  await ingestAll(s, s.writeKey, all);
});
afterAll(async () => s?.stop());

const both = (query: Record<string, unknown>) => askBoth(s, query);

const statusClass = (s: number): string => `${Math.floor(s / 100)}xx`;
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

describe(`query kinds (seed ${seed})`, () => {
  it('timeseries: hourly count, sum, avg, min, max exact and percentiles within 1%, from the hour rollup and from raw events', async () => {
    const q = { kind: 'timeseries', event: 'api_request', measure: 'duration_ms', aggregations: ['count', 'sum', 'avg', 'min', 'max', 'p50', 'p95', 'p99', 'uniq_users'], from: iso(from), to: iso(to), interval: '1h' };
    const { picked, raw } = await both(q);
    expect(picked.meta.source).toBe('rollup_1h');
    expect(picked.meta.approximate).toBe(true);
    expect(picked.columns.map((c: any) => c.name)).toEqual(['time', ...q.aggregations]);
    expect(picked.columns[0].type).toBe('time');
    for (const answer of [picked, raw]) {
      const rows = records(answer);
      expect(rows.length).toBe(48);
      rows.forEach((row, h) => {
        const bucket = from + h * HOUR;
        expect(row.time).toBe(bucket);
        const inBucket = api.filter((e) => e.timestamp >= bucket && e.timestamp < bucket + HOUR);
        const values = inBucket.map((e) => e.properties.duration_ms as number).sort((a, b) => a - b);
        expect(row.count).toBe(inBucket.length);
        expectClose(row.sum, sum(values), 1e-9, 'sum');
        expectClose(row.avg, sum(values) / values.length, 1e-9, 'avg');
        expect(row.min).toBe(values[0]);
        expect(row.max).toBe(values[values.length - 1]);
        for (const [name, level] of [['p50', 0.5], ['p95', 0.95], ['p99', 0.99]] as const) {
          const [lo, hi] = quantileBounds(values, level);
          expect(row[name], `${name} of hour ${h}`).toBeGreaterThanOrEqual(lo * 0.99 - 1e-9);
          expect(row[name], `${name} of hour ${h}`).toBeLessThanOrEqual(hi * 1.01 + 1e-9);
        }
        const users = new Set(inBucket.map((e) => e.user_id)).size;
        expect(Math.abs(row.uniq_users - users)).toBeLessThanOrEqual(Math.max(1, users * 0.02));
      });
    }
    // The rollup and raw answers use the same sketches: identical but for float summation order.
    records(picked).forEach((row, i) => {
      const r = records(raw)[i];
      for (const k of ['count', 'min', 'max', 'uniq_users']) expect(row[k]).toBe(r[k]);
      for (const k of ['sum', 'avg', 'p50', 'p95', 'p99']) expectClose(row[k], r[k], 1e-9, k);
    });
  });

  it('timeseries by endpoint keeps the top 2 groups and sums the rest into (other), every bucket filled', async () => {
    const q = { kind: 'timeseries', event: 'api_request', aggregations: ['count'], from: iso(from), to: iso(to), interval: '1d', group_by: ['endpoint'], limit: 2 };
    const { picked, raw } = await both(q);
    expect(picked.meta.source).toBe('rollup_1h'); // the range is not made of whole UTC days
    const totals = new Map<string, number>();
    for (const e of api) totals.set(e.properties.endpoint, (totals.get(e.properties.endpoint) ?? 0) + 1);
    const top = [...totals].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 2).map(([k]) => k);
    const dayStart = Math.floor(from / DAY) * DAY;
    const days = [dayStart, dayStart + DAY, dayStart + 2 * DAY].filter((d) => d < to);
    for (const answer of [picked, raw]) {
      const rows = records(answer);
      expect(rows.length).toBe(days.length * 3);
      for (const row of rows) {
        const inDay = api.filter((e) => e.timestamp >= Math.max(row.time, from) && e.timestamp < Math.min(row.time + DAY, to));
        const expected = row.endpoint === '(other)' ? inDay.filter((e) => !top.includes(e.properties.endpoint)).length : inDay.filter((e) => e.properties.endpoint === row.endpoint).length;
        expect(row.count, `${row.endpoint} on ${iso(row.time)}`).toBe(expected);
      }
      expect(rows.slice(0, 3).map((r) => r.endpoint)).toEqual([...top, '(other)']);
    }
  });

  it('breakdown by two properties with filters of every rollup-able op matches raw events and the computation', async () => {
    const filters = [
      { property: 'method', op: 'in', value: ['GET', 'POST'] },
      { property: 'endpoint', op: 'neq', value: '/health' },
      { property: 'status_class', op: 'not_in', value: ['3xx'] },
      { property: 'endpoint', op: 'exists' },
    ];
    const q = { kind: 'breakdown', event: 'api_request', measure: 'duration_ms', aggregations: ['count', 'avg', 'max'], from: iso(from), to: iso(to), group_by: ['endpoint', 'status_class'], filters, limit: 100 };
    const { picked, raw } = await both(q);
    expect(picked.meta.source).toBe('rollup_1h');
    const kept = api.filter((e) => e.properties.endpoint !== '/health');
    for (const answer of [picked, raw]) {
      const rows = records(answer);
      const groups = new Map<string, Ev[]>();
      for (const e of kept) {
        const k = `${e.properties.endpoint}|${statusClass(e.properties.status)}`;
        groups.set(k, [...(groups.get(k) ?? []), e]);
      }
      expect(rows.length).toBe(groups.size);
      for (const row of rows) {
        const evs = groups.get(`${row.endpoint}|${row.status_class}`) ?? [];
        const v = evs.map((e) => e.properties.duration_ms as number);
        expect(row.count).toBe(evs.length);
        expectClose(row.avg, sum(v) / v.length, 1e-9, 'avg');
        expect(row.max).toBe(Math.max(...v));
      }
      // ordered by the first aggregation, largest first
      expect(rows.map((r) => r.count)).toEqual([...rows.map((r) => r.count)].sort((a, b) => b - a));
    }
  });

  it('filters only raw events answer (numeric comparisons, contains, a property outside the rollup) are exact', async () => {
    const q = {
      kind: 'breakdown', event: 'api_request', aggregations: ['count', 'uniq_users'], from: iso(from), to: iso(to), group_by: ['region'],
      filters: [{ property: 'duration_ms', op: 'gte', value: 100 }, { property: 'duration_ms', op: 'lt', value: 1500 }, { property: 'endpoint', op: 'contains', value: 'o' }, { property: 'status', op: 'eq', value: 200 }],
    };
    const res = await ask(s.queryUrl, s.readKey, q);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.meta.source).toBe('events');
    const match = api.filter((e) => e.properties.duration_ms >= 100 && e.properties.duration_ms < 1500 && e.properties.endpoint.includes('o') && e.properties.status === 200);
    const rows = records(res.body);
    expect(sum(rows.map((r) => r.count))).toBe(match.length);
    for (const row of rows) {
      const evs = match.filter((e) => e.properties.region === row.region);
      expect(row.count).toBe(evs.length);
      expect(row.uniq_users).toBe(new Set(evs.map((e) => e.user_id)).size);
    }
  });

  it('percentiles of order revenue by category, and sum with compare to the previous period', async () => {
    const mid = from + 24 * HOUR;
    const q = { kind: 'percentiles', event: 'order', measure: 'revenue', from: iso(mid), to: iso(to), group_by: ['category'] };
    const { picked } = await both(q);
    expect(picked.meta.source).toMatch(/^rollup_/);
    for (const row of records(picked)) {
      const v = orders.filter((e) => e.timestamp >= mid && e.properties.category === row.category).map((e) => e.properties.revenue as number).sort((a, b) => a - b);
      for (const level of [50, 75, 90, 95, 99]) {
        const [lo, hi] = quantileBounds(v, level / 100);
        expect(row[`p${level}`]).toBeGreaterThanOrEqual(lo * 0.99 - 1e-9);
        expect(row[`p${level}`]).toBeLessThanOrEqual(hi * 1.01 + 1e-9);
      }
    }
    const cmp = await both({ kind: 'breakdown', event: 'order', measure: 'revenue', aggregations: ['sum', 'count'], from: iso(mid), to: iso(to), group_by: ['payment_method'], compare: 'previous_period' });
    for (const answer of [cmp.picked, cmp.raw]) {
      expect(answer.meta.compare.from).toBe(from);
      for (const row of records(answer)) {
        const cur = orders.filter((e) => e.timestamp >= mid && e.properties.payment_method === row.payment_method);
        const prev = orders.filter((e) => e.timestamp < mid && e.properties.payment_method === row.payment_method);
        expectClose(row.sum, sum(cur.map((e) => e.properties.revenue)), 1e-9, 'sum');
        expectClose(row.sum_previous, sum(prev.map((e) => e.properties.revenue)), 1e-9, 'sum_previous');
        expect(row.count_previous).toBe(prev.length);
        expectClose(row.count_change, (cur.length - prev.length) / prev.length, 1e-9, 'change');
      }
    }
  });

  it('compare over a range that is not whole buckets pairs bucket i with bucket i of the period before', async () => {
    const start = from + 26 * HOUR + 7 * MIN;
    const end = start + 61 * MIN;
    const { picked, raw } = await both({ kind: 'timeseries', event: 'api_request', aggregations: ['count'], interval: '1h', from: iso(start), to: iso(end), compare: 'previous_period' });
    for (const answer of [picked, raw]) {
      const rows = records(answer);
      expect(rows.map((r) => r.time)).toEqual([start - 7 * MIN, start + 53 * MIN]);
      const inRange = (a: number, b: number): number => api.filter((e) => e.timestamp >= a && e.timestamp < b).length;
      expect(rows.map((r) => r.count)).toEqual([inRange(start, start + 53 * MIN), inRange(start + 53 * MIN, end)]);
      // the period before is [start - 61m, start): its buckets start at 06 past and at the hour
      expect(rows.map((r) => r.count_previous)).toEqual([inRange(start - 61 * MIN, start - 7 * MIN), inRange(start - 7 * MIN, start)]);
    }
  });

  it('breakdown by a property of array items (top products by units) and a breakdown without groups (one total)', async () => {
    const res = await ask(s.queryUrl, s.readKey, { kind: 'breakdown', event: 'order', measure: 'items[].quantity', aggregations: ['sum', 'count', 'uniq_users'], group_by: ['items[].product_id'], filters: [{ property: 'items[].price', op: 'gte', value: 10 }], limit: 5, from: iso(from), to: iso(to) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.meta.source).toBe('events');
    const items = orders.flatMap((o) => (o.properties.items as { product_id: string; quantity: number; price: number }[]).filter((i) => i.price >= 10).map((i) => ({ ...i, user: o.user_id })));
    const units = new Map<string, number>();
    for (const i of items) units.set(i.product_id, (units.get(i.product_id) ?? 0) + i.quantity);
    const top = [...units].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 5);
    const rows = records(res.body);
    expect(rows.slice(0, 5).map((r) => [r['items[].product_id'], r.sum])).toEqual(top);
    for (const row of rows.slice(0, 5)) expect(row.count).toBe(items.filter((i) => i.product_id === row['items[].product_id']).length);
    expect(rows[5]['items[].product_id']).toBe('(other)');
    expect(rows[5].sum).toBe(sum(items.map((i) => i.quantity)) - sum(top.map(([, n]) => n)));

    const total = await both({ kind: 'breakdown', event: 'order', measure: 'revenue', aggregations: ['sum', 'count'], from: iso(from), to: iso(to) });
    expect(total.picked.meta.source).toBe('rollup_1h');
    for (const answer of [total.picked, total.raw]) {
      expect(answer.rows.length).toBe(1);
      expectClose(records(answer)[0].sum, sum(orders.map((o) => o.properties.revenue)), 1e-9, 'total');
      expect(records(answer)[0].count).toBe(orders.length);
    }
    const mixed = await ask(s.queryUrl, s.readKey, { kind: 'funnel', steps: [{ event: 'order', filters: [{ property: 'items[].price', op: 'gt', value: 1 }] }, { event: 'order' }] });
    expect(mixed.status).toBe(400);
    expect(mixed.body.error.problems[0].path).toBe('/steps/0/filters/0/property');
  });

  it('funnel: per-step users, conversions and median time to convert, plain, strict and broken down by the first step', async () => {
    const steps = [
      { event: 'step_a', filters: [{ property: 'plan', op: 'in', value: ['free', 'pro', 'team'] }] },
      { event: 'step_b' },
      { event: 'step_c', filters: [{ property: 'amount', op: 'gt', value: 3 }] },
    ];
    const windowMs = 30 * MIN;
    const matches = (e: Ev, i: number): boolean => e.event === steps[i].event && (i !== 2 || e.properties.amount > 3);
    function chains(strict: boolean): { level: number; times: number[]; plan: string }[] {
      const byUser = new Map<string, Ev[]>();
      for (const e of funnelEvents) byUser.set(e.user_id, [...(byUser.get(e.user_id) ?? []), e]);
      const out: { level: number; times: number[]; plan: string }[] = [];
      for (const evs of byUser.values()) {
        evs.sort((a, b) => a.timestamp - b.timestamp);
        let best: { level: number; times: number[]; plan: string } | null = null;
        evs.forEach((start, i) => {
          if (!matches(start, 0)) return;
          const times = [start.timestamp];
          for (let j = i + 1; j < evs.length && times.length < steps.length; j++) {
            const e = evs[j];
            if (e.timestamp - start.timestamp > windowMs) break;
            if (matches(e, times.length)) times.push(e.timestamp);
            else if (strict && steps.some((_, k) => matches(e, k))) break;
          }
          if (!best || times.length > best.level) best = { level: times.length, times, plan: start.properties.plan };
        });
        if (best) out.push(best);
      }
      return out;
    }
    const median = (xs: number[]): number | null => {
      if (xs.length === 0) return null;
      const v = [...xs].sort((a, b) => a - b);
      const r = 0.5 * (v.length - 1);
      return v[Math.floor(r)] + (v[Math.ceil(r)] - v[Math.floor(r)]) * (r - Math.floor(r));
    };
    function expectFunnel(rows: Record<string, any>[], cs: ReturnType<typeof chains>): void {
      expect(rows.map((r) => r.step)).toEqual([1, 2, 3]);
      const users = [1, 2, 3].map((k) => cs.filter((c) => c.level >= k).length);
      rows.forEach((row, i) => {
        expect(row.event).toBe(steps[i].event);
        expect(row.users, `step ${i + 1}`).toBe(users[i]);
        expectClose(row.conversion_from_first, users[i] / users[0], 1e-12, 'from first');
        expectClose(row.conversion_from_previous, users[i] / users[Math.max(0, i - 1)], 1e-12, 'from previous');
        const m = i === 0 ? null : median(cs.filter((c) => c.level > i).map((c) => c.times[i] - c.times[i - 1]));
        if (m === null) expect(row.median_time_to_convert_ms).toBeNull();
        else expectClose(row.median_time_to_convert_ms, m, 1e-12, 'median');
      });
    }
    for (const strict of [false, true]) {
      const res = await ask(s.queryUrl, s.readKey, { kind: 'funnel', steps, window: '30m', strict_order: strict, from: iso(from), to: iso(to) });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.columns.map((c: any) => c.name)).toEqual(['step', 'event', 'users', 'conversion_from_first', 'conversion_from_previous', 'median_time_to_convert_ms']);
      expectFunnel(records(res.body), chains(strict));
    }
    const cs = chains(false);
    const byPlan = await ask(s.queryUrl, s.readKey, { kind: 'funnel', steps, window: '30m', group_by: ['plan'], from: iso(from), to: iso(to) });
    expect(byPlan.status, JSON.stringify(byPlan.body)).toBe(200);
    const rows = records(byPlan.body);
    const plans = [...new Set(rows.map((r) => r.plan))];
    expect(plans.sort()).toEqual(['free', 'pro', 'team']);
    for (const plan of plans) expectFunnel(rows.filter((r) => r.plan === plan), cs.filter((c) => c.plan === plan));
  });

  it('retention: daily cohorts by first visit, returns by purchase, exact', async () => {
    const res = await ask(s.queryUrl, s.readKey, { kind: 'retention', start_event: 'visit', return_event: 'buy', period: 'day', periods: 5, from: iso(retFrom), to: iso(retTo) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const first = new Map<string, number>();
    for (const e of retention) if (e.event === 'visit' && e.timestamp < (first.get(e.user_id) ?? Infinity)) first.set(e.user_id, e.timestamp);
    const expected = new Map<string, Set<string>>();
    const sizes = new Map<number, number>();
    for (const [user, t0] of first) {
      const cohort = Math.floor(t0 / DAY) * DAY;
      sizes.set(cohort, (sizes.get(cohort) ?? 0) + 1);
      for (const e of retention) {
        if (e.user_id !== user || e.event !== 'buy') continue;
        const k = Math.floor(e.timestamp / DAY) - cohort / DAY;
        if (k < 0 || k > 5 || (k === 0 && e.timestamp < t0)) continue;
        const key = `${cohort}|${k}`;
        if (!expected.has(key)) expected.set(key, new Set());
        expected.get(key)?.add(user);
      }
    }
    const rows = records(res.body);
    const expectedRows = [...sizes.keys()].sort((a, b) => a - b).flatMap((c) => Array.from({ length: 6 }, (_, k) => k).filter((k) => c + k * DAY < retTo).map((k) => [c, k]));
    expect(rows.map((r) => [r.cohort, r.period])).toEqual(expectedRows);
    for (const row of rows) {
      const users = expected.get(`${row.cohort}|${row.period}`)?.size ?? 0;
      expect(row.cohort_size).toBe(sizes.get(row.cohort));
      expect(row.users, `cohort ${iso(row.cohort)} period ${row.period}`).toBe(users);
      expectClose(row.rate, users / row.cohort_size, 1e-12, 'rate');
    }
  });

  it('events: pages newest first through every row of the range exactly once', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let times: number[] = [];
    for (let page = 0; page < 20; page++) {
      const res = await ask(s.queryUrl, s.readKey, { kind: 'events', event: 'order', from: iso(from), to: iso(to), limit: 97, properties: ['revenue', 'category'], ...(cursor ? { cursor } : {}) });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const rows = records(res.body);
      seen.push(...rows.map((r) => r.event_id));
      times = [...times, ...rows.map((r) => r.time)];
      for (const row of rows) {
        const e = orders.find((o) => o.event_id === row.event_id);
        expect(row.revenue).toBe(e?.properties.revenue);
        expect(row.category).toBe(e?.properties.category);
      }
      cursor = res.body.meta.next_cursor ?? undefined;
      if (!cursor) break;
    }
    expect(seen.length).toBe(orders.length);
    expect(new Set(seen).size).toBe(orders.length);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const forged = await ask(s.queryUrl, s.readKey, { kind: 'events', event: 'order', range: '24h', cursor: 'bm90IGEgY3Vyc29y' });
    expect(forged.status).toBe(400);
    expect(forged.body.error.problems[0].path).toBe('/cursor');
  });

  it('caches per project and query: a repeated query is a hit, Cache-Control: no-cache is a miss', async () => {
    const q = { kind: 'breakdown', event: 'api_request', group_by: ['endpoint'], range: '7d' };
    const first = await ask(s.queryUrl, s.readKey, q, undefined, { 'cache-control': '' });
    const second = await ask(s.queryUrl, s.readKey, { range: '7d', group_by: ['endpoint'], event: 'api_request', kind: 'breakdown' }, undefined, { 'cache-control': '' });
    const fresh = await ask(s.queryUrl, s.readKey, q);
    expect([first.body.meta.cache, second.body.meta.cache, fresh.body.meta.cache]).toEqual(['miss', 'hit', 'miss']);
    expect(second.body.rows).toEqual(first.body.rows);
  });
});
