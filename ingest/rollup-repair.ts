// After a crash the embedded engine may hold a batch in raw events whose rollup write did not
// finish (the view write is not atomic with the insert). For the hours that recovered spool
// segments touched, compare each rollup's counts with the raw counts and rebuild what differs.
import type { Store } from '../core/clickhouse.js';
import type { Logger } from '../core/logger.js';
import { forTarget } from '../schema/cluster.js';
import { ROLLUP_INSERT_COLUMNS, cascadeRollupSelect, minuteRollupSelect } from '../schema/rollup-sql.js';

export interface HourKey {
  project: string;
  hour: number; // epoch ms at the start of the UTC hour
}

const HOUR = 3_600_000;
const DAY = 86_400_000;

/** The (project, hour) pairs of the rows in JSONEachRow spool bytes. */
export function hoursOf(body: Buffer): HourKey[] {
  const seen = new Map<string, HourKey>();
  for (const line of body.toString('utf8').split('\n')) {
    if (!line) continue;
    try {
      const r = JSON.parse(line) as { project_id: string; timestamp: number };
      const hour = r.timestamp - (r.timestamp % HOUR);
      seen.set(`${r.project_id}\u0000${hour}`, { project: r.project_id, hour });
    } catch {
      // a torn line was cut at recovery; nothing else can fail to parse
    }
  }
  return [...seen.values()];
}

const SETTINGS = 'SETTINGS mutations_sync = 2';

const sqlString = (s: string) => `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;

/**
 * Deletes a project's rollup rows in whole hours or days. On a cluster the rows live in the
 * `_local` tables of every shard, so the delete goes there ON CLUSTER (schema/cluster.ts); the
 * values are written into the statement because the distributed DDL queue runs it without the
 * query's parameters.
 */
export function rollupDeletes(store: Pick<Store, 'db' | 'cluster'>, project: string, hourSecs: number[], daySecs: number[]): string[] {
  const within = (col: string, fn: string, secs: number[]) =>
    `project_id = ${sqlString(project)} AND ${fn}(${col}) IN (${secs.map((s) => `toDateTime(${Math.trunc(s)}, 'UTC')`).join(', ')})`;
  const statements = [
    `ALTER TABLE ${store.db}.rollup_1d DELETE WHERE ${within('bucket', 'toStartOfDay', daySecs)} ${SETTINGS}`,
    `ALTER TABLE ${store.db}.rollup_1h DELETE WHERE ${within('bucket', 'toStartOfHour', hourSecs)} ${SETTINGS}`,
    `ALTER TABLE ${store.db}.rollup_1m DELETE WHERE ${within('bucket', 'toStartOfHour', hourSecs)} ${SETTINGS}`,
  ];
  return forTarget(statements, store.db, store.cluster);
}
// Rebuilt blocks may equal blocks inserted before: never let block dedup swallow them.
const INSERT_SETTINGS = 'SETTINGS insert_deduplicate = 0, deduplicate_blocks_in_dependent_materialized_views = 0';

/** Hours whose minute, hour or day rollup count differs from the raw count. */
export async function findDrift(store: Store, hours: HourKey[]): Promise<HourKey[]> {
  const db = store.db;
  const drift: HourKey[] = [];
  for (const { project, hour } of hours) {
    const params = { p: project, from: Math.floor(hour / 1000), to: Math.floor((hour + HOUR) / 1000) };
    const range = `project_id = {p:String} AND %s >= toDateTime({from:UInt32}) AND %s < toDateTime({to:UInt32})`;
    const day = { dfrom: Math.floor((hour - (hour % DAY)) / 1000), dto: Math.floor((hour - (hour % DAY) + DAY) / 1000) };
    const dayRange = `project_id = {p:String} AND %s >= toDateTime({dfrom:UInt32}) AND %s < toDateTime({dto:UInt32})`;
    const [r] = await store.rows<{ raw: string; m: string; h: string; rawDay: string; d: string }>(
      `SELECT
        (SELECT count() FROM ${db}.events WHERE ${range.replaceAll('%s', 'timestamp')}) AS raw,
        (SELECT sum(events) FROM ${db}.rollup_1m WHERE metric = '' AND ${range.replaceAll('%s', 'bucket')}) AS m,
        (SELECT sum(events) FROM ${db}.rollup_1h WHERE metric = '' AND ${range.replaceAll('%s', 'bucket')}) AS h,
        (SELECT count() FROM ${db}.events WHERE ${dayRange.replaceAll('%s', 'timestamp')}) AS rawDay,
        (SELECT sum(events) FROM ${db}.rollup_1d WHERE metric = '' AND ${dayRange.replaceAll('%s', 'bucket')}) AS d`,
      { ...params, ...day },
    );
    // A drifted day is rebuilt from its hours, so rebuilding this hour also mends its day.
    const same = (a: string, b: string) => Number(a) === Number(b);
    if (!same(r.raw, r.m) || !same(r.raw, r.h) || !same(r.rawDay, r.d)) drift.push({ project, hour });
  }
  return drift;
}

/**
 * Rebuilds whole hours: their minute and hour rollups from raw events (the insert into the
 * minute rollup cascades to the hour rollup), then their days from the hour rollup.
 */
export async function rebuildHours(store: Store, hours: HourKey[], log: Logger): Promise<void> {
  const db = store.db;
  const byProject = new Map<string, number[]>();
  for (const h of hours) byProject.set(h.project, [...(byProject.get(h.project) ?? []), h.hour]);
  for (const [project, list] of byProject) {
    const hourSecs = list.map((h) => Math.floor(h / 1000));
    const days = [...new Set(list.map((h) => Math.floor((h - (h % DAY)) / 1000)))];
    const p = { p: project, hours: hourSecs, days };
    const inHours = (col: string) => `project_id = {p:String} AND toStartOfHour(${col}) IN (SELECT toDateTime(arrayJoin({hours:Array(UInt32)}), 'UTC'))`;
    const inDays = (col: string) => `project_id = {p:String} AND toStartOfDay(${col}) IN (SELECT toDateTime(arrayJoin({days:Array(UInt32)}), 'UTC'))`;
    for (const sql of rollupDeletes(store, project, hourSecs, days)) await store.command(sql);
    // Feeds rollup_1m and, through the views, rollup_1h and the rebuilt hours' share of rollup_1d.
    await store.command(`INSERT INTO ${db}.rollup_1m ${ROLLUP_INSERT_COLUMNS} ${minuteRollupSelect(db, inHours('timestamp'))} ${INSERT_SETTINGS}`, p);
    // The rest of each affected day comes from its other hours. The column is qualified: in
    // that SELECT a bare `bucket` is its alias toStartOfDay(bucket), which no hour filter excludes.
    await store.command(
      `INSERT INTO ${db}.rollup_1d ${ROLLUP_INSERT_COLUMNS} ${cascadeRollupSelect(db, 'rollup_1h', 'toStartOfDay', `${inDays('rollup_1h.bucket')} AND NOT (${inHours('rollup_1h.bucket')})`)} ${INSERT_SETTINGS}`,
      p,
    );
    log.warn({ project, hours: list.map((h) => new Date(h).toISOString()) }, 'rebuilt rollups that disagreed with raw events');
  }
}

/** Checks the hours and rebuilds those that drifted; returns how many were rebuilt. */
export async function repairRollups(store: Store, hours: HourKey[], log: Logger): Promise<number> {
  if (hours.length === 0) return 0;
  const drift = await findDrift(store, hours);
  if (drift.length > 0) await rebuildHours(store, drift, log);
  return drift.length;
}
