// GET /api/v1/dashboard/summary against figures computed here from the generated events (never
// by asking ClickHouse): counts, sums and averages exact, percentiles within the sketch's 1%,
// the previous period's figures, the tables' top-N with "(other)", roles, bad parameters, the
// cache and the tables that answered.
//
// Percentiles: ClickHouse's quantilesDD reads the value of rank floor(q·(n−1)) (0-based, values
// sorted ascending) from its sketch, within 1% relative. `rank` below is that exact value.
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { int, pick, seededRng, seedFromEnv, type Rng } from './helpers/events.js';
import { expectClose, ingestAll } from './helpers/query.js';
import { until } from './helpers/until.js';
import { startInProcess, type InProcess } from './helpers/sluice.js';

const HOUR = 3_600_000;
const MIN = 60_000;
const SECRET = 'dashboard-test-secret-0123456789abcdefghij';
const seed = seedFromEnv('DASHBOARD_SEED');
const rng = seededRng(seed);
const now = Date.now();

interface Ev {
  event: string;
  event_id: string;
  timestamp: number;
  user_id: string;
  properties: Record<string, any>;
}

const ENDPOINTS = Array.from({ length: 12 }, (_, i) => `/e${String(i).padStart(2, '0')}`);
const STATUSES = [200, 200, 200, 201, 204, 301, 404, 500, 503];
const CATEGORIES = ['shoes', 'shirts', 'bags', 'hats', 'belts'];
const COLLECTIONS = ['spring', 'summer', 'basics'];
const PAYMENTS = ['card', 'paypal', 'klarna', 'gift_card'];
const CODES = ['WELCOME10', 'SPRING', 'VIP', 'FREESHIP', 'BOGO', 'STAFF'];
const PIPELINES = ['embed', 'classify', 'summarise', 'translate', 'rank'];
const PROVIDERS = ['openai', 'anthropic', 'aws', 'self_hosted'];
const CHANNELS = ['email', 'chat', 'phone', 'social', 'web'];
const AGENTS = Array.from({ length: 14 }, (_, i) => `agent${String(i).padStart(2, '0')}`);

// Skewed picks, so that groups differ in size and the top-N has something to choose.
const skewed = <T>(r: Rng, list: readonly T[]): T => list[Math.min(list.length - 1, Math.floor(r() ** 1.6 * list.length))];

/** Measures are binary fractions (n/4, n/256) so that sums are exact whatever the order of addition. */
function makeEvent(r: Rng, event: string, timestamp: number): Ev {
  const base = { event, event_id: randomUUID(), timestamp, user_id: `u${int(r, 1, 300)}` };
  switch (event) {
    case 'api_request':
      return { ...base, properties: { endpoint: skewed(r, ENDPOINTS), method: pick(r, ['GET', 'POST']), status: pick(r, STATUSES), duration_ms: int(r, 1, 8000) / 4 } };
    case 'error':
      return { ...base, properties: { message: 'boom', type: pick(r, ['TypeError', 'ECONNRESET']) } };
    case 'order': {
      const p: Record<string, unknown> = {
        order_id: `o${int(r, 1, 1e9)}`,
        revenue: int(r, 4, 40_000) / 4,
        currency: 'EUR',
        category: skewed(r, CATEGORIES),
        payment_method: skewed(r, PAYMENTS),
        items: [{ product_id: `p${int(r, 1, 30)}`, quantity: int(r, 1, 3), price: int(r, 4, 400) / 4 }],
      };
      if (r() < 0.8) p.collection = pick(r, COLLECTIONS);
      if (r() < 0.4) p.discount_code = skewed(r, CODES);
      return { ...base, properties: p };
    }
    case 'ml_job': {
      const status = pick(r, ['succeeded', 'succeeded', 'succeeded', 'failed', 'cancelled', 'queued', 'running']);
      const p: Record<string, unknown> = { job_id: `j${int(r, 1, 1e9)}`, pipeline: skewed(r, PIPELINES), provider: skewed(r, PROVIDERS), status };
      // Only finished jobs carry a duration and a cost: the rollups cannot count every job by status.
      if (status === 'succeeded' || status === 'failed') {
        p.duration_ms = int(r, 100, 600_000) / 4;
        p.cost_usd = int(r, 1, 5000) / 256;
      }
      return { ...base, properties: p };
    }
    default: {
      const p: Record<string, unknown> = { ticket_id: `t${int(r, 1, 1e9)}`, channel: skewed(r, CHANNELS), agent: skewed(r, AGENTS) };
      if (r() < 0.9) p.first_response_ms = int(r, 1000, 4_000_000) / 4;
      if (r() < 0.7) p.resolution_ms = int(r, 100_000, 400_000_000) / 4;
      if (r() < 0.5) p.satisfaction = int(r, 1, 5);
      return { ...base, properties: p };
    }
  }
}

