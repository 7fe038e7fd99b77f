// GET /api/v1/dashboard/summary: the figures of the provisioned dashboards (system health,
// business, ML pipelines, support, alerts) in one answer. Every figure is a DSL query run through the
// query service, so it shares validation, the cache, the choice of table and the limits of
// POST /api/v1/query. docs/api.md describes the answer.
import type { TemplatedApp } from 'uWebSockets.js';
import { SluiceError } from '../core/errors.js';
import { activeAlerts } from './alerts/routes.js';
import { AlertStore } from './alerts/store.js';
import { SEVERITIES } from './alerts/types.js';
import { ROLES } from './auth.js';
import type { QueryDeps } from './deps.js';
import { route } from './route.js';
import { isZone, nextBucket, relativeRange } from './time-range.js';
import { RANGES, type Answer, type Interval, type Query, type Role } from './types.js';

type Range = (typeof RANGES)[number];
type Compare = NonNullable<Query['compare']>;

/** Sections and the least role that may read each. */
const SECTIONS = { health: 'analyst', business: 'viewer', ml: 'analyst', support: 'analyst', alerts: 'analyst' } as const satisfies Record<string, Role>;
type Section = keyof typeof SECTIONS;
const SECTION_NAMES = Object.keys(SECTIONS) as Section[];
const COMPARES: readonly Compare[] = ['previous_period', 'previous_year'];
const HOUR = 3_600_000;

/** Bucket width of the request-rate series per range: a few hundred points at most. */
const SERIES_INTERVAL: Record<Range, Interval> = { '1h': '1m', '24h': '5m', '7d': '1h', '30d': '1h', '90d': '1d', '1y': '1d' };

/** The resolved range every query of one summary reads. */
interface Window {
  range: Range;
  from: number;
  to: number;
  tz: string;
  compare: Compare;
  /** When the summary was asked: the series ends here, and rates count minutes up to it. */
  now: number;
}

/** Runs one DSL query over the summary's range. */
type Run = (query: Query) => Promise<Answer>;
type Row = Record<string, unknown>;

const bad = (message: string): SluiceError => new SluiceError('SLUICE_E_BAD_REQUEST', message);

function parseSections(raw: string | null, role: Role): Section[] {
  const mayRead = (s: Section): boolean => ROLES.indexOf(role) >= ROLES.indexOf(SECTIONS[s]);
  if (raw === null) return SECTION_NAMES.filter(mayRead);
  const names = [...new Set(raw.split(',').map((s) => s.trim()).filter(Boolean))];
  if (names.length === 0) throw bad(`?sections= names no section; known: ${SECTION_NAMES.join(', ')}`);
  const unknown = names.filter((n) => !(SECTION_NAMES as string[]).includes(n));
  if (unknown.length > 0) throw bad(`Unknown dashboard section${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => JSON.stringify(n.slice(0, 64))).join(', ')}; known: ${SECTION_NAMES.join(', ')}`);
  const refused = (names as Section[]).filter((s) => !mayRead(s));
  if (refused.length > 0) {
    throw new SluiceError('SLUICE_E_FORBIDDEN', `Reading the dashboard section${refused.length > 1 ? 's' : ''} ${refused.join(', ')} needs role analyst or above; this caller has role ${role}`);
  }
  return names as Section[];
}

function parseWindow(params: URLSearchParams, now: number): Window {
  const range = (params.get('range') ?? '24h') as Range;
  if (!RANGES.includes(range)) throw bad(`?range= must be one of ${RANGES.join(', ')}`);
  const tz = params.get('timezone') ?? 'UTC';
  if (!isZone(tz)) throw bad(`?timezone=${JSON.stringify(tz.slice(0, 64))} is not an IANA time zone (e.g. UTC, Europe/Berlin, America/New_York)`);
  const compare = (params.get('compare') ?? 'previous_period') as Compare;
  if (!COMPARES.includes(compare)) throw bad(`?compare= must be one of ${COMPARES.join(', ')}`);
  // Resolved once, so that every query reads the same whole hours (whole minutes for 1h), the
  // edges a rollup answers exactly.
  const { from, to } = relativeRange(range, now, undefined, tz);
  return { range, from, to, tz, compare, now };
}

// Reading answers.

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);
/** Relative change, as the DSL's `_change` columns: null when there is nothing to compare with. */
const change = (value: number | null, previous: number | null): number | null => (value === null || previous === null || previous === 0 ? null : (value - previous) / Math.abs(previous));
const figure = (value: number | null, previous: number | null) => ({ value, previous, change: change(value, previous) });

