// ClickHouse refusing inserts under a running Sluice: the events table is detached (inserts
// fail with UNKNOWN_TABLE) and attached again. Accepted events wait in the spool and arrive
// exactly once; the spool bound refuses new work before accepting it.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBatch, ndjson, seedFromEnv, seededRng, type TestEvent } from './helpers/events.js';
import { rollupMismatches } from './helpers/rollup-check.js';
import { postEvents, startInProcess, type InProcess } from './helpers/sluice.js';
import { until } from './helpers/until.js';

const seed = seedFromEnv('SLUICE_OUTAGE_SEED');
const rng = seededRng(seed);
const ACK_TIMEOUT_MS = 1000;
const NDJSON = { 'Content-Type': 'application/x-ndjson' };

let s: InProcess;
let attached = true;
beforeAll(async () => {
  s = await startInProcess({ ackTimeoutMs: `${ACK_TIMEOUT_MS}ms`, insertRetryMaxMs: '200ms', spoolMaxBytes: '256KiB' });
});
afterAll(async () => {
  if (!attached) await s?.store.command('ATTACH TABLE sluice.events').catch(() => undefined);
  await s?.stop();
  if (s) fs.rmSync(s.dataDir, { recursive: true, force: true });
});

async function spoolBytes(): Promise<number> {
  const text = await (await fetch(`${s.ingestUrl}/metrics`)).text();
  const m = /^sluice_spool_bytes (\S+)$/m.exec(text);
  if (!m) throw new Error('no sluice_spool_bytes in /metrics');
  return Number(m[1]);
}

async function readyz(): Promise<{ status: number; body: { status: string; reason?: string } }> {
  const res = await fetch(`${s.ingestUrl}/readyz`);
  return { status: res.status, body: (await res.json()) as { status: string; reason?: string } };
}

async function storedCount(ids: string[]): Promise<{ rows: number; distinct: number }> {
  const [r] = await s.store.rows<{ rows: string; distinct: string }>(
    `SELECT count() AS rows, uniqExact(event_id) AS distinct FROM sluice.events WHERE event_id IN {ids:Array(UUID)}`,
    { ids },
  );
  return { rows: Number(r.rows), distinct: Number(r.distinct) };
}

const idsOf = (batches: TestEvent[][]): string[] => batches.flat().map((e) => e.event_id);

