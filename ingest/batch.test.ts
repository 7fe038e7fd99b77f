import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, type Store } from '../core/clickhouse.js';
import { loadConfig } from '../core/config.js';
import { createLogger } from '../core/logger.js';
import { createMetrics } from '../core/metrics.js';
import { migrate } from '../schema/migrate.js';
import { tempDir } from '../test/helpers/sluice.js';
import { Batcher } from './batch.js';
import { missingRows } from './recover.js';
import type { Refused } from './quarantine.js';
import { createSink, type SinkInsert } from './sink.js';
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

const rows = (project: string, n: number) =>
  Array.from({ length: n }, (_, i) =>
    JSON.stringify({ project_id: project, event: 'page_view', timestamp: Date.now() - i, event_id: crypto.randomUUID(), received_at: Date.now(), user_id: `u${i}`, session_id: '', correlation_id: '', source: 'http', properties: { path: `/${i}` } }),
  );
const count = async (project: string) => Number((await store.rows<{ n: string }>(`SELECT count() AS n FROM sluice.events WHERE project_id = {p:String}`, { p: project }))[0].n);
const apiRow = (i: number, timestamp: unknown = Date.now()) =>
  JSON.stringify({ project_id: 'q', event: 'api_request', timestamp, event_id: crypto.randomUUID(), received_at: Date.now(), user_id: `u${i}`, session_id: '', correlation_id: '', source: 'http', properties: { endpoint: '/x', method: 'GET', status: 200, duration_ms: i } });

const options = { maxRows: 1000, maxBytes: 1 << 20, lingerMs: 5, concurrency: 1, retryMaxMs: 50 };

describe('batcher retries', () => {
  it('stores rows a failed attempt left behind its recorded token, exactly once', async () => {
    const real = createSink(store);
    const tokens: string[] = [];
    // The first attempt fails after ClickHouse has recorded its token while its rows are gone:
    // what a cut between the dedup log and the part commit leaves.
    const insert: SinkInsert = async (token, body) => {
      tokens.push(token);
      if (tokens.length === 1) {
        await real(token, body);
        await store.command(`ALTER TABLE sluice.events DELETE WHERE project_id = 'retry' SETTINGS mutations_sync = 2`);
        throw new Error('connection reset');
      }
      return real(token, body);
    };
    const spool = new Spool(`${dir}/spool-a`);
    spool.recover();
    const batcher = new Batcher(spool, insert, options, createMetrics(), createLogger('silent'), undefined, (body) => missingRows(store, body));
    const lines = rows('retry', 50);
    await batcher.add(Buffer.from(lines.join('\n') + '\n'), lines.length).committed;
    expect(tokens).toHaveLength(2);
    expect(tokens[1]).not.toBe(tokens[0]);
    expect(await count('retry')).toBe(50);
  });

  it('retries under the same token when the failed attempt had stored the rows', async () => {
    const real = createSink(store);
    const tokens: string[] = [];
    const insert: SinkInsert = async (token, body) => {
      tokens.push(token);
      await real(token, body);
      if (tokens.length === 1) throw new Error('timeout after the server committed');
    };
    const spool = new Spool(`${dir}/spool-b`);
    spool.recover();
    const batcher = new Batcher(spool, insert, options, createMetrics(), createLogger('silent'), undefined, (body) => missingRows(store, body));
    const lines = rows('committed', 30);
    await batcher.add(Buffer.from(lines.join('\n') + '\n'), lines.length).committed;
    expect(tokens).toEqual([tokens[0], tokens[0]]);
    expect(await count('committed')).toBe(30);
    const [{ m }] = await store.rows<{ m: string }>(`SELECT sum(events) AS m FROM sluice.rollup_1m WHERE project_id = 'committed' AND metric = ''`);
    expect(Number(m)).toBe(30);
  });
});

describe('quarantine of rows ClickHouse refuses', () => {
  it('stores the good rows of a refused batch and hands back only the bad ones', async () => {
    const spool = new Spool(`${dir}/spool`);
    spool.recover();
    const refused: Refused[] = [];
    const batcher = new Batcher(spool, createSink(store), { maxRows: 1000, maxBytes: 1 << 20, lingerMs: 5, concurrency: 1, retryMaxMs: 50 }, createMetrics(), createLogger('silent'), (r) => refused.push(...r));
    const lines = [];
    for (let i = 0; i < 37; i++) lines.push(i === 11 || i === 30 ? apiRow(i, 'not a time') : apiRow(i));
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