/** `n` events spread over [start, end). */
const spread = (event: string, n: number, start: number, end: number): Ev[] => Array.from({ length: n }, () => makeEvent(rng, event, start + Math.floor(rng() * (end - start))));

// The current events sit in the last five hours; the previous ones 26 to 40 hours ago, inside the
// previous period of a 24h range (25 whole hours before it); a few are older than both.
const current = (event: string, n: number): Ev[] => spread(event, n, now - 5 * HOUR, now - 1000);
const previous = (event: string, n: number): Ev[] => spread(event, n, now - 40 * HOUR, now - 26 * HOUR);
const older = (event: string, n: number): Ev[] => spread(event, n, now - 72 * HOUR, now - 60 * HOUR);
const all: Ev[] = [
  ...current('api_request', 1500), ...previous('api_request', 200), ...older('api_request', 30),
  ...current('error', 80), ...previous('error', 20),
  ...current('order', 700), ...previous('order', 300), ...older('order', 40),
  ...current('ml_job', 500), ...previous('ml_job', 60),
  ...current('ticket', 500), ...previous('ticket', 60),
];

// Independent computations.

const OTHER = '(other)';
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);
const change = (v: number | null, p: number | null): number | null => (v === null || p === null || p === 0 ? null : (v - p) / Math.abs(p));
const figure = (value: number | null, prev: number | null) => ({ value, previous: prev, change: change(value, prev) });
const statusClass = (status: number): string => `${Math.floor(status / 100)}xx`;
const text = (v: unknown): string => (v === undefined ? '' : String(v));
const measured = (evs: Ev[], m: string): Ev[] => evs.filter((e) => typeof e.properties[m] === 'number');
const values = (evs: Ev[], m: string): number[] => measured(evs, m).map((e) => e.properties[m] as number);

/** A percentile the answer must hit within 1% relative. */
class Pct {
  constructor(readonly value: number) {}
}
function rank(xs: number[], q: number): Pct {
  const sorted = [...xs].sort((a, b) => a - b);
  return new Pct(sorted[Math.floor(q * (sorted.length - 1))]);
}

const inWindow = (event: string, from: number, to: number): Ev[] => all.filter((e) => e.event === event && e.timestamp >= from && e.timestamp < to);

/**
 * A breakdown's groups as the service ranks them: by the first figure descending, then by the
 * group's text; beyond `limit` the rest are one "(other)" group, last.
 */
function topGroups(evs: Ev[], key: (e: Ev) => string, score: (group: Ev[]) => number, limit = 10): { key: string; evs: Ev[] }[] {
  const groups = new Map<string, Ev[]>();
  for (const e of evs) groups.set(key(e), [...(groups.get(key(e)) ?? []), e]);
  const ranked = [...groups].sort((a, b) => score(b[1]) - score(a[1]) || (a[0] < b[0] ? -1 : 1));
  const top = ranked.slice(0, limit).map(([k, g]) => ({ key: k, evs: g }));
  const rest = ranked.slice(limit).flatMap(([, g]) => g);
  return rest.length > 0 ? [...top, { key: OTHER, evs: rest }] : top;
}

function expectedHealth(from: number, to: number) {
  const api = inWindow('api_request', from, to);
  const classes = topGroups(api, (e) => statusClass(e.properties.status), (g) => g.length);
  const fives = api.filter((e) => statusClass(e.properties.status) === '5xx').length;
  const durations = values(api, 'duration_ms');
  return {
    total: api.length,
    errors: {
      server_error_rate: ratio(fives, api.length),
      server_errors: fives,
      by_status_class: classes.map((g) => ({ status_class: g.key, requests: g.evs.length, share: g.evs.length / api.length })),
      error_events: inWindow('error', from, to).length,
    },
    latency_ms: {
      p50: rank(durations, 0.5),
      p95: rank(durations, 0.95),
      p99: rank(durations, 0.99),
      by_endpoint: topGroups(measured(api, 'duration_ms'), (e) => e.properties.endpoint, (g) => g.length).map((g) => {
        const d = values(g.evs, 'duration_ms');
        return { endpoint: g.key, requests: g.evs.length, p50: rank(d, 0.5), p95: rank(d, 0.95), p99: rank(d, 0.99) };
      }),
    },
  };
}

