// Cluster form of the schema (CLICKHOUSE_CLUSTER). Migrations are written once, for a single
// node; this module rewrites each of their statements for a cluster, so shipped migrations keep
// producing exactly the DDL existing single-node deployments have.
//
// - Every statement runs ON CLUSTER.
// - A sharded table becomes `<name>_local` on Replicated*MergeTree (same family, same
//   parameters) on each shard, plus a Distributed table under the original name, so code that
//   reads and inserts keeps using the same names.
// - A small table (keys, projects, alerts, notifications) is replicated in full to every node
//   of the cluster: reads are local, an insert is visible at once on the node that made it,
//   and ReplacingMergeTree ... FINAL sees every version of a row.
// - The migration log is each node's own (created on all of them, not replicated): it says what
//   that node has run. Migrations are idempotent (IF NOT EXISTS), so `sluice migrate` against
//   a node added later runs them all again ON CLUSTER, which creates what that node lacks.
// - Materialized views read and write the local tables, so each shard keeps its own rollups
//   current; the Distributed rollup tables merge the shards' states at query time.

/** A user's events stay on one shard; an event without a user goes where its event_id sends it. */
export const EVENTS_SHARDING_KEY = "if(user_id = '', cityHash64(project_id, event_id), cityHash64(project_id, user_id))";

export type Placement = { kind: 'sharded'; shardingKey: string } | { kind: 'replicated' } | { kind: 'node' };

const sharded = (shardingKey: string): Placement => ({ kind: 'sharded', shardingKey });
const replicated: Placement = { kind: 'replicated' };
const node: Placement = { kind: 'node' };

/**
 * Where each table lives. A table missing here stops the cluster migration: a new table needs
 * a decision, not a default. Rollup keys hash their ORDER BY prefix so rows that a direct insert
 * (rollup repair) adds for one key meet the rows of the same key on one shard.
 */
export const PLACEMENT: Readonly<Record<string, Placement>> = {
  events: sharded(EVENTS_SHARDING_KEY),
  rejects: sharded('cityHash64(project_id, raw)'),
  rollup_1m: sharded('cityHash64(project_id, event, metric, bucket)'),
  rollup_1h: sharded('cityHash64(project_id, event, metric, bucket)'),
  rollup_1d: sharded('cityHash64(project_id, event, metric, bucket)'),
  property_values: sharded('cityHash64(project_id, event, property, day)'),
  schema_migrations: node,
  projects: replicated,
  api_keys: replicated,
  alert_rules: replicated,
  alert_state: replicated,
  alert_events: replicated,
  alert_audit: replicated,
  notification_channels: replicated,
  notifications: replicated,
  notification_preferences: replicated,
};

export interface ClusterTarget {
  db: string;
  cluster: string;
}

/** Replication path and replica name of a table's ZooKeeper/Keeper entry. */
export function replicationArgs(db: string, table: string, placement: Exclude<Placement, { kind: 'node' }>): string {
  // A table replicated to every node is one replication group spanning all shards: its replica
  // names must be unique across the cluster, which (shard, replica) is.
  return placement.kind === 'sharded'
    ? `'/clickhouse/tables/{shard}/${db}/${table}', '{replica}'`
    : `'/clickhouse/tables/all/${db}/${table}', '{shard}-{replica}'`;
}

/** The table statements and data land in: `<name>_local` for a sharded table. */
export function storageTable(table: string): string {
  return placementOf(table).kind === 'sharded' ? `${table}_local` : table;
}

function placementOf(table: string): Placement {
  const p = PLACEMENT[table];
  if (!p) throw new Error(`cluster schema: no placement for table ${table}; add it to PLACEMENT in schema/cluster.ts`);
  return p;
}

const CREATE_DATABASE = /^\s*CREATE DATABASE IF NOT EXISTS (\w+)\s*$/;
const CREATE_TABLE = /^\s*CREATE TABLE IF NOT EXISTS (\w+)\.(\w+) \(([\s\S]*)\)\s*ENGINE = (\w*MergeTree)(?:\(([^)]*)\))?([\s\S]*)$/;
const CREATE_VIEW = /^\s*CREATE MATERIALIZED VIEW IF NOT EXISTS (\w+)\.(\w+) TO (\w+)\.(\w+) AS ([\s\S]*)$/;
const ALTER_TABLE = /^\s*ALTER TABLE (\w+)\.(\w+) ([\s\S]*)$/;
// Column changes apply to the Distributed table too; TTL, settings and mutations only to data.
const COLUMN_CHANGE = /^\s*(ADD|DROP|MODIFY|RENAME|COMMENT) COLUMN\b/i;

/** The statements that stand for one single-node statement on a cluster. */
export function toCluster(sql: string, { db, cluster }: ClusterTarget): string[] {
  const on = `ON CLUSTER \`${cluster}\``;
  const own = (name: string) => {
    if (name !== db) throw new Error(`cluster schema: statement names database ${name}, expected ${db}`);
  };

  let m = CREATE_DATABASE.exec(sql);
  if (m) return [`CREATE DATABASE IF NOT EXISTS ${m[1]} ${on}`];

  m = CREATE_TABLE.exec(sql);
  if (m) {
    const [, name, table, columns, family, params, rest] = m;
    own(name);
    const placement = placementOf(table);
    if (placement.kind === 'node') return [`CREATE TABLE IF NOT EXISTS ${db}.${table} ${on} (${columns}) ENGINE = ${family}${params === undefined ? '' : `(${params})`}${rest}`];
    const stored = storageTable(table);
    const args = [replicationArgs(db, stored, placement), params?.trim()].filter(Boolean).join(', ');
    // Replicated tables deduplicate inserted blocks through Keeper: the same window, their setting.
    const settings = rest.replace(/\bnon_replicated_deduplication_window\b/g, 'replicated_deduplication_window');
    const local = `CREATE TABLE IF NOT EXISTS ${db}.${stored} ${on} (${columns}) ENGINE = Replicated${family}(${args})${settings}`;
    if (placement.kind === 'replicated') return [local];
    return [
      local,
      `CREATE TABLE IF NOT EXISTS ${db}.${table} ${on} (${columns}) ENGINE = Distributed('${cluster}', '${db}', '${stored}', ${placement.shardingKey})`,
    ];
  }

  m = CREATE_VIEW.exec(sql);
  if (m) {
    const [, name, view, targetDb, target, select] = m;
    own(name);
    own(targetDb);
    const local = select.replace(new RegExp(`\\b(FROM|JOIN) ${db}\\.(\\w+)\\b`, 'g'), (_, kw: string, t: string) => `${kw} ${db}.${storageTable(t)}`);
    return [`CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.${view} ${on} TO ${db}.${storageTable(target)} AS ${local}`];
  }

  m = ALTER_TABLE.exec(sql);
  if (m) {
    const [, name, table, change] = m;
    own(name);
    const stored = storageTable(table);
    const statements = [`ALTER TABLE ${db}.${stored} ${on} ${change}`];
    if (stored !== table && COLUMN_CHANGE.test(change)) statements.push(`ALTER TABLE ${db}.${table} ${on} ${change}`);
    return statements;
  }

  throw new Error(`cluster schema: no cluster form for statement: ${sql.trim().slice(0, 120)}`);
}

/** Statements as given on a single node, rewritten for the cluster when there is one. */
export function forTarget(statements: string[], db: string, cluster: string | undefined): string[] {
  return cluster ? statements.flatMap((s) => toCluster(s, { db, cluster })) : statements;
}