function records(a: Answer): Row[] {
  return a.rows.map((row) => Object.fromEntries(a.columns.map((c, i) => [c.name, row[i]])));
}

function total(a: Answer, column: string): number {
  return records(a).reduce((sum, r) => sum + (num(r[column]) ?? 0), 0);
}

/** The answer's rows with columns renamed for the dashboard (unlisted columns left out). */
function table(a: Answer, names: Record<string, string>): Row[] {
  return records(a).map((r) => Object.fromEntries(Object.entries(names).map(([column, name]) => [name, typeof r[column] === 'string' ? r[column] : num(r[column])])));
}

/** The one row of an answer without groups or buckets (kind percentiles). */
function single(a: Answer, names: string[]): Record<string, number | null> {
  const r = records(a)[0] ?? {};
  return Object.fromEntries(names.map((n) => [n, num(r[n])]));
}

/**
 * Figures over the whole range, summed from buckets. They do not depend on the time zone, so the
 * buckets are UTC hours, which the hour rollup answers in every zone (a zone with a half-hour
 * offset would put local hours off the rollup's hours); minutes when the range is whole minutes
 * only (1h), since a comparison matches buckets only when the range is a whole number of them.
 */
const totals = (w: Window, q: Omit<Query, 'kind'>): Query => ({ kind: 'timeseries', interval: w.from % HOUR === 0 && w.to % HOUR === 0 ? '1h' : '1m', timezone: 'UTC', ...q });

// Sections. Each runs its queries concurrently.

async function health(run: Run, w: Window) {
  const interval = SERIES_INTERVAL[w.range];
  const [series, classes, errors, latency, endpoints] = await Promise.all([
    run({ kind: 'timeseries', event: 'api_request', aggregations: ['count'], interval, timezone: w.tz }),
    // Counts by a derived dimension come from the duration rollup: every api_request carries duration_ms.
    run({ kind: 'breakdown', event: 'api_request', aggregations: ['count'], group_by: ['status_class'], limit: 10 }),
    run(totals(w, { event: 'error', aggregations: ['count'] })),
    run({ kind: 'percentiles', event: 'api_request', measure: 'duration_ms', aggregations: ['p50', 'p95', 'p99'] }),
    run({ kind: 'breakdown', event: 'api_request', measure: 'duration_ms', aggregations: ['count', 'p50', 'p95', 'p99'], group_by: ['endpoint'], limit: 10 }),
  ]);
  const end = Math.min(w.to, w.now);
  const minutes = Math.max(0, end - w.from) / 60_000;
  const points = records(series)
    .filter((r) => Number(r.time) < end)
    .map((r) => {
      const start = Number(r.time);
      const covered = (Math.min(nextBucket(start, interval, w.tz), end) - Math.max(start, w.from)) / 60_000;
      const requests = num(r.count) ?? 0;
      return { time: start, requests, per_minute: covered > 0 ? requests / covered : null };
    });
  const requests = total(series, 'count');
  const byClass = table(classes, { status_class: 'status_class', count: 'requests' });
  const classified = byClass.reduce((sum, r) => sum + Number(r.requests), 0);
  const serverErrors = byClass.filter((r) => r.status_class === '5xx').reduce((sum, r) => sum + Number(r.requests), 0);
  return {
    requests: { total: requests, minutes, per_minute: ratio(requests, minutes), interval, series: points },
    errors: {
      server_error_rate: ratio(serverErrors, classified),
      server_errors: serverErrors,
      by_status_class: byClass.map((r) => ({ ...r, share: ratio(Number(r.requests), classified) })),
      error_events: total(errors, 'count'),
    },
    latency_ms: {
      ...single(latency, ['p50', 'p95', 'p99']),
      by_endpoint: table(endpoints, { endpoint: 'endpoint', count: 'requests', p50: 'p50', p95: 'p95', p99: 'p99' }),
    },
  };
}

