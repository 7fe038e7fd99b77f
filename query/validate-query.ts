// A query document in, a resolved query out: the JSON Schema first (ajv), then the rules a
// schema cannot say (what each kind needs, ranges, time zones, sizes). Every problem is named
// with its JSON Pointer; nothing runs until the whole document is valid.
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { Config } from '../core/config.js';
import { SluiceError } from '../core/errors.js';
import { parseDuration } from '../core/units.js';
import { DEFAULT_HORIZON, QUERY_SCHEMA } from './dsl-schema.js';
import { arrayPath } from './sql.js';
import { buckets, defaultInterval, isZone, relativeRange } from './time-range.js';
import { KINDS, type Aggregation, type Filter, type Interval, type Kind, type Query } from './types.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;
const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
addFormats(ajv);
const validateSchema = ajv.compile(QUERY_SCHEMA);

export interface Problem {
  path: string;
  message: string;
}

export interface Resolved {
  query: Query;
  kind: Kind;
  event?: string;
  measure?: string;
  aggregations: Aggregation[];
  tz: string;
  from: number;
  to: number;
  /** The range reaches the present: answers go stale as events land. */
  live: boolean;
  interval?: Interval;
  /** Bucket starts (timeseries, or percentiles with an interval). */
  buckets?: number[];
  filters: Filter[];
  groupBy: string[];
  limit: number;
  windowMs: number;
  /** The array property whose items are the rows (`items` of `items[].product_id`). */
  arrayPath?: string;
}

const MEASURED: Aggregation[] = ['sum', 'avg', 'min', 'max', 'p50', 'p75', 'p90', 'p95', 'p99'];
export const PERCENTILES: Aggregation[] = ['p50', 'p75', 'p90', 'p95', 'p99'];
const AGGREGATE_KINDS: Kind[] = ['timeseries', 'breakdown', 'percentiles', 'forecast', 'anomalies'];
/** Kinds that read one bucketed series (forecast and anomalies model it). */
const SERIES_KINDS: Kind[] = ['timeseries', 'forecast', 'anomalies'];
const MODELLED: Kind[] = ['forecast', 'anomalies'];
export const MAX_MODEL_BUCKETS = 2500;

function filterProblems(filters: Filter[] | undefined, base: string): Problem[] {
  const out: Problem[] = [];
  (filters ?? []).forEach((f, i) => {
    const path = `${base}/${i}/value`;
    const isList = Array.isArray(f.value);
    if (f.op === 'in' || f.op === 'not_in') {
      if (!isList) out.push({ path, message: `${f.op} needs an array of values` });
    } else if (f.op === 'exists') {
      if (f.value !== undefined && typeof f.value !== 'boolean') out.push({ path, message: 'exists takes true, false or no value' });
    } else if (f.value === undefined || isList) {
      out.push({ path, message: `${f.op} needs one value` });
    } else if (f.op === 'contains' && typeof f.value !== 'string') {
      out.push({ path, message: 'contains needs a string' });
    }
  });
  return out;
}

