// Tenant isolation of the query service. Projects A and B hold look-alike events (the same
// event names and property values, B with more of them) and B alone holds marker values.
// Asking as A, with its read key or an A-scoped JWT, every DSL input that reaches SQL is tried
// with hostile strings, through POST /api/v1/query, the export and live subscriptions: each
// answer is a 400 naming the input, or exactly what A's own events give (worked out here,
// never by asking ClickHouse), and nothing of B shows. The meta endpoints and the dashboard
// summary get the same treatment with their own parameters.
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { ERRORS } from '../core/errors.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProjectWithKey } from './helpers/admin.js';
import { ask, ingestAll, records, type QueryAnswer } from './helpers/query.js';
import { startInProcess, type InProcess } from './helpers/sluice.js';
import { until } from './helpers/until.js';
import { connectWs, type WsClient } from './helpers/ws-client.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const A = 'default';
const B = 'tenant-b';
const SECRET = 'isolation-test-hs256-secret-0123456789abcdef';
/** Every value only B holds (users, property names and values, event names) matches this. */
const B_MARK = /zz[-_]b[-_]only/;
const MAX_BODY = 256 * 1024;

type Scalar = string | number | boolean;
interface Filter {
  property: string;
  op: string;
  value?: Scalar | Scalar[];
}
interface Ev {
  event: string;
  event_id: string;
  timestamp: number;
  user_id: string;
  properties: Record<string, unknown>;
  /** One item of an array property, when the query reaches into one (`items[].product_id`). */
  item?: unknown;
}

// Strings seeded as event names and property values in both projects (so that a filter or an
// event name that matches must count A's copies and only those).
const SEEDED = ["'", "') OR 1=1 --", '{p0:String}', 'project_id', B, '\u0000', '🙂 ünïcødé ✓ \u202e', '--', '\\', '"'];
const HOSTILE: string[] = [
  ...SEEDED,
  '',
  '`',
  "\\'",
  '/*',
  '*/',
  '#',
  ';',
  '%',
  '_',
  "' OR '1'='1",
  "x' OR 1=1 #",
  '") OR ("1"="1',
  "' UNION SELECT event, toString(count()) FROM sluice.events --",
  `x') UNION ALL SELECT * FROM sluice.events WHERE project_id = '${B}' /*`,
  `${A}' OR project_id = '${B}`,
  "'; DROP TABLE sluice.events; --",
  '{p1:Array(String)}',
  '{project:String}',
  '{p0:Identifier}',
  'a\u0000b',
  '\r\n',
  '\\N',
  'NULL',
  'user_id',
  'a.b',
  'x'.repeat(201),
  'y'.repeat(1001),
  'z'.repeat(100_000),
  'w'.repeat(300_000),
];

