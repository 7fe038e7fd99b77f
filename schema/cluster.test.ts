// The cluster schema cannot run here (no Keeper, no remote servers), so it is checked against
// the embedded engine: every statement must parse, and once the Replicated engines are turned
// back into their single-node families and each Distributed table into a stand-in, the cluster
// tables must have the single-node schema's columns, keys and engines, with views on the local tables.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, type Store } from '../core/clickhouse.js';
import { loadConfig } from '../core/config.js';
import { tempDir } from '../test/helpers/sluice.js';
import { rollupDeletes } from '../ingest/rollup-repair.js';
import { EVENTS_SHARDING_KEY, PLACEMENT, toCluster } from './cluster.js';
import { bookkeepingStatements, clusterOf, migrate, migrationContext, migrationStatements, retentionStatements } from './migrate.js';
import { MIGRATIONS } from './migrations/index.js';

const CLUSTER = 'sluice-prod';
const ON = `ON CLUSTER \`${CLUSTER}\``;
const dataDir = tempDir();
const single = loadConfig({}, { dataDir });
// The cluster statements build a database of their own beside the single-node one.
const clusterCtx = { ...migrationContext(single), db: 'sluice_cluster' };

/** Every statement `sluice migrate` runs on a cluster, retention changes in both directions included. */
function clusterStatements(): string[] {
  const retention = { ...clusterCtx, retention: { ...clusterCtx.retention, rawDays: 7, dayDays: 0 } };
  const withDayTtl = new Map([['rollup_1d_local', 'CREATE TABLE ... TTL bucket + toIntervalDay(90)']]);
  return [
    ...bookkeepingStatements(clusterCtx.db, CLUSTER),
    ...MIGRATIONS.flatMap((m) => migrationStatements(m, clusterCtx, CLUSTER)),
    ...retentionStatements(retention, withDayTtl, CLUSTER),
  ];
}

