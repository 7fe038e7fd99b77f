// Raw events vs rollups, straight from ClickHouse: per (project, event, bucket) the rollup's
// count row must equal count() over raw events, and a metric's value_sum the raw sum.
import type { Store } from '../../core/clickhouse.js';

export const GRAINS = [
  { table: 'rollup_1m', fn: 'toStartOfMinute' },
  { table: 'rollup_1h', fn: 'toStartOfHour' },
  { table: 'rollup_1d', fn: 'toStartOfDay' },
] as const;

export interface Mismatch {
  table: string;
  project_id: string;
  event: string;
  metric: string;
  bucket: string;
  raw: number;
  rollup: number;
}

/**
 * Buckets where a rollup disagrees with raw events: the count row (metric '') for every event,
 * and value_sum for each metric named.
 */
export async function rollupMismatches(store: Store, metrics: { event: string; measure: string }[] = []): Promise<Mismatch[]> {
  const db = store.db;
  const out: Mismatch[] = [];
  for (const g of GRAINS) {
    const counts = await store.rows<Mismatch>(
      `SELECT '${g.table}' AS table, project_id, event, '' AS metric, toString(bucket) AS bucket, raw, rollup FROM
        (SELECT project_id, event, toDateTime(${g.fn}(timestamp), 'UTC') AS bucket, count() AS raw
         FROM ${db}.events GROUP BY project_id, event, bucket) AS r
       FULL OUTER JOIN
        (SELECT project_id, event, bucket, sum(events) AS rollup
         FROM ${db}.${g.table} WHERE metric = '' GROUP BY project_id, event, bucket) AS u
       USING (project_id, event, bucket)
       WHERE raw != rollup
       ORDER BY project_id, event, bucket`,
    );
    out.push(...counts.map(numeric));
    for (const m of metrics) {
      const params = { e: m.event, m: m.measure };
      // Non-nullable sums: a bucket found on one side only then compares with 0, not NULL.
      const sums = await store.rows<Mismatch>(
        `SELECT '${g.table}' AS table, project_id, {e:String} AS event, {m:String} AS metric, toString(bucket) AS bucket, raw, rollup FROM
          (SELECT project_id, toDateTime(${g.fn}(timestamp), 'UTC') AS bucket, ifNull(sum(accurateCastOrNull(properties.\`${m.measure}\`, 'Float64')), 0) AS raw
           FROM ${db}.events WHERE event = {e:String} GROUP BY project_id, bucket) AS r
         FULL OUTER JOIN
          (SELECT project_id, bucket, sum(value_sum) AS rollup
           FROM ${db}.${g.table} WHERE event = {e:String} AND metric = {m:String} GROUP BY project_id, bucket) AS u
         USING (project_id, bucket)
         WHERE abs(raw - rollup) > 1e-6 * greatest(abs(raw), 1)
         ORDER BY project_id, bucket`,
        params,
      );
      out.push(...sums.map(numeric));
    }
  }
  return out;
}

function numeric(m: Mismatch): Mismatch {
  return { ...m, raw: Number(m.raw), rollup: Number(m.rollup) };
}

export interface RollupRow {
  project_id: string;
  event: string;
  metric: string;
  bucket: string;
  d1: string;
  d2: string;
  d3: string;
  d4: string;
  events: number;
  value_sum: number;
  value_min: number;
  value_max: number;
  quantiles: number[];
  users: number;
}

/** A rollup table's content, merged per key and finalized, in key order. */
export async function rollupContent(store: Store, table: string): Promise<RollupRow[]> {
  const rows = await store.rows<RollupRow>(
    `SELECT project_id, event, metric, toString(bucket) AS bucket, d1, d2, d3, d4,
       sum(events) AS events, sum(value_sum) AS value_sum, min(value_min) AS value_min, max(value_max) AS value_max,
       quantilesDDMerge(0.01, 0.5, 0.75, 0.9, 0.95, 0.99)(value_quantiles) AS quantiles,
       uniqCombined64Merge(users) AS users
     FROM ${store.db}.${table}
     GROUP BY project_id, event, metric, bucket, d1, d2, d3, d4
     ORDER BY project_id, event, metric, bucket, d1, d2, d3, d4`,
  );
  return rows.map((r) => ({
    ...r,
    events: Number(r.events),
    value_sum: Number(r.value_sum),
    value_min: Number(r.value_min),
    value_max: Number(r.value_max),
    quantiles: r.quantiles.map(Number),
    users: Number(r.users),
  }));
}
