// Applies the migrations a database does not have yet, in order, and records each one.
// Retention is re-applied on every run so a changed TTL setting takes effect. With
// CLICKHOUSE_CLUSTER (server mode) every statement goes through the cluster rewrite.
import type { Config } from '../core/config.js';
import type { Store } from '../core/clickhouse.js';
import { forTarget, storageTable } from './cluster.js';
import { MIGRATIONS } from './migrations/index.js';
import type { Migration, MigrationContext } from './migrations/context.js';

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

/** The cluster DDL is emitted for, if any: a cluster needs a ClickHouse server. */
export function clusterOf(config: Config): string | undefined {
  return config.embedded ? undefined : config.clickhouseCluster;
}

/** The migration log itself, created before anything else. */
export function bookkeepingStatements(db: string, cluster?: string): string[] {
  return forTarget(
    [
      `CREATE DATABASE IF NOT EXISTS ${db}`,
      `CREATE TABLE IF NOT EXISTS ${db}.schema_migrations (
    version UInt32, name String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
  ) ENGINE = MergeTree ORDER BY version`,
    ],
    db,
    cluster,
  );
}

/** What one migration runs: its own statements on a single node, their cluster form otherwise. */
export function migrationStatements(m: Migration, ctx: MigrationContext, cluster?: string): string[] {
  return forTarget(m.up(ctx), ctx.db, cluster);
}

export async function migrate(store: Store, config: Config): Promise<number[]> {
  const ctx = migrationContext(config);
  const db = ctx.db;
  const cluster = clusterOf(config);
  // Skipped once the log exists: on a cluster each of these waits for every node to answer.
  const [log] = await store.rows<{ n: string }>(`SELECT count() AS n FROM system.tables WHERE database = {db:String} AND name = 'schema_migrations'`, { db });
  if (Number(log.n) === 0) for (const sql of bookkeepingStatements(db, cluster)) await store.command(sql);
  const done = new Set(
    (await store.rows<{ version: number }>(`SELECT version FROM ${db}.schema_migrations`)).map((r) => Number(r.version)),
  );
  const applied: number[] = [];
  for (const m of MIGRATIONS) {
    if (done.has(m.version)) continue;
    for (const sql of migrationStatements(m, ctx, cluster)) await store.command(sql);
    await store.command(`INSERT INTO ${db}.schema_migrations (version, name) VALUES ({v:UInt32}, {n:String})`, {
      v: m.version,
      n: m.name,
    });
    applied.push(m.version);
  }
  await applyRetention(store, ctx, cluster);
  return applied;
}

/** TTLs follow the settings: MODIFY TTL is metadata only here (no rewrite of old parts). */
async function applyRetention(store: Store, ctx: MigrationContext, cluster?: string): Promise<void> {
  const current = new Map(
    (await store.rows<{ name: string; create_table_query: string }>(
      `SELECT name, create_table_query FROM system.tables WHERE database = {db:String}`,
      { db: ctx.db },
    )).map((r) => [r.name, r.create_table_query]),
  );
  for (const sql of retentionStatements(ctx, current, cluster)) await store.command(sql);
}

/** The ALTERs that bring each table's TTL to the settings, given the tables' current DDL by name. */
export function retentionStatements({ db, retention }: MigrationContext, current: Map<string, string>, cluster?: string): string[] {
  const ttl: [string, string, number][] = [
    ['events', 'toDateTime(timestamp)', retention.rawDays],
    ['rejects', 'toDateTime(received_at)', retention.rejectsDays],
    ['rollup_1m', 'bucket', retention.minuteDays],
    ['rollup_1h', 'bucket', retention.hourDays],
    ['rollup_1d', 'bucket', retention.dayDays],
    ['property_values', 'day', retention.hourDays],
  ];
  const statements: string[] = [];
  for (const [table, column, days] of ttl) {
    // On a cluster the TTL belongs to the local tables that hold the data.
    const ddl = current.get(cluster ? storageTable(table) : table) ?? '';
    if (days > 0 && !ddl.includes(`TTL ${column} + toIntervalDay(${days})`)) {
      statements.push(`ALTER TABLE ${db}.${table} MODIFY TTL ${column} + INTERVAL ${days} DAY SETTINGS materialize_ttl_after_modify = 0`);
    } else if (days === 0 && /\bTTL\s/.test(ddl)) {
      statements.push(`ALTER TABLE ${db}.${table} REMOVE TTL`);
    }
  }
  return forTarget(statements, db, cluster);
}