/** The strings that try hardest to reach outside the project, short enough for a URL. */
const SHARP = HOSTILE.filter((h) => /UNION|OR|project|\{p|\u0000|'|\\/.test(h) && h.length < 1000);

// ---- the seeded events -------------------------------------------------------------------

const now = Date.now();
let tick = 0;
/** Distinct instants a second apart, oldest first, all within the last two hours. */
const at = (): number => now - 2 * HOUR + tick++ * 1000;

function build(isB: boolean): Ev[] {
  const out: Ev[] = [];
  const add = (event: string, user_id: string, properties: Record<string, unknown>): void => {
    out.push({ event, event_id: randomUUID(), timestamp: at(), user_id, properties });
  };
  const users = isB ? Array.from({ length: 13 }, (_, i) => `zz-b-only-u${i}`) : Array.from({ length: 8 }, (_, i) => `a${i + 1}`);
  const tags = [...SEEDED, 'plain'];
  users.forEach((u, i) => {
    const props: Record<string, string | number> = { plan: i % 2 ? 'pro' : 'free', amount: (i + 1) * 10 };
    if (i < users.length - 1) props.tag = tags[i % tags.length];
    if (i === 2) props.project_id = isB ? 'zz-b-only-declared' : 'a-declared';
    if (isB) props.zz_b_only_prop = 'zz-b-only-val';
    if (isB && i === 0) props.plan = 'zz-b-only-plan';
    add('signup', u, props);
  });
  const funnel = (event: string, n: number): void => users.slice(0, isB ? users.length : n).forEach((u, i) => add(event, u, { tag: tags[(i + 3) % tags.length], ...(isB ? { zz_b_only_prop: 'zz-b-only-val' } : {}) }));
  funnel('visit', 6);
  funnel('cart', 4);
  funnel('buy', 2);
  // Returning visitors, for retention.
  users.slice(0, isB ? users.length : 3).forEach((u) => add('visit', u, { tag: 'plain' }));
  for (const h of SEEDED) for (let k = 0; k < (isB ? 2 : 1); k++) add(h, users[0], { tag: h, ...(isB ? { zz_b_only_prop: 'zz-b-only-val' } : {}) });
  const categories = ['shoes', ...SEEDED.slice(0, 5), ...(isB ? ['zz-b-only-cat'] : [])];
  categories.forEach((category, i) => {
    for (let k = 0; k < (isB ? 3 : 1); k++) {
      const items = [
        { product_id: 'p-shared', quantity: 1, price: 2.5 },
        { product_id: SEEDED[(i + k) % SEEDED.length], quantity: i + 1, price: 0.25 * i, note: SEEDED[i] },
        ...(isB ? [{ product_id: 'zz-b-only-sku', quantity: 9, price: 9 }] : []),
      ];
      add('order', users[i % users.length], { order_id: `o${i}-${k}`, revenue: 10.25 * (i + 1), currency: 'EUR', category, payment_method: i % 2 ? 'card' : 'paypal', items });
    }
  });
  if (isB) add('zz-b-only-event', users[0], { zz_b_only_prop: 'zz-b-only-val' });
  return out;
}

const eventsA = build(false);
const eventsB = build(true);
const idsA = new Set(eventsA.map((e) => e.event_id));

// ---- A's answers, worked out from A's events -----------------------------------------------

const COLUMNS = ['user_id', 'session_id', 'correlation_id'];
const bytes = (s: string): Buffer => Buffer.from(s, 'utf8');
const cmp = (a: string, b: string): number => Buffer.compare(bytes(a), bytes(b));
const cmpKeys = (a: string[], b: string[]): number => {
  for (let i = 0; i < a.length; i++) if (cmp(a[i], b[i]) !== 0) return cmp(a[i], b[i]);
  return 0;
};

const ARRAY = '[].';
/** The value at a dotted path inside an array item. */
function itemValue(item: unknown, path: string): unknown {
  let v = item;
  for (const k of path.split('.')) v = v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

/**
 * A property's value as text, '' when missing: the envelope columns by name, a path inside the
 * row's array item (strings as they are, other values as JSON), else a top-level property.
 */
function text(e: Ev, name: string): string {
  if (COLUMNS.includes(name)) return name === 'user_id' ? e.user_id : '';
  if (name.includes(ARRAY)) {
    const v = itemValue(e.item, name.slice(name.indexOf(ARRAY) + ARRAY.length));
    return v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  }
  const v = e.properties[name];
  return v === undefined ? '' : String(v);
}

/** One row per item of the array property (events without it have no rows). */
const expand = (evs: Ev[], array: string): Ev[] => evs.flatMap((e) => (Array.isArray(e.properties[array]) ? (e.properties[array] as unknown[]).map((item) => ({ ...e, item })) : []));

function matches(e: Ev, f: Filter): boolean {
  const t = text(e, f.property);
  const list = (Array.isArray(f.value) ? f.value : [f.value]).map(String);
  switch (f.op) {
    case 'eq':
      return t === String(f.value);
    case 'neq':
      return t !== String(f.value);
    case 'in':
      return list.includes(t);
    case 'not_in':
      return !list.includes(t);
    case 'contains':
      return bytes(t).includes(bytes(String(f.value)));
    case 'exists': {
      const present = COLUMNS.includes(f.property) ? t !== '' : f.property.includes(ARRAY) ? itemValue(e.item, f.property.slice(f.property.indexOf(ARRAY) + ARRAY.length)) !== undefined : e.properties[f.property] !== undefined;
      return f.value === false ? !present : present;
    }
    default: {
      const c = cmp(t, String(f.value));
      return { gt: c > 0, gte: c >= 0, lt: c < 0, lte: c <= 0 }[f.op] as boolean;
    }
  }
}

const select = (event: string, filters: Filter[] = []): Ev[] => eventsA.filter((e) => e.event === event && filters.every((f) => matches(e, f)));
const numeric = (e: Ev, name: string): number | null => (typeof e.properties[name] === 'number' ? (e.properties[name] as number) : null);
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

/** Hourly buckets (UTC): count and distinct users. */
function expectSeries(body: any, evs: Ev[]): void {
  const want = new Map<number, { count: number; users: Set<string> }>();
  for (const e of evs) {
    const b = Math.floor(e.timestamp / HOUR) * HOUR;
    if (!want.has(b)) want.set(b, { count: 0, users: new Set() });
    const w = want.get(b) as { count: number; users: Set<string> };
    w.count++;
    if (e.user_id) w.users.add(e.user_id);
  }
  const got = records(body);
  expect(sum(got.map((r) => r.count))).toBe(evs.length);
  for (const r of got) {
    expect(r.count).toBe(want.get(r.time)?.count ?? 0);
    if ('uniq_users' in r) expect(r.uniq_users).toBe(want.get(r.time)?.users.size ?? 0);
  }
}

/** Top `limit` groups by the aggregate (ties by key), the rest summed under "(other)". */
function expectBreakdown(body: any, evs: Ev[], groupBy: string[], value: (es: Ev[]) => number = (es) => es.length, limit = 10): void {
  const groups = new Map<string, Ev[]>();
  for (const e of evs) {
    const k = JSON.stringify(groupBy.map((g) => text(e, g)));
    groups.set(k, [...(groups.get(k) ?? []), e]);
  }
  const ranked = [...groups.entries()].sort((x, y) => value(y[1]) - value(x[1]) || cmpKeys(JSON.parse(x[0]), JSON.parse(y[0])));
  const want = new Map<string, number>(ranked.slice(0, limit).map(([k, es]) => [k, value(es)]));
  const rest = ranked.slice(limit).flatMap(([, es]) => es);
  if (rest.length) want.set(JSON.stringify(groupBy.map(() => '(other)')), value(rest));
  const got = new Map<string, number>(body.rows.map((row: unknown[]) => [JSON.stringify(row.slice(0, groupBy.length)), row[groupBy.length] as number]));
  expect(got).toEqual(want);
}

function expectEvents(body: any, evs: Ev[]): void {
  const want = [...evs].sort((x, y) => y.timestamp - x.timestamp).map((e) => e.event_id);
  const got = records(body);
  expect(got.map((r) => r.event_id)).toEqual(want.slice(0, 100));
  for (const r of got) expect(idsA.has(r.event_id)).toBe(true);
}

/** Users reaching each step (non-strict order, one-day window), and per group of the first step's property. */
function funnel(steps: { event: string; filters?: Filter[] }[], groupBy?: string): Map<string, number[]> {
  const byUser = new Map<string, { t: number; mask: number; g: string }[]>();
  for (const e of eventsA) {
    if (!e.user_id) continue;
    let mask = 0;
    steps.forEach((s, i) => {
      if (e.event === s.event && (s.filters ?? []).every((f) => matches(e, f))) mask |= 1 << i;
    });
    if (mask) byUser.set(e.user_id, [...(byUser.get(e.user_id) ?? []), { t: e.timestamp, mask, g: groupBy ? text(e, groupBy) : '' }]);
  }
  const out = new Map<string, number[]>();
  for (const evs of byUser.values()) {
    evs.sort((x, y) => x.t - y.t);
    let best = 0;
    let group = '';
    evs.forEach((first, i) => {
      if (!(first.mask & 1)) return;
      let reached = 1;
      for (const e of evs.slice(i + 1)) {
        if (reached >= steps.length || e.t - first.t > DAY) break;
        if (e.mask & (1 << reached)) reached++;
      }
      if (reached > best) [best, group] = [reached, first.g];
    });
    if (best === 0) continue;
    const users = out.get(group) ?? steps.map(() => 0);
    for (let k = 0; k < best; k++) users[k]++;
    out.set(group, users);
  }
  return out;
}

function expectFunnel(body: any, steps: { event: string; filters?: Filter[] }[], groupBy?: string): void {
  const want = funnel(steps, groupBy);
  if (!groupBy && want.size === 0) want.set('', steps.map(() => 0));
  const got = new Map<string, number[]>();
  for (const r of records(body)) {
    const g = groupBy ? String(r[groupBy]) : '';
    got.set(g, [...(got.get(g) ?? []), r.users]);
    expect(r.event).toBe(steps[r.step - 1].event);
  }
  expect(got).toEqual(want);
}

/** Daily cohorts (UTC) of the first start event; period k: users returning k days later. */
function expectRetention(body: any, start: string, back: string, filters: Filter[] = []): void {
  const day = (t: number): number => Math.floor(t / DAY) * DAY;
  const firsts = new Map<string, number>();
  for (const e of select(start, filters)) if (e.user_id) firsts.set(e.user_id, Math.min(firsts.get(e.user_id) ?? Infinity, e.timestamp));
  const sizes = new Map<number, number>();
  const users = new Map<string, number>();
  for (const [u, t0] of firsts) {
    const cohort = day(t0);
    sizes.set(cohort, (sizes.get(cohort) ?? 0) + 1);
    const periods = new Set<number>();
    for (const e of select(back)) {
      if (e.user_id !== u) continue;
      const k = Math.round((day(e.timestamp) - cohort) / DAY);
      if (k > 0 || (k === 0 && e.timestamp >= t0)) periods.add(k);
    }
    for (const k of periods) users.set(`${cohort}|${k}`, (users.get(`${cohort}|${k}`) ?? 0) + 1);
  }
  const got = records(body);
  expect(new Set(got.map((r) => r.cohort))).toEqual(new Set(sizes.keys()));
  for (const r of got) {
    expect(r.cohort_size).toBe(sizes.get(r.cohort));
    expect(r.users).toBe(users.get(`${r.cohort}|${r.period}`) ?? 0);
  }
}

// ---- probes: one DSL input each ------------------------------------------------------------

interface Probe {
  name: string;
  /** JSON Pointers a refusal may name (prefixes). */
  at: string[];
  query(h: string): Record<string, unknown>;
  check(h: string, body: any): void;
}

const SERIES = { kind: 'timeseries', range: '24h', interval: '1h' } as const;
const OPS = ['eq', 'neq', 'in', 'not_in', 'gt', 'gte', 'lt', 'lte', 'contains', 'exists'];
const opValue = (op: string, h: string): Scalar | Scalar[] => (op === 'in' || op === 'not_in' ? [h] : h);
const FUNNEL = [{ event: 'visit' }, { event: 'cart' }, { event: 'buy' }];

const PROBES: Probe[] = [
  {
    name: 'timeseries event',
    at: ['/event'],
    query: (h) => ({ ...SERIES, event: h, aggregations: ['count', 'uniq_users'] }),
    check: (h, body) => expectSeries(body, select(h)),
  },
  {
    name: 'breakdown event',
    at: ['/event'],
    query: (h) => ({ kind: 'breakdown', event: h, group_by: ['tag'], range: '24h' }),
    check: (h, body) => expectBreakdown(body, select(h), ['tag']),
  },
  {
    name: 'measure',
    at: ['/measure'],
    query: (h) => ({ kind: 'breakdown', event: 'signup', measure: h, aggregations: ['count', 'sum'], group_by: ['plan'], range: '24h' }),
    check: (h, body) => {
      const evs = select('signup').filter((e) => numeric(e, h) !== null);
      expectBreakdown(body, evs, ['plan']);
      for (const r of records(body)) expect(r.sum).toBe(sum(evs.filter((e) => text(e, 'plan') === r.plan).map((e) => numeric(e, h) as number)));
    },
  },
  {
    name: 'filter property (eq)',
    at: ['/filters/0/property'],
    query: (h) => ({ ...SERIES, event: 'signup', filters: [{ property: h, op: 'eq', value: 'pro' }] }),
    check: (h, body) => expectSeries(body, select('signup', [{ property: h, op: 'eq', value: 'pro' }])),
  },
  {
    name: 'filter property (exists)',
    at: ['/filters/0/property'],
    query: (h) => ({ ...SERIES, event: 'signup', filters: [{ property: h, op: 'exists' }] }),
    check: (h, body) => expectSeries(body, select('signup', [{ property: h, op: 'exists' }])),
  },
  ...OPS.map<Probe>((op) => ({
    name: `filter value (${op})`,
    at: ['/filters/0/value'],
    query: (h) => ({ ...SERIES, event: 'signup', filters: [{ property: 'tag', op, value: opValue(op, h) }] }),
    check: (h, body) => expectSeries(body, select('signup', [{ property: 'tag', op, value: opValue(op, h) }])),
  })),
  ...['eq', 'neq', 'in', 'not_in'].map<Probe>((op) => ({
    name: `rollup dimension filter value (${op})`,
    at: ['/filters/0/value'],
    query: (h) => ({ kind: 'breakdown', event: 'order', measure: 'revenue', aggregations: ['sum', 'count'], group_by: ['payment_method'], range: '24h', filters: [{ property: 'category', op, value: opValue(op, h) }] }),
    check: (h, body) => {
      const evs = select('order', [{ property: 'category', op, value: opValue(op, h) }]);
      expectBreakdown(body, evs, ['payment_method'], (es) => sum(es.map((e) => e.properties.revenue as number)));
    },
  })),
  {
    name: 'group_by',
    at: ['/group_by/0'],
    query: (h) => ({ kind: 'breakdown', event: 'signup', group_by: [h], range: '24h' }),
    check: (h, body) => expectBreakdown(body, select('signup'), [h]),
  },
  {
    name: 'group_by (second)',
    at: ['/group_by'],
    query: (h) => ({ kind: 'breakdown', event: 'order', group_by: ['category', h], range: '24h', limit: 100 }),
    check: (h, body) => expectBreakdown(body, select('order'), ['category', h], undefined, 100),
  },
  {
    name: 'group_by on a rollup event',
    at: ['/group_by/0'],
    query: (h) => ({ kind: 'breakdown', event: 'order', group_by: [h], range: '24h', limit: 100 }),
    check: (h, body) => expectBreakdown(body, select('order'), [h], undefined, 100),
  },
  {
    name: 'array item group_by',
    at: ['/group_by/0'],
    query: (h) => ({ kind: 'breakdown', event: 'order', group_by: [`items[].${h}`], range: '24h', limit: 100 }),
    check: (h, body) => expectBreakdown(body, expand(select('order'), 'items'), [`items[].${h}`], undefined, 100),
  },
  {
    name: 'array name',
    at: ['/group_by/0'],
    query: (h) => ({ kind: 'breakdown', event: 'order', group_by: [`${h}[].product_id`], range: '24h', limit: 100 }),
    check: (h, body) => expectBreakdown(body, expand(select('order'), h), [`${h}[].product_id`], undefined, 100),
  },
  ...['eq', 'not_in', 'exists'].map<Probe>((op) => ({
    name: `array item filter (${op})`,
    at: ['/filters/0/value'],
    query: (h) => ({ ...SERIES, event: 'order', filters: [{ property: 'items[].product_id', op, value: opValue(op, h) }] }),
    check: (h, body) => expectSeries(body, expand(select('order'), 'items').filter((e) => matches(e, { property: 'items[].product_id', op, value: opValue(op, h) }))),
  })),
  {
    name: 'array item filter property',
    at: ['/filters/0/property'],
    query: (h) => ({ kind: 'breakdown', event: 'order', group_by: ['items[].product_id'], range: '24h', limit: 100, filters: [{ property: `items[].${h}`, op: 'exists', value: false }] }),
    check: (h, body) => expectBreakdown(body, expand(select('order'), 'items').filter((e) => matches(e, { property: `items[].${h}`, op: 'exists', value: false })), ['items[].product_id'], undefined, 100),
  },
  {
    name: 'timezone',
    at: ['/timezone'],
    query: (h) => ({ ...SERIES, interval: '1d', event: 'signup', timezone: h }),
    check: (_h, body) => expect(sum(records(body).map((r) => r.count))).toBe(select('signup').length),
  },
  {
    name: 'from',
    at: ['/from'],
    query: (h) => ({ kind: 'timeseries', event: 'signup', interval: '1h', from: h, to: new Date(now + HOUR).toISOString() }),
    check: () => expect.unreachable('a string that is not an instant was accepted as from'),
  },
  {
    name: 'to (after a valid instant)',
    at: ['/to'],
    query: (h) => ({ kind: 'timeseries', event: 'signup', interval: '1h', from: new Date(now - DAY).toISOString(), to: `${new Date(now + HOUR).toISOString()}${h}` }),
    check: (h, body) => {
      expect(h).toBe('');
      expect(sum(records(body).map((r) => r.count))).toBe(select('signup').length);
    },
  },
  { name: 'range', at: ['/range'], query: (h) => ({ ...SERIES, event: 'signup', range: h }), check: () => expect.unreachable('range is an enum') },
  { name: 'interval', at: ['/interval'], query: (h) => ({ ...SERIES, event: 'signup', interval: h }), check: () => expect.unreachable('interval is an enum') },
  { name: 'kind', at: ['/kind'], query: (h) => ({ ...SERIES, event: 'signup', kind: h }), check: () => expect.unreachable('kind is an enum') },
  {
    name: 'funnel step event',
    at: ['/steps/1/event'],
    query: (h) => ({ kind: 'funnel', steps: [{ event: 'visit' }, { event: h }, { event: 'buy' }], range: '24h' }),
    check: (h, body) => expectFunnel(body, [{ event: 'visit' }, { event: h }, { event: 'buy' }]),
  },
  {
    name: 'funnel first step event',
    at: ['/steps/0/event'],
    query: (h) => ({ kind: 'funnel', steps: [{ event: h }, { event: 'cart' }], range: '24h' }),
    check: (h, body) => expectFunnel(body, [{ event: h }, { event: 'cart' }]),
  },
  ...['eq', 'in'].map<Probe>((op) => ({
    name: `funnel step filter value (${op})`,
    at: ['/steps/0/filters/0/value'],
    query: (h) => ({ kind: 'funnel', steps: [{ event: 'visit', filters: [{ property: 'tag', op, value: opValue(op, h) }] }, ...FUNNEL.slice(1)], range: '24h' }),
    check: (h, body) => expectFunnel(body, [{ event: 'visit', filters: [{ property: 'tag', op, value: opValue(op, h) }] }, ...FUNNEL.slice(1)]),
  })),
  {
    name: 'funnel step filter property',
    at: ['/steps/1/filters/0/property'],
    query: (h) => ({ kind: 'funnel', steps: [FUNNEL[0], { event: 'cart', filters: [{ property: h, op: 'exists', value: false }] }, FUNNEL[2]], range: '24h' }),
    check: (h, body) => expectFunnel(body, [FUNNEL[0], { event: 'cart', filters: [{ property: h, op: 'exists', value: false }] }, FUNNEL[2]]),
  },
  {
    name: 'funnel group_by',
    at: ['/group_by/0'],
    query: (h) => ({ kind: 'funnel', steps: FUNNEL, group_by: [h], range: '24h' }),
    check: (h, body) => expectFunnel(body, FUNNEL, h),
  },
  { name: 'funnel window', at: ['/window'], query: (h) => ({ kind: 'funnel', steps: FUNNEL, window: h, range: '24h' }), check: () => expect.unreachable('window has a pattern') },
  {
    name: 'retention start_event',
    at: ['/start_event'],
    query: (h) => ({ kind: 'retention', start_event: h, return_event: 'visit', range: '7d' }),
    check: (h, body) => expectRetention(body, h, 'visit'),
  },
  {
    name: 'retention return_event',
    at: ['/return_event'],
    query: (h) => ({ kind: 'retention', start_event: 'signup', return_event: h, range: '7d' }),
    check: (h, body) => expectRetention(body, 'signup', h),
  },
  {
    name: 'retention filter value',
    at: ['/filters/0/value'],
    query: (h) => ({ kind: 'retention', start_event: 'signup', return_event: 'visit', range: '7d', filters: [{ property: 'tag', op: 'neq', value: h }] }),
    check: (h, body) => expectRetention(body, 'signup', 'visit', [{ property: 'tag', op: 'neq', value: h }]),
  },
  {
    name: 'events event',
    at: ['/event'],
    query: (h) => ({ kind: 'events', event: h, range: '24h' }),
    check: (h, body) => expectEvents(body, select(h)),
  },
  {
    name: 'events filter value',
    at: ['/filters/0/value'],
    query: (h) => ({ kind: 'events', event: 'signup', range: '24h', filters: [{ property: 'tag', op: 'gte', value: h }] }),
    check: (h, body) => expectEvents(body, select('signup', [{ property: 'tag', op: 'gte', value: h }])),
  },
  {
    name: 'events properties',
    at: ['/properties/1'],
    query: (h) => ({ kind: 'events', event: 'signup', range: '24h', properties: ['plan', h] }),
    check: (h, body) => {
      expectEvents(body, select('signup'));
      const byId = new Map(eventsA.map((e) => [e.event_id, e]));
      for (const r of records(body)) {
        const e = byId.get(r.event_id) as Ev;
        expect(r.plan).toBe(e.properties.plan);
        expect(r[h]).toBe(COLUMNS.includes(h) ? null : (e.properties[h] ?? null));
      }
    },
  },
  {
    name: 'events cursor',
    at: ['/cursor'],
    query: (h) => ({ kind: 'events', event: 'signup', range: '24h', cursor: h }),
    check: (h, body) => {
      // An empty cursor is no cursor: the first page.
      expect(h).toBe('');
      expectEvents(body, select('signup'));
    },
  },
  {
    name: 'events cursor (forged id)',
    at: ['/cursor'],
    query: (h) => ({ kind: 'events', event: 'signup', range: '24h', cursor: Buffer.from(JSON.stringify([now, h])).toString('base64url') }),
    check: () => expect.unreachable('a cursor whose id is not a UUID was accepted'),
  },
];

// ---- the running instance ----------------------------------------------------------------

let s: InProcess;
let writeB: string;
let readB: string;
let jwtA: string;
let jwtB: string;

const jwt = (sub: string, projects: string[], role = 'analyst'): Promise<string> =>
  new SignJWT({ role, projects }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setIssuedAt().setExpirationTime('1h').sign(new TextEncoder().encode(SECRET));

async function get(path: string, key: string, params: Record<string, string> = {}): Promise<QueryAnswer> {
  const res = await fetch(`${s.queryUrl}${path}?${new URLSearchParams(params)}`, { headers: { authorization: `Bearer ${key}` } });
  const t = await res.text();
  let body: unknown = t;
  try {
    body = JSON.parse(t);
  } catch {
    // kept as text
  }
  return { status: res.status, body, headers: res.headers };
}

/**
 * What is wrong with an answer to a probe, or null: a value of B anywhere; a refusal that is
 * not a 400 naming the probe's input (or a 413 for a body over the bound); an answer that is
 * not A's own.
 */
function judge(probe: Probe, h: string, r: QueryAnswer, check: () => void, overBound = false): string | null {
  try {
    expect(JSON.stringify(r.body), 'a value only B holds').not.toMatch(B_MARK);
    if (r.status === 400) {
      expect(r.body.error.code).toBe('SLUICE_E_BAD_QUERY');
      const paths: string[] = r.body.error.problems.map((p: { path: string }) => p.path);
      expect(paths.some((p) => probe.at.some((a) => p.startsWith(a))), `problems ${JSON.stringify(paths)} name ${probe.at}`).toBe(true);
      expect(r.body.error.message).toContain(paths[0] || '/');
    } else if (r.status === 413 && overBound) {
      expect(r.body.error.code).toBe('SLUICE_E_BODY_TOO_LARGE');
    } else {
      expect(r.status).toBe(200);
      check();
    }
    return null;
  } catch (err) {
    return `${probe.name} = ${show(h)}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}\n    ${(err as Error).message.split('\n').slice(0, 6).join('\n    ')}`;
  }
}

/** Runs `work` over `items`, `n` at a time. */
async function pool<T>(items: T[], n: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) await work(items[next++]);
  }));
}