async function business(run: Run, w: Window) {
  const compare = w.compare;
  const revenue = { event: 'order', measure: 'revenue', compare } as const;
  const withCode = { property: 'discount_code', op: 'exists' } as const;
  const by = (property: string): Query => ({ kind: 'breakdown', ...revenue, aggregations: ['sum', 'count'], group_by: [property], limit: 10 });
  const breakdownNames = (property: string) => ({ [property]: property, sum: 'revenue', sum_previous: 'revenue_previous', sum_change: 'revenue_change', count: 'orders', count_previous: 'orders_previous' });
  // Products live in the items array: raw events, one row per line item.
  const products: Query = { kind: 'breakdown', event: 'order', measure: 'items[].quantity', aggregations: ['sum', 'count'], group_by: ['items[].product_id'], limit: 10, compare };
  const [all, category, collection, payment, discounted, codes, units] = await Promise.all([
    run(totals(w, { ...revenue, aggregations: ['count', 'sum'] })),
    run(by('category')),
    run(by('collection')),
    run(by('payment_method')),
    run(totals(w, { ...revenue, aggregations: ['count', 'sum'], filters: [withCode] })),
    run({ ...by('discount_code'), filters: [withCode] }),
    run(products),
  ]);
  const orders = { now: total(all, 'count'), before: total(all, 'count_previous') };
  const sum = { now: total(all, 'sum'), before: total(all, 'sum_previous') };
  const coded = {
    orders: { now: total(discounted, 'count'), before: total(discounted, 'count_previous') },
    sum: { now: total(discounted, 'sum'), before: total(discounted, 'sum_previous') },
  };
  const period = all.meta.compare as { from: number; to: number } | undefined;
  return {
    compare: { kind: compare, from: period?.from ?? null, to: period?.to ?? null },
    revenue: figure(sum.now, sum.before),
    orders: figure(orders.now, orders.before),
    average_order_value: figure(ratio(sum.now, orders.now), ratio(sum.before, orders.before)),
    top_products: table(units, { 'items[].product_id': 'product_id', sum: 'units', sum_previous: 'units_previous', sum_change: 'units_change', count: 'order_lines' }),
    by_category: table(category, breakdownNames('category')),
    by_collection: table(collection, breakdownNames('collection')),
    by_payment_method: table(payment, breakdownNames('payment_method')),
    discounts: {
      orders_with_code: figure(coded.orders.now, coded.orders.before),
      orders_without_code: figure(orders.now - coded.orders.now, orders.before - coded.orders.before),
      share_with_code: figure(ratio(coded.orders.now, orders.now), ratio(coded.orders.before, orders.before)),
      revenue_with_code: figure(coded.sum.now, coded.sum.before),
      revenue_without_code: figure(sum.now - coded.sum.now, sum.before - coded.sum.before),
      by_code: table(codes, breakdownNames('discount_code')),
    },
  };
}

async function ml(run: Run, w: Window) {
  const [jobs, statuses, duration, pipelines, cost, failures] = await Promise.all([
    run(totals(w, { event: 'ml_job', aggregations: ['count'] })),
    // Raw events: no rollup counts every ml_job by status. The rollups break down only events
    // that carry duration_ms or cost_usd, and the schema requires neither (a queued job has none).
    run({ kind: 'breakdown', event: 'ml_job', aggregations: ['count'], group_by: ['status'], limit: 10 }),
    run({ kind: 'percentiles', event: 'ml_job', measure: 'duration_ms', aggregations: ['p50', 'p95'] }),
    run({ kind: 'breakdown', event: 'ml_job', measure: 'duration_ms', aggregations: ['count', 'p50', 'p95'], group_by: ['pipeline'], limit: 10 }),
    run({ kind: 'breakdown', event: 'ml_job', measure: 'cost_usd', aggregations: ['sum', 'count'], group_by: ['provider'], limit: 10 }),
    // Raw events, for the same reason as the status counts.
    run({ kind: 'breakdown', event: 'ml_job', aggregations: ['count'], filters: [{ property: 'status', op: 'eq', value: 'failed' }], group_by: ['provider'], limit: 10 }),
  ]);
  const byStatus = table(statuses, { status: 'status', count: 'jobs' });
  const jobsIn = (status: string): number => byStatus.filter((r) => r.status === status).reduce((sum, r) => sum + Number(r.jobs), 0);
  return {
    jobs: total(jobs, 'count'),
    by_status: byStatus,
    success_rate: ratio(jobsIn('succeeded'), jobsIn('succeeded') + jobsIn('failed')),
    duration_ms: {
      ...single(duration, ['p50', 'p95']),
      by_pipeline: table(pipelines, { pipeline: 'pipeline', count: 'jobs', p50: 'p50', p95: 'p95' }),
    },
    cost_usd: {
      total: total(cost, 'sum'),
      by_provider: table(cost, { provider: 'provider', sum: 'cost_usd', count: 'jobs' }),
    },
    failures_by_provider: table(failures, { provider: 'provider', count: 'failures' }),
  };
}