/** The statement as a single node can run it: no ON CLUSTER, no Replicated engine, no Distributed. */
function unclustered(sql: string): string {
  return sql
    .replaceAll(` ${ON}`, '')
    .replace(/ENGINE = Replicated(\w*MergeTree)\('[^']*', '[^']*'(?:, )?/, 'ENGINE = $1(')
    .replace(/ENGINE = Distributed\([\s\S]*\)$/, 'ENGINE = Memory');
}

let store: Store;
const statements = clusterStatements();

beforeAll(async () => {
  store = await createStore(single);
  await migrate(store, single);
  await store.command(`CREATE DATABASE IF NOT EXISTS ${clusterCtx.db}`);
  for (const sql of statements.filter((s) => s.startsWith('CREATE'))) await store.command(unclustered(sql));
  // The state the retention statements were generated for: a day rollup with a TTL to remove.
  await store.command(`ALTER TABLE ${clusterCtx.db}.rollup_1d_local MODIFY TTL bucket + INTERVAL 90 DAY`);
  for (const sql of statements.filter((s) => s.startsWith('ALTER'))) await store.command(unclustered(sql));
});
afterAll(async () => {
  await store?.close();
});

const tablesOf = async (db: string) =>
  store.rows<{ name: string; engine: string; sorting_key: string; partition_key: string; create_table_query: string }>(
    `SELECT name, engine, sorting_key, partition_key, create_table_query FROM system.tables WHERE database = {db:String} ORDER BY name`,
    { db },
  );
const columnsOf = async (db: string, table: string) =>
  store.rows<{ name: string; type: string }>(`SELECT name, type FROM system.columns WHERE database = {db:String} AND table = {t:String} ORDER BY position`, { db, t: table });

describe('cluster schema', () => {
  it('is used only with a ClickHouse server, and leaves the single-node statements as they are', () => {
    expect(() => loadConfig({ CLICKHOUSE_CLUSTER: CLUSTER }, { dataDir })).toThrow(/CLICKHOUSE_CLUSTER needs CLICKHOUSE_URL/);
    expect(() => loadConfig({ CLICKHOUSE_URL: 'http://ch:8123', CLICKHOUSE_CLUSTER: 'a b' }, { dataDir })).toThrow(/CLICKHOUSE_CLUSTER/);
    expect(clusterOf(loadConfig({ CLICKHOUSE_URL: 'http://ch:8123', CLICKHOUSE_CLUSTER: CLUSTER }, { dataDir }))).toBe(CLUSTER);
    expect(clusterOf(single)).toBeUndefined();
    const ctx = migrationContext(single);
    for (const m of MIGRATIONS) expect(migrationStatements(m, ctx, clusterOf(single))).toEqual(m.up(ctx));
    expect(bookkeepingStatements('sluice')[1]).toMatch(/^CREATE TABLE IF NOT EXISTS sluice\.schema_migrations \([\s\S]*\) ENGINE = MergeTree ORDER BY version$/);
  });

  it('emits statements that all parse, each ON CLUSTER', async () => {
    expect(statements.length).toBeGreaterThan(30);
    for (const sql of statements) {
      const [r] = await store.rows<{ q: string }>('SELECT formatQuery({sql:String}) AS q', { sql });
      expect(r.q, sql).toContain(ON);
      expect(r.q).toMatch(/^(CREATE (DATABASE|TABLE|MATERIALIZED VIEW)|ALTER TABLE) /);
    }
    const engines = statements.map((s) => /ENGINE = (\w+)/.exec(s)?.[1]).filter(Boolean);
    expect(new Set(engines)).toEqual(new Set(['MergeTree', 'ReplicatedMergeTree', 'ReplicatedReplacingMergeTree', 'ReplicatedAggregatingMergeTree', 'Distributed']));
    // Only the migration log stays a plain MergeTree: each node's record of what it ran.
    expect(statements.filter((s) => /ENGINE = MergeTree\b/.test(s))).toEqual([bookkeepingStatements(clusterCtx.db, CLUSTER)[1]]);
    expect(bookkeepingStatements(clusterCtx.db, CLUSTER)[1]).toMatch(/^CREATE TABLE IF NOT EXISTS sluice_cluster\.schema_migrations ON CLUSTER `sluice-prod` \([\s\S]*\) ENGINE = MergeTree ORDER BY version$/);
  });

  it('keeps engine parameters and puts each sharded table on its shard path, each small table on every node', () => {
    const create = (table: string) => statements.find((s) => s.startsWith(`CREATE TABLE IF NOT EXISTS sluice_cluster.${table} `)) ?? '';
    expect(create('events_local')).toContain(`ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/sluice_cluster/events_local', '{replica}')`);
    expect(create('events_local')).toContain('SETTINGS replicated_deduplication_window = 10000');
    expect(create('events_local')).not.toContain('non_replicated');
    expect(create('rollup_1h_local')).toContain(`ENGINE = ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/sluice_cluster/rollup_1h_local', '{replica}')`);
    expect(create('api_keys')).toContain(`ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/all/sluice_cluster/api_keys', '{shard}-{replica}', version, is_deleted)`);
    expect(create('events')).toContain(`ENGINE = Distributed('${CLUSTER}', 'sluice_cluster', 'events_local', ${EVENTS_SHARDING_KEY})`);
    expect(create('rollup_1m')).toMatch(/ENGINE = Distributed\('sluice-prod', 'sluice_cluster', 'rollup_1m_local', cityHash64\(project_id, event, metric, bucket\)\)$/);
    expect(create('api_keys_local')).toBe('');
    // Retention applies to the tables holding data, never to a Distributed one.
    const alters = statements.filter((s) => s.startsWith('ALTER'));
    expect(alters.map((s) => /^ALTER TABLE sluice_cluster\.(\w+) /.exec(s)?.[1])).toEqual(
      ['events', 'rejects', 'rollup_1m', 'rollup_1h', 'rollup_1d', 'property_values'].map((t) => `${t}_local`),
    );
    expect(alters).toContain(`ALTER TABLE sluice_cluster.events_local ${ON} MODIFY TTL toDateTime(timestamp) + INTERVAL 7 DAY SETTINGS materialize_ttl_after_modify = 0`);
    expect(alters).toContain(`ALTER TABLE sluice_cluster.rollup_1d_local ${ON} REMOVE TTL`);
  });

  it('brings the local tables to the retention settings', async () => {
    const tables = new Map((await tablesOf(clusterCtx.db)).map((t) => [t.name, t.create_table_query]));
    expect(tables.get('events_local')).toContain('TTL toDateTime(timestamp) + toIntervalDay(7)');
    expect(tables.get('rollup_1d_local')).not.toContain('TTL');
    expect(tables.get('rollup_1h_local')).toContain('TTL bucket + toIntervalDay(400)');
    // Nothing left to change once applied.
    expect(retentionStatements({ ...clusterCtx, retention: { ...clusterCtx.retention, rawDays: 7, dayDays: 0 } }, tables, CLUSTER)).toEqual([]);
  });

  it('has the single-node columns, keys and engine families for every logical table', async () => {
    const node = await tablesOf('sluice');
    const cluster = new Map((await tablesOf(clusterCtx.db)).map((t) => [t.name, t]));
    expect([...cluster.keys()].filter((n) => !n.endsWith('_local')).sort()).toEqual(node.map((t) => t.name).sort());
    for (const t of node) {
      if (t.engine === 'MaterializedView') continue;
      const columns = await columnsOf('sluice', t.name);
      expect(columns.length).toBeGreaterThan(2);
      expect(await columnsOf(clusterCtx.db, t.name), t.name).toEqual(columns);
      const stored = PLACEMENT[t.name]?.kind === 'sharded' ? `${t.name}_local` : t.name;
      expect(await columnsOf(clusterCtx.db, stored), stored).toEqual(columns);
      const local = cluster.get(stored)!;
      expect([local.engine, local.sorting_key, local.partition_key], stored).toEqual([t.engine, t.sorting_key, t.partition_key]);
      if (stored !== t.name) expect(cluster.get(t.name)!.engine).toBe('Memory'); // the Distributed stand-in
    }
  });

  it('feeds the local rollups from the local events through views on each shard', async () => {
    const views = (await tablesOf(clusterCtx.db)).filter((t) => t.engine === 'MaterializedView');
    expect(views.map((v) => v.name)).toEqual(['property_values_mv', 'rollup_1d_mv', 'rollup_1h_mv', 'rollup_1m_mv']);
    for (const v of views) {
      expect(v.create_table_query).toMatch(/ TO sluice_cluster\.\w+_local /);
      expect(v.create_table_query).toMatch(/ FROM sluice_cluster\.\w+_local\b/);
      expect(v.create_table_query).not.toMatch(/ FROM sluice_cluster\.(events|rollup_1m|rollup_1h)\b(?!_local)/);
    }
    const now = Date.now();
    const rows = Array.from({ length: 50 }, (_, i) => ({
      project_id: 'p1', event: 'api_request', timestamp: now - i * 1000, event_id: crypto.randomUUID(), received_at: now,
      user_id: `u${i % 5}`, session_id: '', correlation_id: '', source: 'http', properties: { endpoint: '/checkout', status: 200, duration_ms: i },
    }));
    await store.insertJsonLines(`${clusterCtx.db}.events_local`, Buffer.from(rows.map((r) => JSON.stringify(r)).join('\n')));
    const count = async (sql: string) => Number((await store.rows<{ n: string }>(sql))[0].n);
    for (const r of ['rollup_1m', 'rollup_1h', 'rollup_1d']) {
      expect(await count(`SELECT sum(events) AS n FROM ${clusterCtx.db}.${r}_local WHERE metric = ''`), r).toBe(50);
      expect(await count(`SELECT count() AS n FROM ${clusterCtx.db}.${r}`), r).toBe(0);
    }
    expect(await count(`SELECT sum(events) AS n FROM ${clusterCtx.db}.rollup_1h_local WHERE metric = 'duration_ms'`)).toBe(50);
    expect(await count(`SELECT count() AS n FROM ${clusterCtx.db}.property_values_local`)).toBeGreaterThan(0);
  });

  it('shards events by user, and an event without a user by its event_id, the same way on every replay', async () => {
    expect(EVENTS_SHARDING_KEY).not.toMatch(/rand|now|generate/i);
    const shard = async (rows: { user: string; id: string }[]) =>
      (await store.rows<{ s: string }>(
        `SELECT ${EVENTS_SHARDING_KEY} % 4 AS s
        FROM (SELECT 'p1' AS project_id, r.1 AS user_id, toUUID(r.2) AS event_id FROM (SELECT arrayJoin(arrayZip({users:Array(String)}, {ids:Array(String)})) AS r))`,
        { users: rows.map((r) => r.user), ids: rows.map((r) => r.id) },
      )).map((r) => Number(r.s));
    const ids = Array.from({ length: 400 }, () => crypto.randomUUID());
    const oneUser = await shard(ids.map((id) => ({ user: 'u42', id })));
    expect(new Set(oneUser).size).toBe(1);
    const anonymous = ids.map((id) => ({ user: '', id }));
    const first = await shard(anonymous);
    expect(await shard(anonymous)).toEqual(first);
    const users = await shard(ids.map((id, i) => ({ user: `u${i}`, id: ids[0] })));
    for (const s of [0, 1, 2, 3]) {
      expect(first.filter((x) => x === s).length).toBeGreaterThan(50);
      expect(users.filter((x) => x === s).length).toBeGreaterThan(50);
    }
  });

  it('refuses a table without a placement and a statement it has no cluster form for', () => {
    const target = { db: 'sluice', cluster: CLUSTER };
    expect(() => toCluster('CREATE TABLE IF NOT EXISTS sluice.audit (a String) ENGINE = MergeTree ORDER BY a', target)).toThrow(/no placement for table audit/);
    expect(() => toCluster('CREATE VIEW sluice.v AS SELECT 1', target)).toThrow(/no cluster form/);
    expect(() => toCluster('CREATE TABLE IF NOT EXISTS other.events (a String) ENGINE = MergeTree ORDER BY a', target)).toThrow(/database other/);
    expect(toCluster('ALTER TABLE sluice.events ADD COLUMN country LowCardinality(String)', target)).toEqual([
      `ALTER TABLE sluice.events_local ${ON} ADD COLUMN country LowCardinality(String)`,
      `ALTER TABLE sluice.events ${ON} ADD COLUMN country LowCardinality(String)`,
    ]);
  });
});

describe('rollup repair on a cluster', () => {
  const hour = Date.UTC(2026, 10, 7, 10) / 1000;
  const day = Date.UTC(2026, 10, 7) / 1000;

  it('deletes from the local rollups ON CLUSTER, values written in, and the statements parse', async () => {
    const sql = rollupDeletes({ db: clusterCtx.db, cluster: CLUSTER }, "it's\\x", [hour], [day]);
    expect(sql.map((s) => /^ALTER TABLE (\S+) /.exec(s)?.[1])).toEqual(['sluice_cluster.rollup_1d_local', 'sluice_cluster.rollup_1h_local', 'sluice_cluster.rollup_1m_local']);
    for (const s of sql) {
      expect(s).toContain(ON);
      expect(s).not.toMatch(/\{\w+:/);
      const [r] = await store.rows<{ q: string }>('SELECT formatQuery({sql:String}) AS q', { sql: s });
      expect(r.q).toContain("project_id = 'it\\'s\\\\x'");
    }
  });

  it('deletes exactly the project hours it names on a single node', async () => {
    const db = single.clickhouseDatabase;
    const row = (project: string, bucket: string) => ({ project_id: project, event: 'e', metric: '', bucket, events: 1 });
    await store.insertJsonLines(
      `${db}.rollup_1h`,
      Buffer.from([row('p', '2026-11-07 10:00:00'), row('p', '2026-11-07 11:00:00'), row('q', '2026-11-07 10:00:00')].map((r) => JSON.stringify(r)).join('\n')),
    );
    const deletes = rollupDeletes(store, 'p', [hour], [day]);
    expect(deletes.every((s) => !s.includes('ON CLUSTER'))).toBe(true);
    for (const s of deletes) await store.command(s);
    const left = await store.rows<{ project_id: string; bucket: string }>(`SELECT project_id, toString(bucket) AS bucket FROM ${db}.rollup_1h ORDER BY project_id, bucket`);
    expect(left).toEqual([
      { project_id: 'p', bucket: '2026-11-07 11:00:00' },
      { project_id: 'q', bucket: '2026-11-07 10:00:00' },
    ]);
  });
});