describe('ClickHouse outage under ingest', () => {
  it(`keeps accepted events in the spool and stores them once when ClickHouse is back (seed ${seed})`, async () => {
    const before = makeBatch(rng, 50);
    expect((await postEvents(`${s.ingestUrl}/v1/events`, s.writeKey, ndjson(before), NDJSON)).status).toBe(200);
    expect(await storedCount(idsOf([before]))).toEqual({ rows: 50, distinct: 50 });
    expect((await readyz()).status).toBe(200);

    await s.store.command('DETACH TABLE sluice.events');
    attached = false;

    // ack=spooled: accepted as soon as the spool has them.
    const spooled: TestEvent[][] = [];
    for (let i = 0; i < 5; i++) {
      const batch = makeBatch(rng, 40);
      const r = await postEvents(`${s.ingestUrl}/v1/events?ack=spooled`, s.writeKey, ndjson(batch), NDJSON);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.accepted).toBe(40);
      spooled.push(batch);
    }
    expect(await spoolBytes()).toBeGreaterThan(0);
    const notReady = await until(async () => {
      const r = await readyz();
      return r.status === 503 ? r : undefined;
    }, 'readyz to report the failing inserts');
    expect(notReady.body.reason).toMatch(/ClickHouse inserts failing/);
    expect(notReady.body.reason).toMatch(/UNKNOWN_TABLE|does not exist/);

    // ack=stored: the insert cannot commit; after the ack timeout, 503 saying the events are spooled.
    const stored: TestEvent[][] = [makeBatch(rng, 30), makeBatch(rng, 30), makeBatch(rng, 30)];
    const started = Date.now();
    const answers = await Promise.all(stored.map((b) => postEvents(`${s.ingestUrl}/v1/events`, s.writeKey, ndjson(b), NDJSON)));
    const waited = Date.now() - started;
    for (const r of answers) {
      expect(r.status).toBe(503);
      expect(r.body.error.code).toBe('SLUICE_E_STORE_TIMEOUT');
      expect(r.body.error.spooled).toBe(30);
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    // Only a lower bound: the answer cannot come before the ack timeout.
    expect(waited).toBeGreaterThanOrEqual(ACK_TIMEOUT_MS - 50);

    // Fill the spool to its bound: the first refused request and everything after it get
    // SPOOL_FULL, and none of their events is accepted.
    const accepted: TestEvent[][] = [];
    const refused: TestEvent[][] = [];
    for (let i = 0; i < 200 && refused.length < 3; i++) {
      const batch = makeBatch(rng, 150);
      const r = await postEvents(`${s.ingestUrl}/v1/events?ack=spooled`, s.writeKey, ndjson(batch), NDJSON);
      if (r.status === 200) {
        expect(r.body.accepted).toBe(150);
        accepted.push(batch);
      } else {
        expect(r.status).toBe(503);
        expect(r.body.error.code).toBe('SLUICE_E_SPOOL_FULL');
        expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
        refused.push(batch);
      }
    }
    expect(refused.length).toBe(3);
    expect(accepted.length).toBeGreaterThan(0);
    // ack=stored is refused the same way (a batch as large as the refused ones cannot fit either).
    const full = makeBatch(rng, 150);
    const fullStored = await postEvents(`${s.ingestUrl}/v1/events`, s.writeKey, ndjson(full), NDJSON);
    expect(fullStored.status).toBe(503);
    expect(fullStored.body.error.code).toBe('SLUICE_E_SPOOL_FULL');
    refused.push(full);
    const bytesAtBound = await spoolBytes();
    expect(bytesAtBound).toBeGreaterThan(0);
    expect(bytesAtBound).toBeLessThanOrEqual(256 * 1024);

    await s.store.command('ATTACH TABLE sluice.events');
    attached = true;

    const mustArrive = idsOf([...spooled, ...stored, ...accepted]);
    await until(async () => (await storedCount(mustArrive)).rows >= mustArrive.length, 'every accepted event to be stored');
    await until(async () => (await spoolBytes()) === 0, 'the spool to drain');
    await until(async () => (await readyz()).status === 200, 'readyz to recover');
    expect(await storedCount(mustArrive)).toEqual({ rows: mustArrive.length, distinct: mustArrive.length });
    expect((await storedCount(idsOf(refused))).rows).toBe(0);
    console.log(
      `outage: ${idsOf(spooled).length} spooled-ack + ${idsOf(stored).length} timed-out stored-ack + ${idsOf(accepted).length} filling the spool stored once; ` +
        `${idsOf(refused).length} refused at ${bytesAtBound} spool bytes`,
    );

    // A client that retries a timed-out request anyway gets duplicates, not a second copy.
    const retry = await postEvents(`${s.ingestUrl}/v1/events`, s.writeKey, ndjson(stored[0]), NDJSON);
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ accepted: 0, duplicates: 30 });
    // Refused events were forgotten by dedup: sent again, they are new.
    const again = await postEvents(`${s.ingestUrl}/v1/events`, s.writeKey, ndjson(refused[0]), NDJSON);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ accepted: 150, duplicates: 0 });

    expect(await storedCount(idsOf([stored[0]]))).toEqual({ rows: 30, distinct: 30 });
    expect(await storedCount(idsOf([refused[0]]))).toEqual({ rows: 150, distinct: 150 });
    expect(await rollupMismatches(s.store, [{ event: 'api_request', measure: 'duration_ms' }])).toEqual([]);
  });
});