const show = (h: string): string => JSON.stringify(h.length > 40 ? `${h.slice(0, 40)}…(${h.length})` : h);

beforeAll(async () => {
  s = await startInProcess({ jwtSecret: SECRET, queryRateLimit: '0', liveIntervalMs: '500ms' });
  writeB = await createProjectWithKey(s.queryUrl, B);
  const res = await fetch(`${s.queryUrl}/api/v1/admin/keys`, {
    method: 'POST',
    headers: { authorization: 'Bearer test-admin-token', 'content-type': 'application/json' },
    body: JSON.stringify({ project: B, kind: 'read' }),
  });
  expect(res.status).toBe(201);
  readB = ((await res.json()) as { key: string }).key;
  jwtA = await jwt('analyst-of-a', [A]);
  jwtB = await jwt('analyst-of-b', [B]);
  await ingestAll(s, s.writeKey, eventsA);
  await ingestAll(s, writeB, eventsB);
});
afterAll(async () => {
  await s?.stop();
});

describe('tenant isolation of POST /api/v1/query', () => {
  it('B sees its own markers through the same queries (the checks below can fail)', async () => {
    for (const key of [readB, jwtB]) {
      const plans = await ask(s.queryUrl, key, { kind: 'breakdown', event: 'signup', group_by: ['plan'], range: '24h' });
      expect(plans.status).toBe(200);
      expect(JSON.stringify(plans.body)).toMatch(B_MARK);
      const rows = await ask(s.queryUrl, key, { kind: 'events', event: 'signup', range: '24h' });
      expect(rows.body.rows).toHaveLength(eventsB.filter((e) => e.event === 'signup').length);
      const series = await ask(s.queryUrl, key, { ...SERIES, event: "') OR 1=1 --" });
      expect(sum(records(series.body).map((r) => r.count))).toBe(2);
    }
    // The same questions asked as A answer A's numbers.
    const series = await ask(s.queryUrl, s.readKey, { ...SERIES, event: "') OR 1=1 --" });
    expect(sum(records(series.body).map((r) => r.count))).toBe(1);
  });

  for (const who of ['read key', 'JWT'] as const) {
    it(`with A's ${who}, every hostile string in every DSL input answers a 400 naming it or A's own numbers`, async () => {
      const key = who === 'read key' ? s.readKey : jwtA;
      // The SQL depends on the caller only through its project: the JWT run takes the strings
      // that try hardest to reach outside it.
      const strings = who === 'read key' ? HOSTILE : SHARP;
      const failures: string[] = [];
      const reached = new Map<string, number>();
      await pool(PROBES.flatMap((probe) => strings.map((h) => ({ probe, h }))), 2, async ({ probe, h }) => {
        const query = probe.query(h);
        const r = await ask(s.queryUrl, key, query);
        if (r.status === 200) reached.set(probe.name, (reached.get(probe.name) ?? 0) + 1);
        const failure = judge(probe, h, r, () => probe.check(h, r.body), Buffer.byteLength(JSON.stringify(query)) > MAX_BODY);
        if (failure) failures.push(failure);
      });
      expect(failures, failures.join('\n')).toEqual([]);
      // Every probe that takes free text reached ClickHouse with some of the hostile strings.
      const free = PROBES.filter((p) => !['from', 'range', 'interval', 'kind', 'funnel window', 'events cursor', 'events cursor (forged id)', 'timezone'].includes(p.name) && !p.name.endsWith('(exists)'));
      if (who === 'read key') for (const p of free) expect(reached.get(p.name) ?? 0, p.name).toBeGreaterThan(0);
    });
  }

  it('a forged cursor (a B event id, a far-future instant) pages through A\'s events only', async () => {
    const signupsA = select('signup');
    const b = eventsB.filter((e) => e.event === 'signup')[4];
    for (const [t, id] of [
      [b.timestamp + 1, b.event_id],
      [Number.MAX_SAFE_INTEGER, b.event_id],
      [Number.MAX_SAFE_INTEGER, '00000000-0000-0000-0000-000000000000'],
      [0, 'ffffffff-ffff-ffff-ffff-ffffffffffff'],
    ] as const) {
      for (const extra of [[], [B], [{ project: B }]]) {
        const cursor = Buffer.from(JSON.stringify([t, id, ...extra])).toString('base64url');
        const r = await ask(s.queryUrl, s.readKey, { kind: 'events', event: 'signup', range: '24h', cursor });
        expect(r.status, JSON.stringify(r.body)).toBe(200);
        expectEvents(r.body, signupsA.filter((e) => e.timestamp < t));
      }
    }
    for (const forged of [{ t: now, id: b.event_id, project: B }, [String(now), b.event_id], [now + 0.5, b.event_id], [now, `${b.event_id}' OR 1=1 --`]]) {
      const cursor = Buffer.from(JSON.stringify(forged)).toString('base64url');
      const r = await ask(s.queryUrl, s.readKey, { kind: 'events', event: 'signup', range: '24h', cursor });
      expect(r.status, JSON.stringify(forged)).toBe(400);
      expect(r.body.error.problems).toEqual([{ path: '/cursor', message: expect.any(String) }]);
    }
  });

  it('?project=B with A\'s read key or A\'s JWT is a 403 naming the project; hostile ?project= is refused', async () => {
    for (const key of [s.readKey, jwtA]) {
      const r = await ask(s.queryUrl, key, { ...SERIES, event: 'signup' }, `/api/v1/query?project=${B}`);
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe('SLUICE_E_FORBIDDEN');
      expect(r.body.error.message).toContain(`"${B}"`);
      expect(JSON.stringify(r.body)).not.toMatch(B_MARK);
      for (const h of HOSTILE.filter((x) => x !== '' && x.length < 2000)) {
        const q = await ask(s.queryUrl, key, { ...SERIES, event: 'signup' }, `/api/v1/query?${new URLSearchParams({ project: h })}`);
        expect([400, 403, 404], `?project=${show(h)}: ${JSON.stringify(q.body)}`).toContain(q.status);
      }
    }
    // The project named twice: any B in the query string refuses.
    const twice = await ask(s.queryUrl, s.readKey, { ...SERIES, event: 'signup' }, `/api/v1/query?project=${A}&project=${B}`);
    expect(twice.status === 403 || (twice.status === 200 && sum(records(twice.body).map((r) => r.count)) === select('signup').length), JSON.stringify(twice.body)).toBe(true);
    // A JWT listing only A, asking for B: refused even with the analyst role or above.
    for (const role of ['analyst', 'admin']) {
      const r = await ask(s.queryUrl, await jwt(`${role}-of-a`, [A], role), { ...SERIES, event: 'signup' }, `/api/v1/query?project=${B}`);
      expect(r.status).toBe(403);
      expect(r.body.error.message).toContain(`"${B}"`);
    }
  });
});

