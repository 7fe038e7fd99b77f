// Per-key rate limits in events per second, with a burst allowance. In process, or shared
// through Redis (falling back to the in-process limiter while Redis is unreachable).
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  resetMs: number;
}

export class RateLimiter {
  private readonly limiter: RateLimiterAbstract | null;
  private readonly points: number;

  constructor(perSecond: number, burstSeconds: number, redis?: Redis, prefix = 'sluice:rl') {
    this.points = perSecond * burstSeconds;
    if (perSecond <= 0) {
      this.limiter = null;
      return;
    }
    const opts = { points: this.points, duration: burstSeconds, keyPrefix: prefix };
    const memory = new RateLimiterMemory(opts);
    this.limiter = redis ? new RateLimiterRedis({ ...opts, storeClient: redis, insuranceLimiter: memory, rejectIfRedisNotReady: false }) : memory;
  }

  async consume(key: string, n: number): Promise<RateDecision> {
    if (!this.limiter) return { allowed: true, limit: 0, remaining: 0, resetMs: 0 };
    // A request larger than the whole allowance is charged the allowance, so it can pass once the window resets.
    const cost = Math.max(1, Math.min(n, this.points));
    try {
      const r = await this.limiter.consume(key, cost);
      return { allowed: true, limit: this.points, remaining: r.remainingPoints, resetMs: r.msBeforeNext };
    } catch (res) {
      if (res instanceof RateLimiterRes) return { allowed: false, limit: this.points, remaining: Math.max(0, res.remainingPoints), resetMs: res.msBeforeNext };
      throw res;
    }
  }
}

export function rateLimitHeaders(d: RateDecision): Record<string, string> {
  if (d.limit === 0) return {};
  const reset = Math.max(1, Math.ceil(d.resetMs / 1000));
  const h: Record<string, string> = {
    'RateLimit-Limit': String(d.limit),
    'RateLimit-Remaining': String(d.remaining),
    'RateLimit-Reset': String(reset),
  };
  if (!d.allowed) h['Retry-After'] = String(reset);
  return h;
}