/** What the schema cannot say: what each kind needs and takes, time zones, ranges, array paths. */
function meaningProblems(q: Query, problems: Problem[]) {
  const need = (cond: boolean, path: string, message: string): void => {
    if (!cond) problems.push({ path, message });
  };
  const kind = q.kind;
  const aggregate = AGGREGATE_KINDS.includes(kind);

  // What each kind needs and what it does not take.
  if (aggregate) need(q.event !== undefined, '/event', `is required for kind ${kind}`);
  if (kind === 'funnel') {
    need(q.steps !== undefined, '/steps', 'is required for kind funnel (2 or more steps)');
    (q.steps ?? []).forEach((s, i) => problems.push(...filterProblems(s.filters, `/steps/${i}/filters`)));
  } else need(q.steps === undefined, '/steps', `only applies to kind funnel`);
  if (kind === 'retention') {
    need(q.start_event !== undefined, '/start_event', 'is required for kind retention');
    need(q.return_event !== undefined, '/return_event', 'is required for kind retention');
  } else {
    for (const f of ['start_event', 'return_event', 'period', 'periods'] as const) need(q[f] === undefined, `/${f}`, 'only applies to kind retention');
  }
  if (kind === 'funnel' || kind === 'retention') need(q.event === undefined, '/event', `does not apply to kind ${kind} (steps name their events)`);
  if (kind !== 'funnel') for (const f of ['window', 'strict_order'] as const) need(q[f] === undefined, `/${f}`, 'only applies to kind funnel');
  if (kind !== 'events') for (const f of ['cursor', 'properties'] as const) need(q[f] === undefined, `/${f}`, 'only applies to kind events');
  if (!aggregate) {
    for (const f of ['measure', 'aggregations', 'compare'] as const) need(q[f] === undefined, `/${f}`, `does not apply to kind ${kind}`);
  }
  if (!SERIES_KINDS.includes(kind) && kind !== 'percentiles') need(q.interval === undefined, '/interval', `does not apply to kind ${kind}`);
  if (kind !== 'forecast') need(q.horizon === undefined, '/horizon', 'only applies to kind forecast');
  if (MODELLED.includes(kind)) {
    need(q.group_by === undefined, '/group_by', `does not apply to kind ${kind} (one series)`);
    need(q.compare === undefined, '/compare', `does not apply to kind ${kind}`);
    need((q.aggregations?.length ?? 1) === 1, '/aggregations', `kind ${kind} models one aggregation`);
  }
  if (kind === 'retention' || kind === 'events') need(q.group_by === undefined, '/group_by', `does not apply to kind ${kind}`);
  if (kind === 'funnel') need((q.group_by?.length ?? 0) <= 1, '/group_by', 'a funnel breaks down by at most one property of its first step');

  const aggregations: Aggregation[] = q.aggregations ?? (kind === 'percentiles' ? PERCENTILES : ['count']);
  if (aggregate && !q.measure) {
    aggregations.forEach((a, i) => need(!MEASURED.includes(a), `/aggregations/${i}`, `${a} needs a measure (a numeric property)`));
    need(kind !== 'percentiles', '/measure', 'is required for kind percentiles');
  }
  if (kind === 'percentiles') aggregations.forEach((a, i) => need(PERCENTILES.includes(a), `/aggregations/${i}`, `kind percentiles takes ${PERCENTILES.join(', ')}`));
  problems.push(...filterProblems(q.filters, '/filters'));
  const arrays = new Set<string>();
  const named: [string, string | undefined][] = [['/measure', q.measure], ...(q.group_by ?? []).map((g, i) => [`/group_by/${i}`, g] as [string, string]), ...(q.filters ?? []).map((f, i) => [`/filters/${i}/property`, f.property] as [string, string])];
  (q.steps ?? []).forEach((st, i) => (st.filters ?? []).forEach((f, j) => named.push([`/steps/${i}/filters/${j}/property`, f.property])));
  for (const [path, name] of named) {
    const item = name ? arrayPath(name) : null;
    if (!item) continue;
    if (!aggregate) problems.push({ path, message: `array items (${name}) can be used by kinds timeseries, breakdown and percentiles only` });
    arrays.add(item[0]);
  }
  if (arrays.size > 1) problems.push({ path: '/group_by', message: `one query reaches into one array, not ${[...arrays].join(' and ')}` });

  // Time.
  const tz = q.timezone ?? 'UTC';
  need(isZone(tz), '/timezone', `"${tz}" is not an IANA time zone (e.g. UTC, Europe/Berlin, America/New_York)`);
  need(!(q.range && (q.from || q.to)), '/range', 'give range or from/to, not both');
  need(!q.from === !q.to, q.from ? '/to' : '/from', 'from and to go together');
  let windowMs = 0;
  if (kind === 'funnel') {
    windowMs = q.window ? parseDuration(q.window) : 86_400_000;
    need(windowMs > 0 && windowMs <= 90 * 86_400_000, '/window', 'must be from 1s to 90d');
  }
  return { kind, aggregations, tz, windowMs, arrays };
}

export const horizonOf = (q: Query): number => q.horizon ?? DEFAULT_HORIZON;

function bad(problems: Problem[]): SluiceError {
  const first = problems[0];
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
  return new SluiceError('SLUICE_E_BAD_QUERY', `Invalid query: ${first.path || '/'} ${first.message}${more}`, { problems });
}