describe('tenant isolation of the meta endpoints', () => {
  const signupPropsA = new Set(select('signup').flatMap((e) => Object.keys(e.properties)));

  it('B sees its own markers in meta (the checks below can fail)', async () => {
    const events = await get('/api/v1/meta/events', readB);
    expect(JSON.stringify(events.body)).toMatch(B_MARK);
    const values = await get('/api/v1/meta/values', readB, { event: 'order', property: 'category' });
    expect(values.body.values).toContain('zz-b-only-cat');
  });

  it('with A\'s key, hostile meta parameters answer a 400 or A\'s own names and values', async () => {
    const failures: string[] = [];
    for (const key of [s.readKey, jwtA]) {
      const base = await get('/api/v1/meta/events', key);
      expect(base.status).toBe(200);
      for (const e of base.body.events as { name: string; count: number }[]) {
        if (e.count > 0) expect(e.count, e.name).toBe(eventsA.filter((x) => x.event === e.name).length);
      }
      for (const h of HOSTILE.filter((x) => x.length < 2000)) {
        const calls: [string, Record<string, string>][] = [
          ['/api/v1/meta/events', { days: h }],
          ['/api/v1/meta/properties', { event: h }],
          ['/api/v1/meta/properties', { event: 'signup', days: h }],
          ['/api/v1/meta/values', { event: 'signup', property: h }],
          ['/api/v1/meta/values', { event: h, property: 'tag' }],
          ['/api/v1/meta/values', { event: 'order', property: 'category', prefix: h }],
          ['/api/v1/meta/values', { event: 'signup', property: 'plan', prefix: h, limit: h }],
          ['/api/v1/meta/events', { project: h }],
        ];
        for (const [path, params] of calls) {
          const r = await get(path, key, params);
          const where = `${path} ${JSON.stringify(params).slice(0, 120)}`;
          try {
            expect(JSON.stringify(r.body)).not.toMatch(B_MARK);
            if (r.status !== 200) {
              expect([400, 403, 404]).toContain(r.status);
              expect(r.body.error.message.length).toBeGreaterThan(0);
              continue;
            }
            if (path.endsWith('/properties') && params.event === 'signup') {
              for (const p of r.body.properties as { name: string; events_estimate: number }[]) if (p.events_estimate > 0) expect(signupPropsA).toContain(p.name);
            }
            if (path.endsWith('/values')) {
              const own = new Set(eventsA.filter((e) => e.event === params.event).map((e) => text(e, params.property)));
              for (const v of r.body.values as string[]) expect(own).toContain(v);
              if (params.prefix) for (const v of r.body.values as string[]) expect(v.startsWith(params.prefix)).toBe(true);
            }
          } catch (err) {
            failures.push(`${where}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}\n    ${(err as Error).message.split('\n')[0]}`);
          }
        }
      }
    }
    expect(failures, failures.join('\n')).toEqual([]);
  });

  it('meta with ?project=B and A\'s key or JWT is a 403', async () => {
    for (const key of [s.readKey, jwtA]) {
      for (const path of ['/api/v1/meta/events', '/api/v1/meta/properties', '/api/v1/meta/values']) {
        const r = await get(path, key, { project: B, event: 'order', property: 'category' });
        expect(r.status, path).toBe(403);
        expect(r.body.error.code).toBe('SLUICE_E_FORBIDDEN');
        expect(JSON.stringify(r.body)).not.toMatch(B_MARK);
      }
    }
  });
});

