// Which instance evaluates alerts. With Redis: the one holding a lock with expiry (SET NX PX),
// renewed by its holder on every tick and taken over by another instance once it expires
// because the holder died. A random token per instance means only the holder renews or
// releases. Without Redis the process is the only evaluator.
import crypto from 'node:crypto';
import type { Redis } from 'ioredis';

const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
export const LOCK_KEY = 'sluice:alerts:evaluator';

export interface EvaluatorLock {
  /** Takes or renews the lock; true while this instance may evaluate. */
  hold(): Promise<boolean>;
  release(): Promise<void>;
  readonly holder: string;
}

export class LocalLock implements EvaluatorLock {
  readonly holder = 'local';
  async hold(): Promise<boolean> {
    return true;
  }
  async release(): Promise<void> {}
}

export class RedisLock implements EvaluatorLock {
  readonly holder = crypto.randomUUID();
  private heldUntil = 0;

  constructor(
    private readonly redis: Redis,
    private readonly ttlMs: number,
    private readonly key = LOCK_KEY,
  ) {}

  async hold(): Promise<boolean> {
    const started = Date.now();
    try {
      let ok: boolean;
      if (this.heldUntil > started) ok = Number(await this.redis.eval(RENEW, 1, this.key, this.holder, String(this.ttlMs))) === 1;
      else ok = false;
      if (!ok) ok = (await this.redis.set(this.key, this.holder, 'PX', this.ttlMs, 'NX')) === 'OK';
      // Counted from before the call: the lock may have been set at any moment of the round trip.
      this.heldUntil = ok ? started + this.ttlMs : 0;
      return ok;
    } catch {
      // Redis unreachable: keep evaluating only while the lock we last saw is surely still ours.
      return this.heldUntil > Date.now();
    }
  }

  async release(): Promise<void> {
    if (this.heldUntil === 0) return;
    this.heldUntil = 0;
    try {
      await this.redis.eval(RELEASE, 1, this.key, this.holder);
    } catch {
      // It expires on its own.
    }
  }
}
