import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, type Store } from '../core/clickhouse.js';
import { loadConfig } from '../core/config.js';
import { tempDir } from '../test/helpers/sluice.js';
import { migrate } from './migrate.js';
import { MIGRATIONS } from './migrations/index.js';

const dataDir = tempDir();
let store: Store;
beforeAll(async () => {
  store = await createStore(loadConfig({}, { dataDir }));
});
afterAll(async () => {
  await store?.close();
});

const ttlOf = async (table: string): Promise<string> => {
  const [r] = await store.rows<{ q: string }>(`SELECT create_table_query AS q FROM system.tables WHERE database = 'sluice' AND name = {t:String}`, { t: table });
  return /TTL (.*?)(SETTINGS|$)/.exec(r.q)?.[1]?.trim() ?? '';
};

describe('migrations', () => {
  it('apply in order once, and are recorded', async () => {
    const config = loadConfig({}, { dataDir });
    expect(await migrate(store, config)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(await migrate(store, config)).toEqual([]);
    const rows = await store.rows<{ version: number; name: string }>(`SELECT version, name FROM sluice.schema_migrations ORDER BY version`);
    expect(rows.map((r) => Number(r.version))).toEqual(MIGRATIONS.map((m) => m.version));
    const tables = (await store.rows<{ name: string }>(`SELECT name FROM system.tables WHERE database = 'sluice' ORDER BY name`)).map((r) => r.name);
    for (const t of ['events', 'rejects', 'projects', 'api_keys', 'rollup_1m', 'rollup_1h', 'rollup_1d', 'rollup_1m_mv', 'rollup_1h_mv', 'rollup_1d_mv', 'property_values', 'property_values_mv']) {
      expect(tables).toContain(t);
    }
  });

  it('create tables with the configured retention and follow a changed setting', async () => {
    expect(await ttlOf('events')).toContain('toIntervalDay(30)');
    expect(await ttlOf('rollup_1h')).toContain('toIntervalDay(400)');
    expect(await ttlOf('rollup_1d')).toBe('');
    await migrate(store, loadConfig({}, { dataDir, retentionRawDays: '7', retention1dDays: '3650', retention1hDays: '90' }));
    expect(await ttlOf('events')).toContain('toIntervalDay(7)');
    expect(await ttlOf('rollup_1h')).toContain('toIntervalDay(90)');
    expect(await ttlOf('rollup_1d')).toContain('toIntervalDay(3650)');
    await migrate(store, loadConfig({}, { dataDir }));
    expect(await ttlOf('rollup_1d')).toBe('');
    expect(await ttlOf('events')).toContain('toIntervalDay(30)');
  });
});
