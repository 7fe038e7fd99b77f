import { DataSourceJsonData } from '@grafana/data';
import { DataQuery } from '@grafana/schema';

// The query DSL's vocabulary, mirrored from the query service's contract (docs/api.md).
export const KINDS = [
  'timeseries',
  'breakdown',
  'percentiles',
  'funnel',
  'retention',
  'events',
  'forecast',
  'anomalies',
] as const;
export type Kind = (typeof KINDS)[number];

export const AGGREGATIONS = [
  'count',
  'sum',
  'avg',
  'min',
  'max',
  'p50',
  'p75',
  'p90',
  'p95',
  'p99',
  'uniq_users',
] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

export const FILTER_OPS = ['eq', 'neq', 'in', 'not_in', 'gt', 'gte', 'lt', 'lte', 'contains', 'exists'] as const;
export type FilterOp = (typeof FILTER_OPS)[number];

export const INTERVALS = ['1m', '5m', '15m', '30m', '1h', '1d', '1w', '1M'] as const;
export type Interval = (typeof INTERVALS)[number];

export type Compare = 'previous_period' | 'previous_year';
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

/** How the query's interval is chosen: from the dashboard (`auto`) or fixed. */
export type IntervalChoice = 'auto' | Interval;

/** The DSL fields a panel query and the document sent to Sluice have in common. */
interface DslFields {
  kind: Kind;
  event?: string;
  measure?: string;
  aggregations?: Aggregation[];
  filters?: Filter[];
  group_by?: string[];
  limit?: number;
  compare?: Compare;
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
  properties?: string[];
  // forecast
  horizon?: number;
}

/** A panel query as the editor stores it in the dashboard. */
export interface SluiceQuery extends DataQuery, DslFields {
  interval?: IntervalChoice;
  /** When set, `rawJson` is sent as the DSL document (time range still from the dashboard). */
  rawMode?: boolean;
  rawJson?: string;
  /** Stream fresh answers over `WS /api/v1/live` while the panel is shown. */
  live?: boolean;
  // Annotation queries (`queryType: 'alert_history'`): which alert transitions become annotations.
  alertRule?: string;
  alertSeverity?: string;
  alertState?: string;
}

/** The `queryType` of an annotation query: alert episodes from `GET /api/v1/alerts/history`. */
export const ALERT_HISTORY_QUERY = 'alert_history';

export const DEFAULT_QUERY: Partial<SluiceQuery> = {
  kind: 'timeseries',
  aggregations: ['count'],
  interval: 'auto',
};

/** The DSL document sent to `POST /api/v1/query`. */
export interface DslQuery extends DslFields {
  from?: string;
  to?: string;
  interval?: Interval;
  timezone?: string;
  [extra: string]: unknown;
}

export type ColumnType = 'time' | 'number' | 'string';
export interface Column {
  name: string;
  type: ColumnType;
}

/** The query service's answer. */
export interface SluiceAnswer {
  columns: Column[];
  rows: unknown[][];
  meta: {
    from?: number;
    to?: number;
    timezone?: string;
    interval?: Interval;
    compare?: { kind: Compare; from: number | null; to: number | null; source?: string };
    [extra: string]: unknown;
  };
}

/** Options configured for each data source instance. */
export interface SluiceOptions extends DataSourceJsonData {
  /** Base URL of the Sluice query service, e.g. http://sluice:8080. */
  url?: string;
}

/** Kept by Grafana's server, never sent to the browser. */
export interface SluiceSecureJsonData {
  readKey?: string;
}

/** What a template variable of this data source lists, from the meta endpoints. */
export type VariableTarget = 'events' | 'properties' | 'measures' | 'values';

/** A template variable's query, as stored in the dashboard. */
export interface SluiceVariableQuery {
  refId?: string;
  target: VariableTarget;
  /** Scope properties, measures and values to one event (may be a variable, e.g. `$event`). */
  event?: string;
  /** The property whose values are listed (`values` only; may be a variable). */
  property?: string;
  prefix?: string;
  limit?: number;
}
