// Start-up recovery of segments left in the spool by an earlier run.
//
// A segment's insert may have been cut anywhere by the crash. Replaying it under its dedup
// token is not enough: ClickHouse records a block's token before the block's part is committed,
// so a kill between the two leaves the token without the rows, and the replay would be dropped
// as a duplicate. So each row of a left-over segment is looked up in `events` (by event_id and
// received_at), and only the rows that are missing are inserted, under a token of their own.
// Then the rollups of the hours those segments touched are checked against raw events and
// rebuilt where they disagree. The hours are written down before the replay and forgotten only
// after the check, so a crash during a rebuild is mended at the next start.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Store } from '../core/clickhouse.js';
import { briefError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { hoursOf, repairRollups, type HourKey } from './rollup-repair.js';
import type { SinkInsert } from './sink.js';
import type { Segment, Spool } from './spool.js';
import { splitLines } from './quarantine.js';
import type { EventRow } from './types.js';

const MARKER = 'rollup-check.json';

function readMarker(file: string): HourKey[] {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as HourKey[];
  } catch {
    return [];
  }
}

function writeMarker(file: string, hours: HourKey[]): void {
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(hours));
  const fd = fs.openSync(tmp, 'r');
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  fs.renameSync(tmp, file);
}

const rowKey = (id: string, receivedAt: number): string => `${id}/${receivedAt}`;

/** The lines of `body` whose rows are not in `events` yet. */
export async function missingRows(store: Store, body: Buffer): Promise<Buffer[]> {
  const lines = splitLines(body);
  const rows = lines.map((l) => JSON.parse(l.toString('utf8')) as EventRow);
  const present = new Set<string>();
  const byProject = new Map<string, EventRow[]>();
  for (const r of rows) byProject.set(r.project_id, [...(byProject.get(r.project_id) ?? []), r]);
  for (const [project, list] of byProject) {
    const found = await store.rows<{ k: string }>(
      `SELECT concat(toString(event_id), '/', toString(toUnixTimestamp64Milli(received_at))) AS k FROM ${store.db}.events
       WHERE project_id = {p:String} AND event IN {events:Array(String)}
         AND timestamp BETWEEN fromUnixTimestamp64Milli({from:Int64}, 'UTC') AND fromUnixTimestamp64Milli({to:Int64}, 'UTC')
         AND event_id IN {ids:Array(UUID)}`,
      {
        p: project,
        events: [...new Set(list.map((r) => r.event))],
        from: Math.min(...list.map((r) => r.timestamp)),
        to: Math.max(...list.map((r) => r.timestamp)),
        ids: [...new Set(list.map((r) => r.event_id))],
      },
    );
    for (const f of found) present.add(f.k);
  }
  return lines.filter((_, i) => !present.has(rowKey(rows[i].event_id, rows[i].received_at)));
}

async function replay(seg: Segment, spool: Spool, store: Store, insert: SinkInsert, log: Logger, retryMaxMs: number): Promise<void> {
  let delay = 100;
  for (;;) {
    try {
      const missing = await missingRows(store, await spool.read(seg));
      if (missing.length > 0) {
        // A token of this attempt's own: the rows were just found missing.
        await insert(`${seg.id}-replay-${crypto.randomUUID()}`, Buffer.concat(missing.flatMap((l) => [l, Buffer.from('\n')])));
      }
      log.warn({ segment: seg.id, rows: seg.rows, inserted: missing.length }, 'replayed a spool segment left by an earlier run');
      await spool.remove(seg);
      seg.resolveCommitted();
      return;
    } catch (err) {
      log.error({ segment: seg.id, err: briefError(err) }, 'replaying a spool segment failed; retrying');
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, retryMaxMs);
    }
  }
}

/** Replays `leftovers` (from `spool.recover()`) and repairs rollups; returns the hours rebuilt. */
export async function recoverSpool(
  spoolDir: string,
  spool: Spool,
  leftovers: Segment[],
  insert: SinkInsert,
  store: Store,
  log: Logger,
  retryMaxMs = 5000,
): Promise<number> {
  const marker = path.join(spoolDir, MARKER);
  const hours = new Map<string, HourKey>();
  for (const h of readMarker(marker)) hours.set(`${h.project}\u0000${h.hour}`, h);
  for (const seg of leftovers) for (const h of hoursOf(await spool.read(seg))) hours.set(`${h.project}\u0000${h.hour}`, h);
  if (hours.size === 0) return 0;
  writeMarker(marker, [...hours.values()]);
  for (const seg of leftovers) await replay(seg, spool, store, insert, log, retryMaxMs);
  const rebuilt = await repairRollups(store, [...hours.values()], log);
  fs.rmSync(marker, { force: true });
  return rebuilt;
}
