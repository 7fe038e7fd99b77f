import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { startRedis, type RedisHandle } from './redis.js';

describe('startRedis', () => {
  let handle: RedisHandle | undefined;

  afterEach(async () => {
    await handle?.stop();
    handle = undefined;
  });

  it('starts a usable redis-server and stops it', async () => {
    handle = await startRedis();
    expect(handle.url).toBe(`redis://127.0.0.1:${handle.port}`);

    const client = new Redis(handle.url);
    try {
      await client.set('sluice:test', 'hello');
      expect(await client.get('sluice:test')).toBe('hello');
    } finally {
      client.disconnect();
    }

    await handle.stop();
    await handle.stop(); // idempotent

    const after = new Redis(handle.url, {
      lazyConnect: true,
      connectTimeout: 500,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    after.on('error', () => {});
    try {
      await expect(after.connect()).rejects.toThrow();
    } finally {
      after.disconnect();
    }
  });

  it('gives each call its own server', async () => {
    const [a, b] = await Promise.all([startRedis(), startRedis()]);
    try {
      expect(a.port).not.toBe(b.port);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('explains how to install redis-server when it is missing', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(startRedis()).rejects.toThrow('scripts/ensure-debian.sh redis-server');
    } finally {
      process.env.PATH = path;
    }
  });
});
