// Metric definitions: which numeric property of which event is rolled up, broken down by
// which dimensions. The rollup views are generated from this list; the query service reads
// it to know which questions a rollup can answer exactly.

/** A breakdown dimension: a property, or a value derived from one. */
export interface Dimension {
  name: string;
  /** Property it comes from (defaults to `name`). */
  property?: string;
  /** `status_class`: 200 -> "2xx". */
  derive?: 'status_class';
}

export interface MetricDefinition {
  event: string;
  /** Numeric property. */
  measure: string;
  /** At most four: each fills one dimension slot (d1..d4) of the rollup tables. */
  dimensions: Dimension[];
}

export const MAX_DIMENSIONS = 4;

const d = (name: string): Dimension => ({ name });

export const METRICS: readonly MetricDefinition[] = [
  {
    event: 'api_request',
    measure: 'duration_ms',
    dimensions: [d('endpoint'), d('method'), { name: 'status_class', property: 'status', derive: 'status_class' }],
  },
  { event: 'order', measure: 'revenue', dimensions: [d('category'), d('collection'), d('payment_method'), d('discount_code')] },
  { event: 'ml_job', measure: 'duration_ms', dimensions: [d('provider'), d('pipeline'), d('status')] },
  { event: 'ml_job', measure: 'cost_usd', dimensions: [d('provider'), d('pipeline'), d('status')] },
  { event: 'ticket', measure: 'first_response_ms', dimensions: [d('channel'), d('agent')] },
  { event: 'ticket', measure: 'resolution_ms', dimensions: [d('channel'), d('agent')] },
  { event: 'ticket', measure: 'satisfaction', dimensions: [d('channel'), d('agent')] },
  { event: 'booking', measure: 'value', dimensions: [d('venue_type'), d('season')] },
];

/** Relative accuracy of the rollups' quantile sketches (DDSketch): 1%. */
export const QUANTILE_RELATIVE_ACCURACY = 0.01;
/** Quantile levels kept in the rollups (p50 p75 p90 p95 p99). */
export const QUANTILE_LEVELS = [0.5, 0.75, 0.9, 0.95, 0.99] as const;

for (const m of METRICS) {
  if (m.dimensions.length > MAX_DIMENSIONS) throw new Error(`${m.event}.${m.measure}: more than ${MAX_DIMENSIONS} dimensions`);
}
