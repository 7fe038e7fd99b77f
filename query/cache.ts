// Query answers cached per project and normalised query: in process (lru-cache, bounded by
// bytes) or in Redis when REDIS_URL is set, so every instance shares them. An answer over a
// range that reaches now is served only while younger than the freshness bound; one over a
// closed range lives for the cache TTL.
import crypto from 'node:crypto';
import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import type { Config } from '../core/config.js';
import type { Answer } from './types.js';

interface Entry {
  at: number;
  answer: Answer;
}

/** Keys sorted at every level, so that field order never splits the cache. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
  }
  return v;
}

export function cacheKey(project: string, query: unknown): string {
  return crypto.createHash('sha256').update(JSON.stringify([project, canonical(query)])).digest('base64url');
}

export class QueryCache {
  private readonly local: LRUCache<string, string> | null;

  constructor(
    private readonly config: Config,
    private readonly redis?: Redis,
  ) {
    this.local = config.cacheTtlMs > 0 && config.cacheMaxBytes > 0 && !redis
      ? new LRUCache<string, string>({ maxSize: config.cacheMaxBytes, sizeCalculation: (v) => v.length * 2 + 100, ttl: config.cacheTtlMs })
      : null;
  }

  private get enabled(): boolean {
    return this.config.cacheTtlMs > 0;
  }

  async get(key: string, live: boolean, now = Date.now()): Promise<Answer | null> {
    if (!this.enabled) return null;
    let text: string | null | undefined;
    if (this.redis) text = await this.redis.get(`sluice:qc:${key}`).catch(() => null);
    else text = this.local?.get(key);
    if (!text) return null;
    const entry = JSON.parse(text) as Entry;
    if (live && now - entry.at > this.config.cacheFreshnessMs) return null;
    return entry.answer;
  }

  async set(key: string, answer: Answer, live: boolean, now = Date.now()): Promise<void> {
    if (!this.enabled) return;
    const ttl = live ? Math.min(this.config.cacheFreshnessMs, this.config.cacheTtlMs) : this.config.cacheTtlMs;
    if (ttl <= 0) return;
    const text = JSON.stringify({ at: now, answer } satisfies Entry);
    if (this.redis) await this.redis.set(`sluice:qc:${key}`, text, 'PX', ttl).catch(() => undefined);
    else this.local?.set(key, text, { ttl });
  }
}