describe('tenant isolation of the export', () => {
  /** The A events a kind-events probe exports, in time order (the export streams the whole range; it takes no cursor). */
  const EXPORTED: Record<string, (h: string) => Ev[]> = {
    'events event': (h) => select(h),
    'events filter value': (h) => select('signup', [{ property: 'tag', op: 'gte', value: h }]),
    'events properties': () => select('signup'),
    'events cursor': () => select('signup'),
    'events cursor (forged id)': () => select('signup'),
  };

  async function exportAs(key: string, query: Record<string, unknown>, method: 'GET' | 'POST'): Promise<QueryAnswer & { lines: Record<string, unknown>[] }> {
    const res =
      method === 'GET'
        ? await fetch(`${s.queryUrl}/api/v1/export?${new URLSearchParams({ format: 'ndjson', query: JSON.stringify(query) })}`, { headers: { authorization: `Bearer ${key}` } })
        : await fetch(`${s.queryUrl}/api/v1/export`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ ...query, format: 'ndjson' }) });
    const text = await res.text();
    if (res.status !== 200) return { status: res.status, body: JSON.parse(text), headers: res.headers, lines: [] };
    return { status: 200, body: text, headers: res.headers, lines: text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
  }

  /** An exported answer (one object per row) back into the answer's shape. */
  const asAnswer = (lines: Record<string, unknown>[]) => ({ columns: Object.keys(lines[0] ?? {}).map((name) => ({ name })), rows: lines.map((l) => Object.values(l)) });

  it('B exports its own markers (the checks below can fail)', async () => {
    const r = await exportAs(readB, { kind: 'events', event: 'signup', range: '24h' }, 'GET');
    expect(r.lines).toHaveLength(eventsB.filter((e) => e.event === 'signup').length);
    expect(r.body).toMatch(B_MARK);
  });

  it("with A's read key, hostile fields export a 400 naming them or A's own rows", async () => {
    const failures: string[] = [];
    // The JWT caller's export is the next-but-one test: the rows depend on the caller only through its project.
    for (const [key, method] of [[s.readKey, 'GET'], [s.readKey, 'POST']] as const) {
      // Property filters on exported events are the test after this one.
      const exportable = PROBES.filter((p) => p.name !== 'events filter value');
      const probes = method === 'GET' ? exportable : exportable.filter((p) => p.name in EXPORTED || p.name.startsWith('filter value'));
      for (const probe of probes) {
        for (const h of SHARP) {
          const r = await exportAs(key, probe.query(h), method);
          const events = EXPORTED[probe.name];
          const failure = judge(probe, h, r, () => {
            if (!events) return probe.check(h, asAnswer(r.lines));
            expect(r.lines.map((l) => l.event_id)).toEqual([...events(h)].sort((x, y) => x.timestamp - y.timestamp).map((e) => e.event_id));
            const plans = new Map(eventsA.map((e) => [e.event_id, e.properties.plan]));
            if (probe.name === 'events properties') for (const l of r.lines) expect(l['properties.plan']).toBe(plans.get(l.event_id as string));
          });
          if (failure) failures.push(`${method} ${failure}`);
        }
      }
    }
    expect(failures, failures.join('\n')).toEqual([]);
  });

  // Defect: the events export selects `toJSONString(properties) AS properties`, and that alias
  // shadows the column in WHERE, so any property filter fails with a 502 ("There is no subcolumn
  // tag in type String"). Nothing of B shows; the filter just does not work.
  it("a kind-events export with a property filter exports A's matching rows", async () => {
    const plain = await exportAs(s.readKey, { kind: 'events', event: 'signup', range: '24h', filters: [{ property: 'plan', op: 'eq', value: 'pro' }] }, 'GET');
    expect(plain.status, JSON.stringify(plain.body).slice(0, 300)).toBe(200);
    expect(plain.lines.map((l) => l.event_id)).toEqual(select('signup', [{ property: 'plan', op: 'eq', value: 'pro' }]).map((e) => e.event_id));
    const probe = PROBES.find((p) => p.name === 'events filter value') as Probe;
    const failures: string[] = [];
    for (const h of SHARP) {
      const r = await exportAs(s.readKey, probe.query(h), 'GET');
      const failure = judge(probe, h, r, () => expect(r.lines.map((l) => l.event_id)).toEqual(EXPORTED[probe.name](h).map((e) => e.event_id)));
      if (failure) failures.push(failure);
    }
    expect(failures, failures.join('\n')).toEqual([]);
  });

  it("?project=B with A's key or JWT is a 403; CSV of A's events holds none of B", async () => {
    const ndjson = await exportAs(jwtA, { kind: 'events', range: '24h' }, 'GET');
    expect(new Set(ndjson.lines.map((l) => l.event_id))).toEqual(idsA);
    for (const key of [s.readKey, jwtA]) {
      const r = await fetch(`${s.queryUrl}/api/v1/export?format=csv&event=signup&range=24h&project=${B}`, { headers: { authorization: `Bearer ${key}` } });
      expect(r.status).toBe(403);
      expect(await r.text()).not.toMatch(B_MARK);
      const csv = await fetch(`${s.queryUrl}/api/v1/export?format=csv&range=24h`, { headers: { authorization: `Bearer ${key}` } });
      expect(csv.status).toBe(200);
      const text = await csv.text();
      expect(text).not.toMatch(B_MARK);
      // Every A event of the range, and no B event.
      for (const e of eventsA) expect(text).toContain(e.event_id);
      for (const e of eventsB) expect(text).not.toContain(e.event_id);
    }
  });
});

