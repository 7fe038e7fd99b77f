// The query contract's types: what a caller sends (the DSL), who the caller is, and what
// the service answers. The DSL's JSON Schema (dsl-schema.ts) is the validating source; these
// types mirror it.

export const KINDS = ['timeseries', 'breakdown', 'percentiles', 'funnel', 'retention', 'events', 'forecast', 'anomalies'] as const;
export type Kind = (typeof KINDS)[number];

export const AGGREGATIONS = ['count', 'sum', 'avg', 'min', 'max', 'p50', 'p75', 'p90', 'p95', 'p99', 'uniq_users'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

export const FILTER_OPS = ['eq', 'neq', 'in', 'not_in', 'gt', 'gte', 'lt', 'lte', 'contains', 'exists'] as const;
export type FilterOp = (typeof FILTER_OPS)[number];

export const RANGES = ['1h', '24h', '7d', '30d', '90d', '1y'] as const;
export const INTERVALS = ['1m', '5m', '15m', '30m', '1h', '1d', '1w', '1M'] as const;
export type Interval = (typeof INTERVALS)[number];

export type Scalar = string | number | boolean;

export interface Filter {
  property: string;
  op: FilterOp;
  value?: Scalar | Scalar[];
}

export interface FunnelStep {
  event: string;
  filters?: Filter[];
}

export interface Query {
  kind: Kind;
  event?: string;
  measure?: string;
  aggregations?: Aggregation[];
  /** A relative range ending now, e.g. `6h` or `7d` (RANGE_PATTERN). */
  range?: string;
  from?: string;
  to?: string;
  interval?: Interval;
  timezone?: string;
  filters?: Filter[];
  group_by?: string[];
  limit?: number;
  compare?: 'previous_period' | 'previous_year';
  source?: 'auto' | 'events' | 'rollup_1m' | 'rollup_1h';
  // funnel
  steps?: FunnelStep[];
  window?: string;
  strict_order?: boolean;
  // retention
  start_event?: string;
  return_event?: string;
  period?: 'day' | 'week';
  periods?: number;
  // events
  cursor?: string;
  properties?: string[];
  // forecast
  horizon?: number;
}

export type Role = 'admin' | 'analyst' | 'viewer';

/** Who is asking, bound to the one project the request acts on. */
export interface Principal {
  /** Key id, JWT `sub`, or "admin-token". */
  subject: string;
  role: Role;
  project: string;
  /** How the caller proved itself. */
  via: 'read_key' | 'jwt' | 'admin_token';
}

export type ColumnType = 'time' | 'number' | 'string';
export interface Column {
  name: string;
  type: ColumnType;
}

export type Source = 'events' | 'rollup_1m' | 'rollup_1h' | 'rollup_1d';

export interface AnswerMeta {
  source: Source;
  approximate: boolean;
  rows_read: number;
  elapsed_ms: number;
  cache: 'hit' | 'miss';
  /** The resolved range, epoch ms, [from, to). */
  from: number;
  to: number;
  timezone: string;
  interval?: Interval;
  next_cursor?: string | null;
  [extra: string]: unknown;
}

export interface Answer {
  columns: Column[];
  rows: unknown[][];
  meta: AnswerMeta;
}
