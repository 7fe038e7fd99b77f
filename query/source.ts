// Which table answers an aggregate query exactly: the coarsest rollup whose buckets tile the
// asked buckets and range, and whose dimensions hold every filter and group-by; raw events
// otherwise. Rollup and raw answers are the same numbers (the same sketches are used for
// percentiles and unique users), so the choice changes only the cost.
import { METRICS, type MetricDefinition } from '../schema/metrics.js';
import { loadSchemas, type SchemaRegistry } from '../schema/registry.js';
import { rollupFilterable } from './sql.js';
import { edgeGranularity } from './time-range.js';
import type { Source } from './types.js';
import type { Resolved } from './validate-query.js';

export interface SourcePlan {
  source: Source;
  /** The rollup's metric ('' = the count rows) and its dimension columns by name. */
  metric?: string;
  dims?: Map<string, string>;
}

const TABLES: { source: Source; granularity: number }[] = [
  { source: 'rollup_1d', granularity: 86_400_000 },
  { source: 'rollup_1h', granularity: 3_600_000 },
  { source: 'rollup_1m', granularity: 60_000 },
];

const FINEST_ALLOWED: Record<string, number> = { auto: 0, rollup_1h: 1, rollup_1m: 2 };

let schemas: SchemaRegistry | undefined;

/** The event's schema requires this numeric property, so every stored event carries it. */
function alwaysPresent(event: string | undefined, measure: string): boolean {
  schemas ??= loadSchemas();
  const schema = event ? (schemas.schemaOf(event) as { required?: string[]; properties?: Record<string, { type?: unknown }> } | undefined) : undefined;
  const type = schema?.properties?.[measure]?.type;
  return (schema?.required ?? []).includes(measure) && (type === 'number' || type === 'integer');
}

/**
 * The rollup rows that answer the query: its measure's metric; without a measure, the count
 * rows, or (to break counts down by dimensions) a metric whose measure every event carries.
 */
function metricFor(r: Resolved): MetricDefinition | null | undefined {
  if (r.measure) return METRICS.find((m) => m.event === r.event && m.measure === r.measure);
  if (r.groupBy.length === 0 && r.filters.length === 0) return null; // the count rows
  const named = [...r.groupBy, ...r.filters.map((f) => f.property)];
  return METRICS.find((m) => m.event === r.event && alwaysPresent(r.event, m.measure) && named.every((n) => m.dimensions.some((d) => d.name === n)));
}

export function chooseSource(r: Resolved): SourcePlan {
  const forced = r.query.source ?? 'auto';
  if (forced === 'events') return { source: 'events' };
  const metric = metricFor(r);
  if (metric === undefined) return { source: 'events' };
  const dims = new Map<string, string>((metric?.dimensions ?? []).map((d, i) => [d.name, `d${i + 1}`]));
  const named = [...r.groupBy, ...r.filters.map((f) => f.property)];
  if (!named.every((n) => dims.has(n))) return { source: 'events' };
  if (!r.filters.every(rollupFilterable)) return { source: 'events' };
  const edges = [r.from, r.to, ...(r.buckets ?? []).slice(1)];
  const g = edgeGranularity(edges);
  const first = FINEST_ALLOWED[forced] ?? 0;
  for (const t of TABLES.slice(first)) {
    if (g >= t.granularity) return { source: t.source, metric: metric?.measure ?? '', dims };
  }
  return { source: 'events' };
}