function expectedBusiness(from: number, to: number, prevFrom: number, prevTo: number) {
  const now_ = inWindow('order', from, to);
  const before = inWindow('order', prevFrom, prevTo);
  const revenue = (evs: Ev[]): number => sum(values(evs, 'revenue'));
  const coded = (evs: Ev[]): Ev[] => evs.filter((e) => e.properties.discount_code !== undefined);
  const table = (property: string, evs: Ev[], prevEvs: Ev[]) =>
    topGroups(evs, (e) => text(e.properties[property]), revenue).map((g) => {
      const keys = g.key === OTHER ? null : g.key;
      const topKeys = topGroups(evs, (e) => text(e.properties[property]), revenue).map((x) => x.key);
      const prev = prevEvs.filter((e) => (keys === null ? !topKeys.includes(text(e.properties[property])) : text(e.properties[property]) === keys));
      return {
        [property]: g.key,
        revenue: revenue(g.evs),
        revenue_previous: revenue(prev),
        revenue_change: change(revenue(g.evs), revenue(prev)),
        orders: g.evs.length,
        orders_previous: prev.length,
      };
    });
  const c = { now: coded(now_), before: coded(before) };
  // One line item per generated order: an order's units are its item's quantity.
  const product = (e: Ev): string => e.properties.items[0].product_id;
  const units = (evs: Ev[]): number => sum(evs.map((e) => e.properties.items[0].quantity));
  const topProducts = topGroups(now_, product, units);
  const topKeys = topProducts.map((g) => g.key);
  return {
    compare: { kind: 'previous_period', from: prevFrom, to: prevTo },
    revenue: figure(revenue(now_), revenue(before)),
    orders: figure(now_.length, before.length),
    average_order_value: figure(ratio(revenue(now_), now_.length), ratio(revenue(before), before.length)),
    top_products: topProducts.map((g) => {
      const prev = before.filter((e) => (g.key === OTHER ? !topKeys.includes(product(e)) : product(e) === g.key));
      return { product_id: g.key, units: units(g.evs), units_previous: units(prev), units_change: change(units(g.evs), units(prev)), order_lines: g.evs.length };
    }),
    by_category: table('category', now_, before),
    by_collection: table('collection', now_, before),
    by_payment_method: table('payment_method', now_, before),
    discounts: {
      orders_with_code: figure(c.now.length, c.before.length),
      orders_without_code: figure(now_.length - c.now.length, before.length - c.before.length),
      share_with_code: figure(ratio(c.now.length, now_.length), ratio(c.before.length, before.length)),
      revenue_with_code: figure(revenue(c.now), revenue(c.before)),
      revenue_without_code: figure(revenue(now_) - revenue(c.now), revenue(before) - revenue(c.before)),
      by_code: table('discount_code', c.now, c.before),
    },
  };
}

function expectedMl(from: number, to: number) {
  const jobs = inWindow('ml_job', from, to);
  const byStatus = topGroups(jobs, (e) => e.properties.status, (g) => g.length);
  const n = (status: string): number => jobs.filter((e) => e.properties.status === status).length;
  const durations = values(jobs, 'duration_ms');
  const costs = measured(jobs, 'cost_usd');
  return {
    jobs: jobs.length,
    by_status: byStatus.map((g) => ({ status: g.key, jobs: g.evs.length })),
    success_rate: ratio(n('succeeded'), n('succeeded') + n('failed')),
    duration_ms: {
      p50: rank(durations, 0.5),
      p95: rank(durations, 0.95),
      by_pipeline: topGroups(measured(jobs, 'duration_ms'), (e) => e.properties.pipeline, (g) => g.length).map((g) => {
        const d = values(g.evs, 'duration_ms');
        return { pipeline: g.key, jobs: g.evs.length, p50: rank(d, 0.5), p95: rank(d, 0.95) };
      }),
    },
    cost_usd: {
      total: sum(values(costs, 'cost_usd')),
      by_provider: topGroups(costs, (e) => e.properties.provider, (g) => sum(values(g, 'cost_usd'))).map((g) => ({ provider: g.key, cost_usd: sum(values(g.evs, 'cost_usd')), jobs: g.evs.length })),
    },
    failures_by_provider: topGroups(jobs.filter((e) => e.properties.status === 'failed'), (e) => e.properties.provider, (g) => g.length).map((g) => ({ provider: g.key, failures: g.evs.length })),
  };
}

