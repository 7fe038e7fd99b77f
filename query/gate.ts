// How often and how many at once: each read key or JWT subject gets SLUICE_QUERY_RATE_LIMIT
// queries/s (bursts of twice that, shared through Redis when there is one) and at most
// SLUICE_QUERY_MAX_CONCURRENT queries running in this process.
import type { Redis } from 'ioredis';
import type { Config } from '../core/config.js';
import { SluiceError } from '../core/errors.js';
import { RateLimiter, rateLimitHeaders } from '../core/rate-limit.js';
import type { Principal } from './types.js';

const BURST_SECONDS = 2;

/** A 429 from the gate; `headers` (RateLimit-*, Retry-After) belong on the answer. */
export class QueryLimited extends SluiceError {
  constructor(
    message: string,
    retryAfterS: number,
    readonly headers: Record<string, string>,
    /** Which limit refused: the rate (wait for the window) or the running queries (wait for one to end). */
    readonly limit: 'rate' | 'concurrency' = 'rate',
  ) {
    super('SLUICE_E_RATE_LIMITED', message, { retry_after_s: retryAfterS });
  }
}

export interface Pass {
  /** Frees the concurrency slot; calling it again does nothing. */
  release(): void;
  /** RateLimit-* headers for the answer. */
  headers: Record<string, string>;
}

export class QueryGate {
  private readonly limiter: RateLimiter;
  private readonly running = new Map<string, number>();

  constructor(
    private readonly config: Config,
    redis?: Redis,
  ) {
    this.limiter = new RateLimiter(config.queryRateLimit, BURST_SECONDS, redis, 'sluice:rlq');
  }

  /** Admits one query of `cost` (default 1) or throws QueryLimited. */
  async enter(p: Principal, cost = 1): Promise<Pass> {
    // The subject's kind is part of the key: a JWT `sub` may look like a key id.
    const who = `${p.via}:${p.subject}`;
    const max = this.config.queryMaxConcurrent;
    const now = this.running.get(who) ?? 0;
    if (now >= max) {
      throw new QueryLimited(`Concurrency limit: ${max} queries may run at once for this ${subjectKind(p)} (SLUICE_QUERY_MAX_CONCURRENT); wait for one to finish`, 1, { 'Retry-After': '1' }, 'concurrency');
    }
    // The slot is taken before the rate check awaits, so concurrent entries cannot overshoot.
    this.running.set(who, now + 1);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      const left = (this.running.get(who) ?? 1) - 1;
      if (left <= 0) this.running.delete(who);
      else this.running.set(who, left);
    };
    try {
      const decision = await this.limiter.consume(who, cost);
      const headers = rateLimitHeaders(decision);
      if (!decision.allowed) {
        const rate = this.config.queryRateLimit;
        const retry = Math.max(1, Math.ceil(decision.resetMs / 1000));
        throw new QueryLimited(
          `Rate limit: ${rate} queries/s (bursts of ${rate * BURST_SECONDS}) for this ${subjectKind(p)} exceeded (SLUICE_QUERY_RATE_LIMIT); retry in ${retry} s`,
          retry,
          headers,
        );
      }
      return { release, headers };
    } catch (err) {
      release();
      throw err;
    }
  }

  /** Queries running now for this caller (for tests and metrics). */
  runningFor(p: Principal): number {
    return this.running.get(`${p.via}:${p.subject}`) ?? 0;
  }
}

function subjectKind(p: Principal): string {
  if (p.via === 'read_key') return 'read key';
  if (p.via === 'jwt') return 'JWT subject';
  return 'admin token';
}
