// SIGTERM under ack=spooled load: the process stops taking requests, flushes the spool into
// ClickHouse within its shutdown deadline and exits 0; every acknowledged event is stored once
// and the spool directory is left empty.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Store } from '../core/clickhouse.js';
import { seedFromEnv, seededRng } from './helpers/events.js';
import { LoadGenerator } from './helpers/load.js';
import { startRedis, type RedisHandle } from './helpers/redis.js';
import { rollupMismatches } from './helpers/rollup-check.js';
import { openStore, spawnSluice, tempDir, type Child } from './helpers/sluice.js';

const seed = seedFromEnv('SLUICE_SHUTDOWN_SEED');
const rng = seededRng(seed);

let child: Child | null = null;
let store: Store | null = null;
let redis: RedisHandle | null = null;
const dataDirs: string[] = [];
afterAll(async () => {
  if (child && child.proc.exitCode === null) await child.kill('SIGKILL');
  await store?.close();
  await redis?.stop();
  for (const d of dataDirs) fs.rmSync(d, { recursive: true, force: true });
});

async function sigtermUnderLoad(env: Record<string, string>): Promise<void> {
  const dataDir = tempDir('sluice-shutdown-');
  dataDirs.push(dataDir);
  // A long linger keeps acknowledged events in the spool, so SIGTERM has something to flush.
  child = await spawnSluice({ dataDir, env: { SLUICE_LOG_LEVEL: 'info', SLUICE_BATCH_LINGER: '400ms', SLUICE_SHUTDOWN_TIMEOUT: '20s', ...env } });
  const load = new LoadGenerator({ senders: 4, retrying: () => false, ack: 'spooled', rng });
  const run = load.run(child.ingestUrl, child.writeKey);
  const deadline = Date.now() + 30_000;
  while (load.acked.size < 2000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const metrics = await (await fetch(`${child.ingestUrl}/metrics`)).text();
  const bytesAtTerm = Number(/^sluice_spool_bytes (\S+)$/m.exec(metrics)?.[1] ?? NaN);

  const code = await child.stop(); // SIGTERM, then the exit; the senders keep going meanwhile
  await run.stop();
  const output = child.output();
  child = null;
  console.log(`SIGTERM with ${bytesAtTerm} spool bytes not yet stored; load ${JSON.stringify(load.stats)}; acknowledged ${load.acked.size} events`);

  expect(code).toBe(0);
  expect(output).toMatch(/"msg":"stopped"/);
  expect(output).not.toMatch(/shutdown deadline passed/);
  expect(load.acked.size).toBeGreaterThanOrEqual(2000);
  expect(fs.readdirSync(path.join(dataDir, 'spool')).filter((f) => f.endsWith('.ndjson'))).toEqual([]);

  store = await openStore(dataDir);
  const rows = await store.rows<{ id: string; n: string }>(`SELECT toString(event_id) AS id, count() AS n FROM sluice.events GROUP BY id`);
  const counts = new Map(rows.map((r) => [r.id, Number(r.n)]));
  expect(rows.filter((r) => Number(r.n) !== 1).length, 'event ids stored more than once').toBe(0);
  const missing = [...load.acked].filter((id) => counts.get(id) !== 1);
  expect(missing.length, `acknowledged but not stored: ${missing.slice(0, 5).join(', ')}`).toBe(0);
  expect(await rollupMismatches(store)).toEqual([]);
  await store.close();
  store = null;
}

describe(`graceful shutdown (seed ${seed})`, () => {
  it('flushes the spool on SIGTERM and exits 0', async () => {
    await sigtermUnderLoad({});
  }, 90_000);

  // With Redis, dedup is a network round trip: requests admitted before SIGTERM reach the spool
  // after shutdown began, and must not land in a segment that the final drain never sends.
  it('flushes the spool on SIGTERM with Redis dedup', async () => {
    redis = await startRedis();
    await sigtermUnderLoad({ REDIS_URL: redis.url });
  }, 90_000);
});