function expectedSupport(from: number, to: number) {
  const tickets = inWindow('ticket', from, to);
  const rated = measured(tickets, 'satisfaction');
  const avg = (g: Ev[]): number => sum(values(g, 'satisfaction')) / g.length;
  const fr = values(tickets, 'first_response_ms');
  const res = values(tickets, 'resolution_ms');
  return {
    tickets: tickets.length,
    first_response_ms: { p50: rank(fr, 0.5), p90: rank(fr, 0.9) },
    resolution_ms: { p50: rank(res, 0.5), p90: rank(res, 0.9) },
    satisfaction: {
      avg: avg(rated),
      ratings: rated.length,
      by_channel: topGroups(rated, (e) => e.properties.channel, (g) => g.length).map((g) => ({ channel: g.key, avg: avg(g.evs), ratings: g.evs.length })),
      by_agent: topGroups(rated, (e) => e.properties.agent, (g) => g.length).map((g) => ({ agent: g.key, avg: avg(g.evs), ratings: g.evs.length })),
    },
  };
}

/** Deep comparison: numbers within 1e-9 relative, Pct within 1% relative, everything else equal. */
function check(actual: any, expected: unknown, path = '$'): void {
  if (expected instanceof Pct) {
    expect(typeof actual, path).toBe('number');
    expect(Math.abs(actual - expected.value), `${path}: ${actual} vs exact ${expected.value}`).toBeLessThanOrEqual(expected.value * 0.01 * (1 + 1e-9));
  } else if (typeof expected === 'number') {
    expect(typeof actual, path).toBe('number');
    expectClose(actual, expected, 1e-9, path);
  } else if (Array.isArray(expected)) {
    expect(Array.isArray(actual), path).toBe(true);
    expect(actual.length, `${path} length`).toBe(expected.length);
    expected.forEach((e, i) => check(actual[i], e, `${path}[${i}]`));
  } else if (expected !== null && typeof expected === 'object') {
    expect(Object.keys(actual ?? {}).sort(), path).toEqual(Object.keys(expected).sort());
    for (const [k, v] of Object.entries(expected)) check(actual[k], v, `${path}.${k}`);
  } else {
    expect(actual, path).toEqual(expected);
  }
}

let s: InProcess;
const tokens: Record<string, string> = {};

