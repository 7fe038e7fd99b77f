import { alignRange } from './range-alignment';
import { DslQuery, Interval, INTERVALS, Kind, SluiceQuery } from './types';

/** What the dashboard contributes to every query. */
export interface DashboardContext {
  /** Epoch ms, `[from, to)`. */
  from: number;
  to: number;
  /** Grafana's time zone setting: an IANA name, `utc`, `browser` or empty (browser). */
  timezone?: string;
  /** Grafana's `$__interval` in ms. */
  intervalMs?: number;
  /** The browser's IANA zone, used when the dashboard says `browser`. */
  browserTimezone?: string;
}

export type BuildResult = { ok: true; query: DslQuery } | { ok: false; error: string };

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const INTERVAL_MS: Record<Interval, number> = {
  '1m': MINUTE,
  '5m': 5 * MINUTE,
  '15m': 15 * MINUTE,
  '30m': 30 * MINUTE,
  '1h': HOUR,
  '1d': DAY,
  '1w': 7 * DAY,
  '1M': 30 * DAY,
};

// Which DSL fields each kind takes (docs/api.md, "Fields"). Anything else is left out so a
// query switched from one kind to another does not carry stale fields into the document.
const FIELDS: Record<Kind, ReadonlyArray<keyof DslQuery>> = {
  timeseries: ['event', 'measure', 'aggregations', 'filters', 'group_by', 'limit', 'compare'],
  breakdown: ['event', 'measure', 'aggregations', 'filters', 'group_by', 'limit', 'compare'],
  percentiles: ['event', 'measure', 'aggregations', 'filters', 'group_by', 'limit', 'compare'],
  funnel: ['steps', 'window', 'strict_order', 'group_by', 'limit'],
  retention: ['start_event', 'return_event', 'period', 'periods', 'filters'],
  events: ['event', 'filters', 'limit', 'properties'],
  forecast: ['event', 'measure', 'aggregations', 'filters', 'horizon'],
  anomalies: ['event', 'measure', 'aggregations', 'filters'],
};

/** Kinds whose buckets follow the dashboard's interval when the query says `auto`. */
const BUCKETED: ReadonlySet<Kind> = new Set<Kind>(['timeseries', 'forecast', 'anomalies']);

/**
 * The DSL interval nearest to Grafana's `$__interval`, measured on a log scale (so 20m is
 * nearer 15m than 30m) with ties going to the coarser interval.
 */
export function nearestInterval(intervalMs: number): Interval {
  if (!(intervalMs > 0)) {
    return INTERVALS[0];
  }
  let best: Interval = INTERVALS[0];
  let bestDistance = Infinity;
  for (const interval of INTERVALS) {
    const distance = Math.abs(Math.log(intervalMs / INTERVAL_MS[interval]));
    if (distance <= bestDistance + 1e-12) {
      best = interval;
      bestDistance = Math.min(distance, bestDistance);
    }
  }
  return best;
}

/** Grafana's time zone setting as an IANA name for the DSL. */
export function resolveTimezone(timezone: string | undefined, browserTimezone?: string): string {
  if (!timezone || timezone === 'browser') {
    return browserTimezone || Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  }
  return timezone.toLowerCase() === 'utc' ? 'UTC' : timezone;
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

function timeFields(
  ctx: DashboardContext,
  aligned?: { kind: Kind; interval: Interval | undefined }
): Pick<DslQuery, 'from' | 'to' | 'timezone'> {
  const timezone = resolveTimezone(ctx.timezone, ctx.browserTimezone);
  const { from, to } = aligned
    ? alignRange(ctx.from, ctx.to, aligned.kind, aligned.interval, timezone)
    : { from: ctx.from, to: ctx.to };
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString(), timezone };
}

function fromRawJson(text: string | undefined, ctx: DashboardContext): BuildResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text ?? '');
  } catch (e) {
    return { ok: false, error: `The raw query is not valid JSON: ${(e as Error).message}` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { ok: false, error: 'The raw query must be a JSON object' };
  }
  const doc = parsed as DslQuery;
  // A raw document that names its own range keeps it; otherwise the dashboard's applies.
  const ownRange = 'range' in doc || 'from' in doc || 'to' in doc;
  const time = timeFields(ctx);
  const query: DslQuery = ownRange ? { ...doc } : { ...doc, from: time.from, to: time.to };
  if (!('timezone' in doc)) {
    query.timezone = time.timezone;
  }
  return { ok: true, query };
}

/** Turns a panel query and the dashboard's time settings into the DSL document. */
export function buildQuery(q: SluiceQuery, ctx: DashboardContext): BuildResult {
  if (q.rawMode) {
    return fromRawJson(q.rawJson, ctx);
  }
  const query: DslQuery = { kind: q.kind };
  const source = q as unknown as Record<string, unknown>;
  for (const field of FIELDS[q.kind] ?? []) {
    const value = source[field];
    if (!isEmpty(value)) {
      query[field] = value;
    }
  }
  const choice = q.interval ?? 'auto';
  if (choice !== 'auto' && (BUCKETED.has(q.kind) || q.kind === 'percentiles')) {
    query.interval = choice;
  } else if (choice === 'auto' && BUCKETED.has(q.kind) && ctx.intervalMs) {
    query.interval = nearestInterval(ctx.intervalMs);
  }
  Object.assign(query, timeFields(ctx, { kind: q.kind, interval: query.interval }));
  if (q.kind === 'funnel' && (q.steps?.length ?? 0) < 2) {
    return { ok: false, error: 'A funnel needs at least two steps' };
  }
  if (q.kind === 'retention' && (!q.start_event || !q.return_event)) {
    return { ok: false, error: 'Retention needs a start event and a return event' };
  }
  return { ok: true, query };
}