describe('tenant isolation of the dashboard summary', () => {
  it("A's summary shows A's orders and none of B; B's shows its own; hostile parameters are refused", async () => {
    const b = await get('/api/v1/dashboard/summary', readB, { sections: 'business' });
    expect(b.status).toBe(200);
    expect(JSON.stringify(b.body)).toMatch(B_MARK);
    const orders = select('order');
    for (const key of [s.readKey, jwtA]) {
      const a = await get('/api/v1/dashboard/summary', key, { sections: 'business,health,ml,support' });
      expect(a.status, JSON.stringify(a.body).slice(0, 300)).toBe(200);
      expect(JSON.stringify(a.body)).not.toMatch(B_MARK);
      expect(a.body.sections.business.orders.value).toBe(orders.length);
      expect(a.body.sections.business.revenue.value).toBe(sum(orders.map((e) => e.properties.revenue as number)));
      for (const h of SHARP) {
        for (const param of ['sections', 'range', 'timezone', 'compare', 'project']) {
          const r = await get('/api/v1/dashboard/summary', key, { [param]: h });
          expect([400, 403, 404], `${param}=${show(h)}: ${JSON.stringify(r.body)}`).toContain(r.status);
          expect(JSON.stringify(r.body)).not.toMatch(B_MARK);
        }
      }
      const other = await get('/api/v1/dashboard/summary', key, { project: B });
      expect(other.status).toBe(403);
    }
  });
});