const jwt = (role: string): Promise<string> =>
  new SignJWT({ sub: `${role}-user`, role, projects: ['default'] }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('1h').sign(new TextEncoder().encode(SECRET));

async function summary(query: string, token = s.readKey, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(`${s.queryUrl}/api/v1/dashboard/summary${query}`, { headers: { authorization: `Bearer ${token}`, ...headers } });
  return { status: res.status, body: await res.json() };
}

beforeAll(async () => {
  s = await startInProcess({ queryRateLimit: '0', jwtSecret: SECRET, cacheTtlMs: '10m', cacheFreshnessMs: '10m' });
  await ingestAll(s, s.writeKey, all, 2000);
  for (const role of ['viewer', 'analyst', 'admin']) tokens[role] = await jwt(role);
});
afterAll(async () => s?.stop());

describe(`dashboard summary (seed ${seed})`, () => {
  it('answers every figure of every section as computed from the events, from rollups but where no rollup holds the data', async () => {
    const asked = Date.now();
    const { status, body } = await summary('', s.readKey, { 'cache-control': 'no-cache' });
    const answered = Date.now();
    expect(status, JSON.stringify(body)).toBe(200);
    const { from, to, timezone } = body.range;
    expect(timezone).toBe('UTC');
    expect(from % HOUR).toBe(0);
    expect(to % HOUR).toBe(0);
    expect(to - from).toBe(25 * HOUR); // 24 hours back, and the current hour whole
    expect(Object.keys(body.sections)).toEqual(['health', 'business', 'ml', 'support', 'alerts']);

    // Health: the series is checked bucket by bucket, the rest as a whole.
    const health = body.sections.health;
    const want = expectedHealth(from, to);
    const { series, total, minutes, per_minute, interval } = health.requests;
    expect(interval).toBe('5m');
    expect(total).toBe(want.total);
    expect(minutes).toBeGreaterThanOrEqual((asked - from) / MIN);
    expect(minutes).toBeLessThanOrEqual((answered - from) / MIN);
    expectClose(per_minute, total / minutes, 1e-9, 'per_minute');
    expect(series[0].time).toBe(from);
    expect(series[series.length - 1].time).toBeGreaterThanOrEqual(Math.floor(asked / (5 * MIN)) * 5 * MIN);
    expect(series[series.length - 1].time).toBeLessThanOrEqual(answered);
    series.forEach((point: any, i: number) => {
      expect(point.time).toBe(from + i * 5 * MIN);
      const n = inWindow('api_request', point.time, point.time + 5 * MIN).length;
      expect(point.requests, `requests at ${new Date(point.time).toISOString()}`).toBe(n);
      if (i < series.length - 1) expectClose(point.per_minute, n / 5, 1e-9, 'bucket per_minute');
    });
    expect(sum(series.map((p: any) => p.requests))).toBe(want.total);
    check(health.errors, want.errors, 'health.errors');
    check(health.latency_ms, want.latency_ms, 'health.latency_ms');

    const business = body.sections.business;
    // previous_period: the same length just before.
    expect(business.compare).toEqual({ kind: 'previous_period', from: from - (to - from), to: from });
    check(business, expectedBusiness(from, to, from - (to - from), from), 'business');
    check(body.sections.ml, expectedMl(from, to), 'ml');
    check(body.sections.support, expectedSupport(from, to), 'support');

    // Whole hours: every query from a rollup (the 5-minute request series from the minute
    // rollup) but the two ML counts by status, which only raw events hold.
    expect(body.meta.queries).toBe(23);
    expect(body.meta.sources).toEqual({ rollup_1h: 19, rollup_1m: 1, events: 3 });
    expect(body.meta.cache).toEqual({ hit: 0, miss: 23 });
    expect(typeof body.meta.elapsed_ms).toBe('number');

    // The sections hold figures the generated data actually exercises.
    expect(want.latency_ms.by_endpoint.at(-1)?.endpoint).toBe(OTHER);
    expect(body.sections.support.satisfaction.by_agent.at(-1).agent).toBe(OTHER);
    expect(business.orders.previous).toBeGreaterThan(0);
    expect(business.by_collection.some((r: any) => r.collection === '')).toBe(true);
  });

  it('serves a repeated summary from the cache, and asks afresh with Cache-Control: no-cache', async () => {
    const first = await summary('?sections=business,support');
    expect(first.status).toBe(200);
    const again = await summary('?sections=business,support');
    expect(again.body.meta.cache).toEqual({ hit: 12, miss: 0 });
    expect(again.body.sections).toEqual(first.body.sections);
    const fresh = await summary('?sections=business,support', s.readKey, { 'cache-control': 'no-cache' });
    expect(fresh.body.meta.cache).toEqual({ hit: 0, miss: 12 });
  });

  it('reads whole minutes over the 1h range, from the minute rollup, against the previous hour', async () => {
    const { status, body } = await summary('?sections=business&range=1h');
    expect(status, JSON.stringify(body)).toBe(200);
    const { from, to } = body.range;
    expect(from % MIN).toBe(0);
    expect(to % MIN).toBe(0);
    check(body.sections.business, expectedBusiness(from, to, from - (to - from), from), 'business');
    expect(body.meta.sources).toEqual({ rollup_1m: 6, events: 1 });
  });

  it('takes a time zone for the request series, and the previous year as the comparison', async () => {
    const { status, body } = await summary('?sections=health,business&timezone=Asia/Kolkata&compare=previous_year');
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.range.timezone).toBe('Asia/Kolkata');
    // Kolkata is UTC+5:30: its 5-minute buckets still fall on whole UTC minutes, the totals on UTC hours.
    const series = body.sections.health.requests.series;
    expect(series[0].time).toBe(body.range.from);
    expect(sum(series.map((p: any) => p.requests))).toBe(expectedHealth(body.range.from, body.range.to).total);
    expect(body.sections.business.compare.kind).toBe('previous_year');
    expect(body.sections.business.orders.previous).toBe(0);
    expect(body.sections.business.orders.change).toBeNull();
    expect(body.meta.sources).toEqual({ rollup_1h: 10, rollup_1m: 1, events: 1 });
  });

  it('shows a viewer the business section only, and refuses the others naming them', async () => {
    const viewer = await summary('', tokens.viewer);
    expect(viewer.status, JSON.stringify(viewer.body)).toBe(200);
    expect(Object.keys(viewer.body.sections)).toEqual(['business']);
    expect(viewer.body.sections.business.orders.value).toBe(inWindow('order', viewer.body.range.from, viewer.body.range.to).length);

    for (const sections of ['health', 'business,ml', 'support,health', 'alerts']) {
      const refused = await summary(`?sections=${sections}`, tokens.viewer);
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('SLUICE_E_FORBIDDEN');
      for (const name of sections.split(',').filter((n) => n !== 'business')) expect(refused.body.error.message).toContain(name);
    }

    for (const token of [tokens.analyst, tokens.admin]) {
      const full = await summary('', token);
      expect(full.status).toBe(200);
      expect(Object.keys(full.body.sections)).toEqual(['health', 'business', 'ml', 'support', 'alerts']);
    }
    const admin = await summary('?project=default&sections=ml', 'test-admin-token');
    expect(admin.status).toBe(200);
    expect(Object.keys(admin.body.sections)).toEqual(['ml']);
  });

  it('lists firing and pending alerts by severity and the range\'s transitions in the alerts section', async () => {
    const none = await summary('?sections=alerts');
    expect(none.status, JSON.stringify(none.body)).toBe(200);
    expect(none.body.sections.alerts).toMatchObject({ firing: { info: 0, warning: 0, critical: 0 }, pending: 0, active: [] });
    // A rule whose condition always holds fires at its first evaluation.
    const created = await fetch(`${s.queryUrl}/api/v1/alerts/rules?project=default`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-admin-token', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'orders seen', query: { kind: 'timeseries', event: 'order', range: '24h', interval: '1h' }, condition: { type: 'threshold_above', value: -1 }, severity: 'critical', every: '10s', channels: ['in_app'] }),
    });
    expect(created.status).toBe(201);
    const rule = (await created.json()) as { id: string };
    const body = await until(async () => {
      const r = await summary('?sections=alerts', s.readKey, { 'cache-control': 'no-cache' });
      return r.body.sections?.alerts?.firing?.critical === 1 ? r.body : undefined;
    }, 'the rule firing in the alerts section', 60_000, 200);
    expect(body.sections.alerts.active).toMatchObject([{ rule_id: rule.id, rule_name: 'orders seen', severity: 'critical', state: 'firing' }]);
    expect(body.sections.alerts.recent).toEqual(expect.arrayContaining([expect.objectContaining({ rule_id: rule.id, state: 'firing', threshold: -1 })]));
    expect(body.meta.queries).toBe(0);
  });

  it('refuses unknown sections and bad parameters with 400 naming them', async () => {
    const unknown = await summary('?sections=business,alerts,nope,sales');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('SLUICE_E_BAD_REQUEST');
    expect(unknown.body.error.message).toContain('"sales"');
    expect(unknown.body.error.message).toContain('"nope"');
    expect(unknown.body.error.message).not.toContain('"alerts"');
    // An unknown section is named before a role is checked.
    expect((await summary('?sections=nope', tokens.viewer)).status).toBe(400);
    for (const [query, named] of [['?range=2h', 'range'], ['?timezone=Mars/Olympus', 'Mars/Olympus'], ['?compare=yesterday', 'compare'], ['?sections=', 'sections']]) {
      const r = await summary(query);
      expect(r.status, query).toBe(400);
      expect(r.body.error.message, query).toContain(named);
    }
    const post = await fetch(`${s.queryUrl}/api/v1/dashboard/summary`, { method: 'POST', headers: { authorization: `Bearer ${s.readKey}` } });
    expect(post.status).toBe(405);
    expect((await summary('', 'slr_not-a-key')).status).toBe(401);
  });
});
