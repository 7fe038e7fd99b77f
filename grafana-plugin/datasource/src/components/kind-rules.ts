import { Aggregation, Kind, SluiceQuery } from '../types';

// What the editor shows per kind (docs/api.md, "Fields"). query-builder.ts decides what is sent.

export const AGGREGATE_KINDS: ReadonlySet<Kind> = new Set<Kind>([
  'timeseries',
  'breakdown',
  'percentiles',
  'forecast',
  'anomalies',
]);
/** Kinds taking exactly one aggregation. */
export const SINGLE_AGGREGATION: ReadonlySet<Kind> = new Set<Kind>(['forecast', 'anomalies']);
export const COMPARE_KINDS: ReadonlySet<Kind> = new Set<Kind>(['timeseries', 'breakdown', 'percentiles']);
/** Kinds with an interval; for percentiles it is optional (`auto` there means none). */
export const INTERVAL_KINDS: ReadonlySet<Kind> = new Set<Kind>(['timeseries', 'percentiles', 'forecast', 'anomalies']);
/** Kinds worth streaming: cheap to rerun and read from the raw events that land. */
export const LIVE_KINDS: ReadonlySet<Kind> = new Set<Kind>(['timeseries', 'breakdown', 'percentiles', 'events']);

export const MAX_FILTERS = 20;
export const MIN_STEPS = 2;
export const MAX_STEPS = 20;

/** How many group-by properties a kind takes (0: none). A funnel groups by one property of its first step. */
export function maxGroupBy(kind: Kind): number {
  if (kind === 'funnel') {
    return 1;
  }
  return COMPARE_KINDS.has(kind) ? 2 : 0;
}

/** What kind percentiles answers when no aggregation is picked. */
export const PERCENTILE_LEVELS: Aggregation[] = ['p50', 'p75', 'p90', 'p95', 'p99'];
/** Aggregations that need no measure. */
export const COUNTING: ReadonlySet<Aggregation> = new Set<Aggregation>(['count', 'uniq_users']);

/**
 * The query with another kind, keeping what still applies: the event seeds a funnel's first
 * step or a retention's start event, and fields the new kind takes fewer of are cut down.
 */
export function switchKind(query: SluiceQuery, kind: Kind): SluiceQuery {
  const next: SluiceQuery = { ...query, kind };
  if (SINGLE_AGGREGATION.has(kind) && (query.aggregations?.length ?? 0) > 1) {
    next.aggregations = query.aggregations!.slice(0, 1);
  }
  if (kind === 'percentiles' && query.aggregations && !query.aggregations.some((a) => PERCENTILE_LEVELS.includes(a))) {
    // Without levels the DSL answers all five, which is what a percentiles panel wants.
    next.aggregations = undefined;
  }
  if (query.kind === 'percentiles' && kind !== 'percentiles' && !query.aggregations?.length) {
    next.aggregations = ['count'];
  }
  const max = maxGroupBy(kind);
  if (query.group_by && max > 0 && query.group_by.length > max) {
    next.group_by = query.group_by.slice(0, max);
  }
  if (kind === 'funnel' && !query.steps?.length) {
    next.steps = [{ event: query.event ?? query.start_event ?? '' }, { event: query.return_event ?? '' }];
  }
  if (kind === 'retention') {
    next.start_event = query.start_event ?? query.event ?? query.steps?.[0]?.event;
  }
  if (!LIVE_KINDS.has(kind)) {
    next.live = undefined;
  }
  return next;
}