/** Validates and resolves a query at `now`. Throws SLUICE_E_BAD_QUERY naming every problem. */
export function resolveQuery(input: unknown, config: Config, now = Date.now()): Resolved {
  const schemaProblems: Problem[] = validateSchema(input)
    ? []
    : (validateSchema.errors ?? []).map((e) => {
        if (e.keyword === 'additionalProperties') {
          const field = (e.params as { additionalProperty: string }).additionalProperty;
          return { path: `${e.instancePath}/${field}`, message: `is not a field of ${e.instancePath || 'the query'}` };
        }
        if (e.keyword === 'enum') return { path: e.instancePath, message: `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}` };
        return { path: e.instancePath, message: e.message ?? 'is invalid' };
      });
  if (schemaProblems.length > 0) {
    // The rules below assume the schema's types; on a document that failed it they run only
    // as far as they can, so that one answer still names as many problems as possible.
    const more: Problem[] = [];
    // Only for a known kind: what applies depends on it.
    if (input && typeof input === 'object' && (KINDS as readonly unknown[]).includes((input as Query).kind)) {
      try {
        meaningProblems(input as Query, more);
      } catch {
        // a field of the wrong type: the schema's problem names it
      }
    }
    const seen = new Set(schemaProblems.map((p) => p.path));
    throw bad([...schemaProblems, ...more.filter((p) => !seen.has(p.path))]);
  }
  const q = input as Query;
  const problems: Problem[] = [];
  const { kind, aggregations, tz, windowMs, arrays } = meaningProblems(q, problems);
  if (problems.length > 0) throw bad(problems);

  let interval = q.interval;
  let from: number;
  let to: number;
  let live: boolean;
  if (q.from && q.to) {
    from = Date.parse(q.from);
    to = Date.parse(q.to);
    live = to > now - config.cacheFreshnessMs;
    if (!(from < to)) throw bad([{ path: '/to', message: 'must be after from' }]);
  } else {
    const range = q.range ?? (kind === 'retention' ? (q.period === 'week' ? '90d' : '30d') : '7d');
    if (SERIES_KINDS.includes(kind) && !interval) {
      const span = relativeRange(range, now, undefined, tz);
      interval = defaultInterval(span.from, span.to);
    }
    ({ from, to } = relativeRange(range, now, SERIES_KINDS.includes(kind) || (kind === 'percentiles' && interval) ? interval : undefined, tz));
    live = true;
  }
  if (SERIES_KINDS.includes(kind) && !interval) interval = defaultInterval(from, to);
  if (to - from > config.queryMaxRangeMs) {
    const days = `${Math.ceil((to - from) / 86_400_000)} days; the longest range is ${Math.floor(config.queryMaxRangeMs / 86_400_000)} days (SLUICE_QUERY_MAX_RANGE)`;
    if (q.from) throw bad([{ path: '/from', message: `from..to covers ${days}` }]);
    throw bad([{ path: '/range', message: q.range ? `covers ${days}` : `is not given and kind ${kind}'s default covers ${days}; give a shorter range` }]);
  }

  const groupBy = q.group_by ?? [];
  const limit = q.limit ?? (kind === 'events' ? Math.min(100, config.queryMaxRows) : 10);
  let bucketList: number[] | undefined;
  if (interval) {
    const list = buckets(from, to, interval, tz);
    if (!list) throw bad([{ path: '/interval', message: `${interval} makes too many buckets over this range; use a coarser interval` }]);
    bucketList = list;
    const groups = groupBy.length > 0 ? limit + 1 : 1;
    if (list.length * groups > config.queryMaxRows) {
      throw new SluiceError('SLUICE_E_QUERY_TOO_LARGE', `${list.length} buckets × ${groups} groups is more than ${config.queryMaxRows} rows (SLUICE_QUERY_MAX_ROWS); use a coarser interval or a smaller limit`);
    }
    // The models run synchronously in WebAssembly (measured: ~0.7 s per 1000 buckets for a
    // forecast, backtest included), so the series they take is bounded.
    if (MODELLED.includes(kind) && list.length > MAX_MODEL_BUCKETS) {
      throw bad([{ path: '/interval', message: `${interval} makes ${list.length} buckets over this range; kind ${kind} models at most ${MAX_MODEL_BUCKETS}: use a coarser interval or a shorter range` }]);
    }
    const ahead = kind === 'forecast' ? horizonOf(q) : 0;
    if (ahead > 0 && list.length + ahead > config.queryMaxRows) {
      throw new SluiceError('SLUICE_E_QUERY_TOO_LARGE', `${list.length} buckets + a horizon of ${ahead} is more than ${config.queryMaxRows} rows (SLUICE_QUERY_MAX_ROWS); use a coarser interval or a shorter horizon`);
    }
  }
  if (kind === 'events' && limit > Math.min(1000, config.queryMaxRows)) throw bad([{ path: '/limit', message: `kind events pages at most ${Math.min(1000, config.queryMaxRows)} rows` }]);

  return {
    query: q,
    kind,
    event: q.event,
    measure: q.measure,
    aggregations,
    tz,
    from,
    to,
    live,
    interval,
    buckets: bucketList,
    filters: q.filters ?? [],
    groupBy,
    limit,
    windowMs,
    arrayPath: [...arrays][0],
  };
}
