// Applies the migrations a database does not have yet, in order, and records each one.
// Retention is re-applied on every run so a changed TTL setting takes effect.
import type { Config } from '../core/config.js';
import type { Store } from '../core/clickhouse.js';
import { MIGRATIONS } from './migrations/index.js';
import type { MigrationContext } from './migrations/context.js';

export function migrationContext(config: Config): MigrationContext {
  return {
    db: config.clickhouseDatabase,
    retention: {
      rawDays: config.retentionRawDays,
      rejectsDays: config.retentionRejectsDays,
      minuteDays: config.retention1mDays,
      hourDays: config.retention1hDays,
      dayDays: config.retention1dDays,
    },
  };
}

export async function migrate(store: Store, config: Config): Promise<number[]> {
  const ctx = migrationContext(config);
  const db = ctx.db;
  await store.command(`CREATE DATABASE IF NOT EXISTS ${db}`);
  await store.command(`CREATE TABLE IF NOT EXISTS ${db}.schema_migrations (
    version UInt32, name String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
  ) ENGINE = MergeTree ORDER BY version`);
  const done = new Set(
    (await store.rows<{ version: number }>(`SELECT version FROM ${db}.schema_migrations`)).map((r) => Number(r.version)),
  );
  const applied: number[] = [];
  for (const m of MIGRATIONS) {
    if (done.has(m.version)) continue;
    for (const sql of m.up(ctx)) await store.command(sql);
    await store.command(`INSERT INTO ${db}.schema_migrations (version, name) VALUES ({v:UInt32}, {n:String})`, {
      v: m.version,
      n: m.name,
    });
    applied.push(m.version);
  }
  await applyRetention(store, ctx);
  return applied;
}

/** TTLs follow the settings: MODIFY TTL is metadata only here (no rewrite of old parts). */
async function applyRetention(store: Store, { db, retention }: MigrationContext): Promise<void> {
  const ttl: [string, string, number][] = [
    ['events', 'toDateTime(timestamp)', retention.rawDays],
    ['rejects', 'toDateTime(received_at)', retention.rejectsDays],
    ['rollup_1m', 'bucket', retention.minuteDays],
    ['rollup_1h', 'bucket', retention.hourDays],
    ['rollup_1d', 'bucket', retention.dayDays],
    ['property_values', 'day', retention.hourDays],
  ];
  const current = new Map(
    (await store.rows<{ name: string; create_table_query: string }>(
      `SELECT name, create_table_query FROM system.tables WHERE database = {db:String}`,
      { db },
    )).map((r) => [r.name, r.create_table_query]),
  );
  for (const [table, column, days] of ttl) {
    const ddl = current.get(table) ?? '';
    if (days > 0 && !ddl.includes(`TTL ${column} + toIntervalDay(${days})`)) {
      await store.command(`ALTER TABLE ${db}.${table} MODIFY TTL ${column} + INTERVAL ${days} DAY SETTINGS materialize_ttl_after_modify = 0`);
    } else if (days === 0 && /\bTTL\s/.test(ddl)) {
      await store.command(`ALTER TABLE ${db}.${table} REMOVE TTL`);
    }
  }
}