async function support(run: Run, w: Window) {
  const satisfaction = { kind: 'breakdown', event: 'ticket', measure: 'satisfaction', limit: 10 } as const;
  const [tickets, firstResponse, resolution, channels, agents] = await Promise.all([
    run(totals(w, { event: 'ticket', aggregations: ['count'] })),
    run({ kind: 'percentiles', event: 'ticket', measure: 'first_response_ms', aggregations: ['p50', 'p90'] }),
    run({ kind: 'percentiles', event: 'ticket', measure: 'resolution_ms', aggregations: ['p50', 'p90'] }),
    run({ ...satisfaction, aggregations: ['count', 'avg', 'sum'], group_by: ['channel'] }),
    run({ ...satisfaction, aggregations: ['count', 'avg'], group_by: ['agent'] }),
  ]);
  const ratings = total(channels, 'count');
  return {
    tickets: total(tickets, 'count'),
    first_response_ms: single(firstResponse, ['p50', 'p90']),
    resolution_ms: single(resolution, ['p50', 'p90']),
    satisfaction: {
      // Every channel row, "(other)" included, so the overall average is exact.
      avg: ratio(total(channels, 'sum'), ratings),
      ratings,
      by_channel: table(channels, { channel: 'channel', avg: 'avg', count: 'ratings' }),
      by_agent: table(agents, { agent: 'agent', avg: 'avg', count: 'ratings' }),
    },
  };
}

/** Alerts are not DSL queries: the rules' evaluation state and the history of the range. */
async function alerts(_run: Run, w: Window, x: { project: string; alerts: AlertStore }) {
  const [active, recent] = await Promise.all([activeAlerts(x.alerts, x.project), x.alerts.history(x.project, { from: w.from, to: w.to, limit: 20 })]);
  const firing = active.filter((a) => a.state === 'firing');
  return {
    firing: Object.fromEntries(SEVERITIES.map((sev) => [sev, firing.filter((a) => a.severity === sev).length])),
    pending: active.filter((a) => a.state === 'pending').length,
    acknowledged: firing.filter((a) => a.acknowledged).length,
    active,
    recent: recent.map((e) => ({ at: e.at, rule_id: e.rule_id, rule_name: e.rule_name, severity: e.severity, state: e.state, value: e.value, threshold: e.threshold })),
  };
}

type Builder = (run: Run, w: Window, x: { project: string; alerts: AlertStore }) => Promise<object>;
const BUILDERS: Record<Section, Builder> = { health, business, ml, support, alerts };

export function registerDashboard(app: TemplatedApp, deps: QueryDeps): void {
  const alertStore = new AlertStore(deps.store);
  route(app, deps, 'get', '/api/v1/dashboard/summary', { role: 'viewer', action: 'Reading dashboard summaries', gated: true }, async (ctx) => {
    const started = performance.now();
    const sections = parseSections(ctx.params.get('sections'), ctx.caller.role);
    const w = parseWindow(ctx.params, Date.now());
    const span = { from: new Date(w.from).toISOString(), to: new Date(w.to).toISOString() };
    const meta = { queries: 0, sources: {} as Record<string, number>, cache: { hit: 0, miss: 0 } };
    const run: Run = async (query) => {
      const answer = await deps.service.run(ctx.caller.project, { ...query, ...span }, { noCache: ctx.noCache, signal: ctx.signal });
      meta.queries++;
      meta.sources[answer.meta.source] = (meta.sources[answer.meta.source] ?? 0) + 1;
      meta.cache[answer.meta.cache]++;
      deps.metrics.queries.inc({ kind: query.kind, source: answer.meta.source, cache: answer.meta.cache });
      return answer;
    };
    // One section after another: a summary keeps at most one section's queries in flight.
    const out: Partial<Record<Section, object>> = {};
    for (const name of sections) out[name] = await BUILDERS[name](run, w, { project: ctx.caller.project, alerts: alertStore });
    return {
      value: {
        range: { from: w.from, to: w.to, timezone: w.tz },
        sections: out,
        meta: { elapsed_ms: Math.round(performance.now() - started), ...meta },
      },
    };
  });
}
