// Start-up recovery when a crash left a block's dedup token recorded but its rows not committed
// (ClickHouse writes the token before it commits the part). Replaying by token would drop the
// rows; recovery looks them up and inserts what is missing.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../core/logger.js';
import { recoverSpool } from '../ingest/recover.js';
import { createSink } from '../ingest/sink.js';
import { Spool } from '../ingest/spool.js';
import type { EventRow } from '../ingest/types.js';
import { makeEvent, seedFromEnv, seededRng } from './helpers/events.js';
import { rollupMismatches } from './helpers/rollup-check.js';
import { startInProcess, tempDir, type InProcess } from './helpers/sluice.js';

const seed = seedFromEnv('SLUICE_RECOVER_SEED');
const rng = seededRng(seed);
const log = createLogger('silent');
let s: InProcess;

beforeAll(async () => {
  s = await startInProcess();
});
afterAll(async () => {
  await s?.stop();
});

function segmentRows(n: number): EventRow[] {
  const now = Date.now();
  return Array.from({ length: n }, () => {
    const e = makeEvent(rng, now - 60_000, 2 * 3_600_000);
    return { project_id: 'default', event: e.event, timestamp: e.timestamp, event_id: e.event_id, received_at: now, user_id: e.user_id, session_id: '', correlation_id: '', source: 'http', properties: e.properties } as EventRow;
  });
}

const countOf = async (ids: string[]): Promise<number> => {
  const [r] = await s.store.rows<{ n: string }>(`SELECT count() AS n FROM sluice.events WHERE event_id IN {ids:Array(UUID)}`, { ids });
  return Number(r.n);
};

describe(`spool recovery (seed ${seed})`, () => {
  it('stores rows whose token survived a crash without them, once, and mends the rollups', async () => {
    const dir = tempDir('sluice-recover-');
    const rows = segmentRows(400);
    const ids = rows.map((r) => r.event_id);
    const body = Buffer.from(rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const segId = 'seg-01a20000-0000-7000-8000-00000000beef';
    fs.writeFileSync(path.join(dir, `${segId}.ndjson`), body);

    // The crash: the insert ran (token recorded, views fed), then half its rows are not in raw.
    const sink = createSink(s.store);
    await sink(segId, body);
    const lost = ids.filter((_, i) => i % 2 === 0);
    await s.store.command(`ALTER TABLE sluice.events DELETE WHERE event_id IN {ids:Array(UUID)} SETTINGS mutations_sync = 2`, { ids: lost });
    expect(await countOf(ids)).toBe(200);
    // Replaying under the same token is dropped as a duplicate: the trap recovery must avoid.
    await sink(segId, body);
    expect(await countOf(ids)).toBe(200);
    expect((await rollupMismatches(s.store)).length).toBeGreaterThan(0);

    const spool = new Spool(dir);
    const leftovers = spool.recover();
    expect(leftovers).toHaveLength(1);
    const rebuilt = await recoverSpool(dir, spool, leftovers, sink, s.store, log);
    expect(rebuilt).toBeGreaterThan(0);

    expect(await countOf(ids)).toBe(400);
    const twice = await s.store.rows(`SELECT event_id FROM sluice.events WHERE event_id IN {ids:Array(UUID)} GROUP BY event_id HAVING count() > 1`, { ids });
    expect(twice).toEqual([]);
    expect(await rollupMismatches(s.store, [{ event: 'api_request', measure: 'duration_ms' }, { event: 'order', measure: 'revenue' }])).toEqual([]);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.ndjson') || f.endsWith('.json'))).toEqual([]);

    // Recovering a segment whose rows are all stored inserts nothing.
    fs.writeFileSync(path.join(dir, `${segId}.ndjson`), body);
    const again = new Spool(dir);
    await recoverSpool(dir, again, again.recover(), sink, s.store, log);
    expect(await countOf(ids)).toBe(400);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
