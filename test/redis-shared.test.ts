import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisOnPort } from './helpers/redis-port.js';
import { startRedis, type RedisHandle } from './helpers/redis.js';
import { openStore, postEvents, spawnSluice, type Child } from './helpers/sluice.js';
import { until } from './helpers/until.js';

// Two instances, each with its own data directory, sharing one Redis. Every answer is tallied
// so that the end can check that exactly the acknowledged events were stored.
let redis: RedisHandle;
let later: { stop(): Promise<void> } | undefined;
let admin: Redis;
let a: Child;
let b: Child;
const accepted = new Map<Child, number>();

// A: 10 events/s with 60 s of burst: 600 events, then 429 until the minute is over.
const RATE_ENV = { SLUICE_RATE_LIMIT_EVENTS: '10', SLUICE_RATE_LIMIT_BURST: '60' };

beforeAll(async () => {
  redis = await startRedis();
  admin = new Redis(redis.url, { maxRetriesPerRequest: 1, lazyConnect: true });
  admin.on('error', () => undefined);
  await admin.connect();
  a = await spawnSluice({ env: { REDIS_URL: redis.url, ...RATE_ENV } });
  b = await spawnSluice({ env: { REDIS_URL: redis.url } });
});

afterAll(async () => {
  admin?.disconnect();
  for (const c of [a, b]) if (c && c.proc.exitCode === null && c.proc.signalCode === null) await c.kill();
  await later?.stop();
  await redis?.stop();
});

async function post(c: Child, events: unknown[], timeoutMs = 60_000): Promise<{ status: number; body: any; headers: Headers }> {
  const r = await Promise.race([
    postEvents(`${c.ingestUrl}/v1/events`, c.writeKey, JSON.stringify(events)),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)),
  ]);
  if (r.status === 200) accepted.set(c, (accepted.get(c) ?? 0) + r.body.accepted);
  return r;
}

const withIds = (event: string, ids: string[]) => ids.map((event_id) => ({ event, event_id }));

describe('instances sharing Redis', () => {
  it('an event_id accepted by one instance is a duplicate at the other', async () => {
    const [x, y] = [randomUUID(), randomUUID()];
    expect((await post(a, withIds('shared_dedup', [x]))).body).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    expect((await post(b, withIds('shared_dedup', [x, y]))).body).toEqual({ accepted: 1, duplicates: 1, rejected: [] });
    expect((await post(a, withIds('shared_dedup', [y, x]))).body).toEqual({ accepted: 0, duplicates: 2, rejected: [] });
    expect(await admin.exists(`sluice:dedup:default:${x}`)).toBe(1);
  });

  it('keeps rate-limit state in Redis', async () => {
    // start from a full allowance whatever the tests before spent
    const spent = await admin.keys('sluice:rl*');
    if (spent.length > 0) await admin.del(...spent);
    const burst = Array.from({ length: 600 }, () => ({ event: 'shared_rate' }));
    const first = await post(a, burst);
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-limit')).toBe('600');

    const over = await post(a, [{ event: 'shared_rate' }]);
    expect(over.status).toBe(429);
    expect(over.body.error.code).toBe('SLUICE_E_RATE_LIMITED');
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(over.headers.get('ratelimit-remaining')).toBe('0');
    // a second connection of the same key is refused as well
    const again = await fetch(`${a.ingestUrl}/v1/events`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${a.writeKey}`, 'Content-Type': 'application/json', Connection: 'close' },
      body: '{"event":"shared_rate"}',
    });
    expect(again.status).toBe(429);

    const rlKeys = await admin.keys('sluice:rl*');
    expect(rlKeys.length).toBeGreaterThan(0);
    // Clearing Redis clears the limit: the in-process limiter only stands in while Redis is away.
    await admin.del(...rlKeys);
    const after = await post(a, [{ event: 'shared_rate' }]);
    expect(after.status).toBe(200);
    // B's key has its own (default) limit and was never limited
    expect((await post(b, [{ event: 'shared_rate' }])).status).toBe(200);
  });

  it('keeps answering while Redis hangs', async () => {
    // Redis holds every command (CLIENT UNPAUSE too) for 90 s; an instance must not wait for it.
    // The outage test below stops this Redis, so nothing waits for the pause to end.
    await admin.call('CLIENT', 'PAUSE', '90000', 'ALL');
    const id = randomUUID();
    expect((await post(a, withIds('shared_hang', [id]), 30_000)).body).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    expect((await post(a, withIds('shared_hang', [id]), 30_000)).body).toEqual({ accepted: 0, duplicates: 1, rejected: [] });
  });

  it('survives a Redis outage: accepts, stores and deduplicates in process, then shares again', async () => {
    await redis.stop();
    const during = Array.from({ length: 100 }, () => randomUUID());
    const first = await post(a, withIds('shared_outage', during));
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ accepted: 100, duplicates: 0, rejected: [] });
    const repeat = await post(a, withIds('shared_outage', [during[0], during[99], randomUUID()]));
    expect(repeat.body).toEqual({ accepted: 1, duplicates: 2, rejected: [] });
    const atB = await post(b, withIds('shared_outage_b', [randomUUID(), randomUUID()]));
    expect(atB.body).toEqual({ accepted: 2, duplicates: 0, rejected: [] });

    // Redis comes back where the instances expect it; both reconnect on their own.
    later = await redisOnPort(redis.port);
    await until(
      async () => {
        const id = randomUUID();
        await post(a, withIds('shared_back', [id]));
        return (await post(b, withIds('shared_back', [id]))).body.duplicates === 1;
      },
      'both instances to share dedup through Redis again',
      60_000,
      250,
    );
    // ids seen only in process during the outage are still duplicates there
    expect((await post(a, withIds('shared_outage', during.slice(0, 5)))).body).toEqual({ accepted: 0, duplicates: 5, rejected: [] });
  });

  it('stored exactly the events it acknowledged', async () => {
    const expected = new Map([...accepted].map(([c, n]) => [c, n]));
    expect(await a.stop()).toBe(0);
    expect(await b.stop()).toBe(0);
    for (const c of [a, b]) {
      const store = await openStore(c.dataDir);
      try {
        const rows = await store.rows<{ n: string; ids: string }>(`SELECT count() AS n, uniqExact(event_id) AS ids FROM sluice.events`);
        expect(Number(rows[0].n)).toBe(expected.get(c));
        expect(Number(rows[0].ids)).toBe(expected.get(c));
      } finally {
        await store.close();
      }
    }
  });
});
