// The query cache: shared through Redis by instances that share it, and never serving an answer
// over a live range older than its freshness bound.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ask, ingestAll } from './helpers/query.js';
import { startRedis, type RedisHandle } from './helpers/redis.js';
import { spawnSluice, type Child } from './helpers/sluice.js';

const CACHE_ENV = { SLUICE_CACHE_TTL: '1m', SLUICE_CACHE_FRESHNESS: '2s', SLUICE_QUERY_RATE_LIMIT: '0' };
let redis: RedisHandle;
let a: Child;
let b: Child;

beforeAll(async () => {
  redis = await startRedis();
  [a, b] = await Promise.all([
    spawnSluice({ env: { REDIS_URL: redis.url, ...CACHE_ENV } }),
    spawnSluice({ env: { REDIS_URL: redis.url, ...CACHE_ENV } }),
  ]);
});

afterAll(async () => {
  for (const c of [a, b]) if (c && c.proc.exitCode === null) await c.kill();
  await redis?.stop();
});

const cached = { 'cache-control': '' };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('query cache', () => {
  it('an answer computed by one instance is a hit on another sharing Redis', async () => {
    const now = Date.now();
    await ingestAll({ ingestUrl: a.ingestUrl }, a.writeKey, [{ event: 'cache_probe', timestamp: now - 1000, properties: {} }]);
    const q = { kind: 'timeseries', event: 'cache_probe', from: new Date(now - 3_600_000).toISOString(), to: new Date(now - 1_800_000).toISOString(), interval: '1m' };
    const first = await ask(a.queryUrl as string, a.readKey, q, undefined, cached);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.meta.cache).toBe('miss');
    // B has its own (empty) ClickHouse: only the shared cache can give it A's answer.
    const onB = await ask(b.queryUrl as string, b.readKey, q, undefined, cached);
    expect(onB.body.meta.cache).toBe('hit');
    expect(onB.body.rows).toEqual(first.body.rows);
    // Closed ranges outlive the freshness bound.
    await sleep(2500);
    expect((await ask(b.queryUrl as string, b.readKey, q, undefined, cached)).body.meta.cache).toBe('hit');
  });

  it('a range reaching now is served from the cache only within the freshness bound', async () => {
    const q = { kind: 'timeseries', event: 'cache_probe', range: '1h', interval: '1m' };
    const first = await ask(a.queryUrl as string, a.readKey, q, undefined, cached);
    expect(first.body.meta.cache).toBe('miss');
    expect((await ask(a.queryUrl as string, a.readKey, q, undefined, cached)).body.meta.cache).toBe('hit');
    await ingestAll({ ingestUrl: a.ingestUrl }, a.writeKey, [{ event: 'cache_probe', timestamp: Date.now() - 500, properties: {} }]);
    await sleep(2500);
    const later = await ask(a.queryUrl as string, a.readKey, q, undefined, cached);
    expect(later.body.meta.cache).toBe('miss');
    const total = (body: { rows: number[][] }): number => body.rows.reduce((n, r) => n + r[1], 0);
    expect(total(later.body)).toBe(total(first.body) + 1);
  });
});
