import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, type Store } from '../core/clickhouse.js';
import { loadConfig } from '../core/config.js';
import { createLogger } from '../core/logger.js';
import { createMetrics } from '../core/metrics.js';
import { migrate } from '../schema/migrate.js';
import { tempDir } from '../test/helpers/sluice.js';
import { Batcher } from './batch.js';
import type { Refused } from './quarantine.js';
import { createSink } from './sink.js';
import { Spool } from './spool.js';

let store: Store;
const dir = tempDir();
beforeAll(async () => {
  const config = loadConfig({}, { dataDir: dir });
  store = await createStore(config);
  await migrate(store, config);
});
afterAll(async () => {
  await store?.close();
});

const row = (i: number, timestamp: unknown = Date.now()) =>
  JSON.stringify({ project_id: 'q', event: 'api_request', timestamp, event_id: crypto.randomUUID(), received_at: Date.now(), user_id: `u${i}`, session_id: '', correlation_id: '', source: 'http', properties: { endpoint: '/x', method: 'GET', status: 200, duration_ms: i } });

describe('quarantine of rows ClickHouse refuses', () => {
  it('stores the good rows of a refused batch and hands back only the bad ones', async () => {
    const spool = new Spool(`${dir}/spool`);
    spool.recover();
    const refused: Refused[] = [];
    const batcher = new Batcher(spool, createSink(store), { maxRows: 1000, maxBytes: 1 << 20, lingerMs: 5, concurrency: 1, retryMaxMs: 50 }, createMetrics(), createLogger('silent'), (r) => refused.push(...r));
    const lines = [];
    for (let i = 0; i < 37; i++) lines.push(i === 11 || i === 30 ? row(i, 'not a time') : row(i));
    const seg = batcher.add(Buffer.from(lines.join('\n') + '\n'), lines.length);
    await seg.committed;

    expect(refused).toHaveLength(2);
    expect(refused.map((r) => JSON.parse(r.line.toString()).user_id).sort()).toEqual(['u11', 'u30']);
    expect(refused[0].error).toMatch(/timestamp|DateTime|parse/i);
    const [{ n, m }] = await store.rows<{ n: string; m: string }>(`SELECT count() AS n, (SELECT sum(events) FROM sluice.rollup_1m WHERE project_id = 'q' AND metric = '') AS m FROM sluice.events WHERE project_id = 'q'`);
    expect(Number(n)).toBe(35);
    expect(Number(m)).toBe(35);
    expect(spool.bytes).toBe(0);
  });
});
