// Start-up recovery: segments left in the spool by an earlier run are inserted again (their
// dedup tokens make that idempotent), then the rollups of the hours they touched are checked
// against raw events and rebuilt where they disagree. The hours are written down before the
// replay and forgotten only after the check, so a crash during a rebuild is mended next time.
import fs from 'node:fs';
import path from 'node:path';
import type { Store } from '../core/clickhouse.js';
import type { Logger } from '../core/logger.js';
import type { Batcher } from './batch.js';
import { hoursOf, repairRollups, type HourKey } from './rollup-repair.js';
import type { Segment, Spool } from './spool.js';

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

/** Replays `leftovers` (from `spool.recover()`) and repairs rollups; returns the hours rebuilt. */
export async function recoverSpool(spoolDir: string, spool: Spool, leftovers: Segment[], batcher: Batcher, store: Store, log: Logger): Promise<number> {
  const marker = path.join(spoolDir, MARKER);
  const hours = new Map<string, HourKey>();
  for (const h of readMarker(marker)) hours.set(`${h.project}\u0000${h.hour}`, h);
  for (const seg of leftovers) for (const h of hoursOf(await spool.read(seg))) hours.set(`${h.project}\u0000${h.hour}`, h);
  if (hours.size === 0) return 0;
  writeMarker(marker, [...hours.values()]);
  if (leftovers.length > 0) {
    log.warn({ segments: leftovers.length, bytes: spool.bytes }, 'replaying spool left by an earlier run');
    batcher.enqueue(leftovers);
    await Promise.all(leftovers.map((s) => s.committed));
  }
  const rebuilt = await repairRollups(store, [...hours.values()], log);
  fs.rmSync(marker, { force: true });
  return rebuilt;
}
