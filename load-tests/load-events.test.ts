// loadEvents (and the sink pipeline under it) on embedded ClickHouse: every generated event is
// stored once, in inserts of at least a batch, and loading the same events again stores nothing
// twice (each insert's dedup token comes from the load's settings and its number).
import fs from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createStore, type Store } from '../core/clickhouse.js';
import { loadConfig } from '../core/config.js';
import { migrate } from '../schema/migrate.js';
import { tempDir } from '../test/helpers/sluice.js';
import { loadEvents, type LoadOptions } from './generate-events.js';

const dataDir = tempDir('sluice-load-events-');
let store: Store;

beforeAll(async () => {
  const config = loadConfig({}, { dataDir, retentionRawDays: '30' });
  store = await createStore(config);
  await migrate(store, config);
});

afterAll(async () => {
  await store?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const stored = async (project: string): Promise<number> => {
  const [r] = await store.rows<{ n: string }>(`SELECT count() AS n FROM ${store.db}.events WHERE project_id = {p:String}`, { p: project });
  return Number(r!.n);
};

it('stores every event once, in inserts of at least a batch, and a second load adds nothing', async () => {
  const progress: number[] = [];
  const o: LoadOptions = { events: 3000, days: 2, seed: 11, end: Date.UTC(2026, 10, 20), project: 'load-a', batchRows: 700, onProgress: (rows) => progress.push(rows) };
  const r = await loadEvents(store, o);
  expect(r.rows).toBe(3000);
  expect(await stored('load-a')).toBe(3000);
  // Batches close on an hour boundary once they hold batchRows lines, so every insert but the last holds at least that many.
  expect(r.inserts).toBeGreaterThan(1);
  expect(r.inserts).toBeLessThanOrEqual(Math.ceil(3000 / 700));
  expect(progress).toHaveLength(r.inserts);
  expect(progress.at(-1)).toBe(3000);
  for (let i = 1; i < progress.length; i++) expect(progress[i]! - progress[i - 1]!).toBeGreaterThanOrEqual(i < progress.length - 1 ? 700 : 1);
  expect(progress[0]).toBeGreaterThanOrEqual(700);

  const again = await loadEvents(store, { ...o, onProgress: undefined });
  expect(again.inserts).toBe(r.inserts);
  expect(await stored('load-a')).toBe(3000);
}, 120_000);
