// SQL of the rollups, generated from the metric definitions. The same SELECTs feed the
// materialized views and the repair that rebuilds buckets after a crash, so both always agree.
import { METRICS, QUANTILE_LEVELS, QUANTILE_RELATIVE_ACCURACY, MAX_DIMENSIONS, type Dimension, type MetricDefinition } from './metrics.js';

export const ROLLUPS = [
  { table: 'rollup_1m', bucket: 'toStartOfMinute', from: 'events' },
  { table: 'rollup_1h', bucket: 'toStartOfHour', from: 'rollup_1m' },
  { table: 'rollup_1d', bucket: 'toStartOfDay', from: 'rollup_1h' },
] as const;

export type RollupTable = (typeof ROLLUPS)[number]['table'];

const sqlString = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

export const QUANTILES_FN = `quantilesDD(${QUANTILE_RELATIVE_ACCURACY}, ${QUANTILE_LEVELS.join(', ')})`;

export function rollupColumnsDDL(): string {
  return `
    project_id LowCardinality(String),
    event LowCardinality(String),
    metric LowCardinality(String),
    bucket DateTime('UTC'),
    d1 LowCardinality(String),
    d2 LowCardinality(String),
    d3 LowCardinality(String),
    d4 LowCardinality(String),
    events SimpleAggregateFunction(sum, UInt64),
    value_sum SimpleAggregateFunction(sum, Float64),
    value_min SimpleAggregateFunction(min, Float64),
    value_max SimpleAggregateFunction(max, Float64),
    value_quantiles AggregateFunction(${QUANTILES_FN}, Float64),
    users AggregateFunction(uniqCombined64, String)`;
}

export const ROLLUP_ORDER_BY = '(project_id, event, metric, bucket, d1, d2, d3, d4)';

export function dimensionExpr(dim: Dimension | undefined): string {
  if (!dim) return "''";
  const p = `properties.\`${(dim.property ?? dim.name).replace(/`/g, '')}\``;
  if (dim.derive === 'status_class') {
    return `if(isNull(accurateCastOrNull(${p}, 'UInt16')), '', concat(toString(intDiv(accurateCastOrNull(${p}, 'UInt16'), 100)), 'xx'))`;
  }
  return `substring(toString(${p}), 1, 256)`;
}

function metricTuple(m: MetricDefinition): string {
  const dims = Array.from({ length: MAX_DIMENSIONS }, (_, i) => dimensionExpr(m.dimensions[i]));
  const value = `ifNull(accurateCastOrNull(properties.\`${m.measure}\`, 'Float64'), nan)`;
  return `tuple(${sqlString(m.measure)}, ${dims.join(', ')}, ${value})`;
}

const COUNT_TUPLE = `tuple('', '', '', '', '', 0.)`;

/** Per event, the rollup rows it contributes: one count row, one row per metric whose measure it carries. */
function metricRowsExpr(): string {
  const byEvent = new Map<string, MetricDefinition[]>();
  for (const m of METRICS) byEvent.set(m.event, [...(byEvent.get(m.event) ?? []), m]);
  const branches: string[] = [];
  for (const [event, metrics] of byEvent) {
    branches.push(`event = ${sqlString(event)}`, `[${[COUNT_TUPLE, ...metrics.map(metricTuple)].join(', ')}]`);
  }
  // A metric row is dropped when its measure is missing or not a number (NaN), never the count row.
  return `arrayFilter(x -> NOT isNaN(x.6), multiIf(${branches.join(', ')}, [${COUNT_TUPLE}]))`;
}

/** The minute rollup from raw events; `where` narrows it (repair). */
export function minuteRollupSelect(db: string, where = ''): string {
  return `SELECT
    project_id, event, m.1 AS metric, toStartOfMinute(timestamp) AS bucket,
    m.2 AS d1, m.3 AS d2, m.4 AS d3, m.5 AS d4,
    toUInt64(count()) AS events,
    sumIf(m.6, m.1 != '') AS value_sum,
    minIf(m.6, m.1 != '') AS value_min,
    maxIf(m.6, m.1 != '') AS value_max,
    ${QUANTILES_FN.replace('quantilesDD', 'quantilesDDStateIf')}(m.6, m.1 != '') AS value_quantiles,
    uniqCombined64StateIf(user_id, user_id != '') AS users
  FROM ${db}.events
  ARRAY JOIN ${metricRowsExpr()} AS m
  ${where ? `WHERE ${where}` : ''}
  GROUP BY project_id, event, metric, bucket, d1, d2, d3, d4`;
}

/** A coarser rollup from a finer one (hour from minute, day from hour). `bucket` in GROUP BY is the coarser alias. */
export function cascadeRollupSelect(db: string, from: string, bucketFn: string, where = ''): string {
  return `SELECT
    project_id, event, metric, ${bucketFn}(bucket) AS bucket,
    d1, d2, d3, d4,
    sum(events) AS events,
    sum(value_sum) AS value_sum,
    min(value_min) AS value_min,
    max(value_max) AS value_max,
    ${QUANTILES_FN.replace('quantilesDD', 'quantilesDDMergeState')}(value_quantiles) AS value_quantiles,
    uniqCombined64MergeState(users) AS users
  FROM ${db}.${from}
  ${where ? `WHERE ${where}` : ''}
  GROUP BY project_id, event, metric, bucket, d1, d2, d3, d4`;
}

/** Column list for INSERT ... SELECT into a rollup. */
export const ROLLUP_INSERT_COLUMNS =
  '(project_id, event, metric, bucket, d1, d2, d3, d4, events, value_sum, value_min, value_max, value_quantiles, users)';
