import type { Migration } from './context.js';
import { ROLLUPS, ROLLUP_ORDER_BY, cascadeRollupSelect, minuteRollupSelect, rollupColumnsDDL } from '../rollup-sql.js';

const ttl = (days: number): string => (days > 0 ? `TTL bucket + INTERVAL ${days} DAY` : '');

export const migration: Migration = {
  version: 3,
  name: 'minute, hour and day rollups',
  up: ({ db, retention }) => {
    const days = { rollup_1m: retention.minuteDays, rollup_1h: retention.hourDays, rollup_1d: retention.dayDays };
    const statements: string[] = [];
    for (const r of ROLLUPS) {
      statements.push(`CREATE TABLE IF NOT EXISTS ${db}.${r.table} (${rollupColumnsDDL()}
      ) ENGINE = AggregatingMergeTree
      PARTITION BY toYYYYMM(bucket)
      ORDER BY ${ROLLUP_ORDER_BY}
      ${ttl(days[r.table])}
      SETTINGS non_replicated_deduplication_window = 10000`);
    }
    for (const r of ROLLUPS) {
      const select = r.from === 'events' ? minuteRollupSelect(db) : cascadeRollupSelect(db, r.from, r.bucket);
      statements.push(`CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.${r.table}_mv TO ${db}.${r.table} AS ${select}`);
    }
    return statements;
  },
};