describe('tenant isolation of live subscriptions', () => {
  interface Frame {
    type: 'result' | 'error';
    id: string | null;
    answer?: any;
    error?: { code: keyof typeof ERRORS; message: string; problems?: { path: string }[] };
  }
  const liveUrl = (query = ''): string => `${s.queryUrl.replace(/^http/, 'ws')}/api/v1/live${query}`;
  const frames = (c: WsClient, id: string): Frame[] => (c.acks as unknown as Frame[]).filter((f) => f.id === id);
  const total = (f: Frame): number => sum(records(f.answer).map((r) => r.count));
  const open: WsClient[] = [];
  const connect = async (query = '', key?: string): Promise<WsClient> => {
    const c = await connectWs(liveUrl(query), key ? { authorization: `Bearer ${key}` } : {});
    open.push(c);
    return c;
  };
  afterAll(async () => {
    for (const c of open) await c.close();
  });

  it("?project=B with A's key (header or ?key=) or A's JWT is refused at the upgrade", async () => {
    for (const [query, key] of [[`?project=${B}`, s.readKey], [`?key=${s.readKey}&project=${B}`, undefined], [`?project=${B}`, jwtA], [`?token=${jwtA}&project=${B}`, undefined]] as const) {
      const refused = await connect(query, key).then(
        () => null,
        (err: { status?: number; body?: string }) => err,
      );
      expect(refused?.status, query).toBe(403);
      expect(JSON.parse(refused?.body ?? '{}').error.message).toContain(`"${B}"`);
    }
  });

  it("hostile subscriptions answer an error naming the input or A's own numbers", async () => {
    const failures: string[] = [];
    let n = 0;
    // A's JWT subscribes too (the next test): answers depend on the caller only through its project.
    for (const key of [s.readKey]) {
      const c = await connect('', key);
      for (const probe of PROBES) {
        for (const h of SHARP) {
          const id = `s${n++}`;
          c.send({ type: 'subscribe', id, query: probe.query(h) });
          const f = await until(() => frames(c, id)[0], `an answer to subscription ${id} (${probe.name})`, 30_000, 10);
          if (f.type === 'result') c.send({ type: 'unsubscribe', id });
          const r: QueryAnswer = f.type === 'result' ? { status: 200, body: f.answer, headers: new Headers() } : { status: f.error ? ERRORS[f.error.code].status : 0, body: f, headers: new Headers() };
          const failure = judge(probe, h, r, () => probe.check(h, f.answer));
          if (failure) failures.push(failure);
        }
      }
    }
    expect(failures, failures.join('\n')).toEqual([]);
  });

  it("B's events neither wake nor reach A's subscription to the same query", async () => {
    const a = await connect('', jwtA);
    const b = await connect(`?key=${readB}`);
    const query = { kind: 'timeseries', event: 'live_ping', range: '24h', interval: '1h' };
    a.send({ type: 'subscribe', id: 'ping', query, interval: '500ms' });
    b.send({ type: 'subscribe', id: 'ping', query, interval: '500ms' });
    await until(() => frames(a, 'ping').length > 0 && frames(b, 'ping').length > 0, 'first answers');
    expect(frames(a, 'ping').map(total)).toEqual([0]);
    const ping = (n: number, marker: boolean) => Array.from({ length: n }, () => ({ event: 'live_ping', user_id: marker ? 'zz-b-only-pinger' : 'a1', properties: marker ? { zz_b_only_prop: 'zz-b-only-val' } : {} }));
    await ingestAll(s, writeB, ping(3, true));
    await until(() => frames(b, 'ping').some((f) => total(f) === 3), "B's answer after B's events");
    await ingestAll(s, s.writeKey, ping(1, false));
    await until(() => frames(a, 'ping').some((f) => total(f) === 1), "A's answer after A's event");
    // Exactly one answer for A's event and none for B's.
    expect(frames(a, 'ping').map(total)).toEqual([0, 1]);
    expect(JSON.stringify(a.acks)).not.toMatch(B_MARK);
    expect(frames(a, 'ping').every((f) => f.type === 'result')).toBe(true);
  });
});
