import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, tempDir } from '../test/helpers/sluice.js';
import type { Store } from './clickhouse.js';

// A statement the engine stops part-way, after it wrote some rows.
const STOPPED = `SELECT number AS secret, sleepEachRow(0.01) FROM numbers(1000) SETTINGS max_execution_time = 1, max_block_size = 10`;

let store: Store;
beforeAll(async () => {
  store = await openStore(tempDir());
});
afterAll(async () => store?.close());

describe('embedded connection after a failed statement', () => {
  it('the next statement gets its own result, not what the failed one wrote', async () => {
    await expect(store.rows(STOPPED)).rejects.toThrow(/Timeout exceeded/);
    expect(await store.rows(`SELECT 'mine' AS x`)).toEqual([{ x: 'mine' }]);
  });

  it('holds for statements sent while the failing one runs, through every client method', async () => {
    const failing = store.client.query({ query: STOPPED, format: 'JSONCompact' }).then((r) => r.json());
    const others = Promise.all([
      store.rows<{ x: string }>(`SELECT {v:String} AS x`, { v: 'a' }),
      store.client.query({ query: `SELECT 'b' AS x`, format: 'JSONEachRow' }).then((r) => r.json()),
      store.command(`SELECT 1`),
    ]);
    await expect(failing).rejects.toThrow(/Timeout exceeded/);
    const [a, b] = await others;
    expect(a).toEqual([{ x: 'a' }]);
    expect(b).toEqual([{ x: 'b' }]);
  });

  it('a result-row limit stop is cleaned up the same way', async () => {
    await expect(store.rows(`SELECT number AS leaked FROM numbers(100000) SETTINGS max_result_rows = 10, result_overflow_mode = 'throw', max_block_size = 100`)).rejects.toThrow(/Limit for result exceeded/);
    expect(await store.rows(`SELECT 'clean' AS x`)).toEqual([{ x: 'clean' }]);
  });
});
