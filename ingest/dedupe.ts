// dedupe: an event_id seen in the same project within the window is a duplicate. Only ids
// the client chose need remembering: server-assigned UUIDv7s cannot repeat.
// In process: time-sliced sets (a slice is dropped whole once older than the window).
// With Redis: SET NX with the window as expiry, so every instance shares one memory.
import type { Redis } from 'ioredis';
import type { Logger } from '../core/logger.js';

export interface Deduper {
  /** For each id, true when it is a duplicate; ids not seen before are remembered. */
  check(project: string, ids: string[]): Promise<boolean[]>;
  /** Forget ids that were checked but then not accepted (e.g. spool refused the request). */
  forget(project: string, ids: string[]): Promise<void>;
  /** Remember ids already stored (start-up seeding). */
  remember(project: string, ids: string[]): void;
  size(): number;
}

const SLICES = 15;

export class MemoryDeduper implements Deduper {
  /** id -> start of the slice it was first seen in: one lookup per id. */
  private seen = new Map<string, number>();
  /** Slices in time order, each listing the ids it added, so a whole slice expires at once. */
  private slices: { start: number; keys: string[] }[] = [];
  private readonly sliceMs: number;

  constructor(
    private readonly windowMs: number,
    private readonly maxIds: number,
    private readonly now: () => number = Date.now,
  ) {
    this.sliceMs = Math.max(1, Math.ceil(windowMs / SLICES));
  }

  private dropOldest(): void {
    const s = this.slices.shift()!;
    // An id forgotten and seen again later belongs to a newer slice: keep it.
    for (const k of s.keys) if (this.seen.get(k) === s.start) this.seen.delete(k);
  }

  // Drop every slice whose ids were all seen longer than the window ago.
  private prune(t: number): void {
    while (this.slices.length > 0 && this.slices[0].start + this.sliceMs <= t - this.windowMs) this.dropOldest();
  }

  private current(): { start: number; keys: string[] } {
    const t = this.now();
    this.prune(t);
    let last = this.slices[this.slices.length - 1];
    if (!last || t >= last.start + this.sliceMs) {
      last = { start: t - (t % this.sliceMs), keys: [] };
      this.slices.push(last);
    }
    while (this.seen.size > this.maxIds && this.slices.length > 1) this.dropOldest();
    return last;
  }

  async check(project: string, ids: string[]): Promise<boolean[]> {
    const cur = this.current();
    return ids.map((id) => {
      const k = `${project}\u0000${id}`;
      if (this.seen.has(k)) return true;
      this.seen.set(k, cur.start);
      cur.keys.push(k);
      return false;
    });
  }

  /** For each id, true when it is remembered; remembers nothing. */
  has(project: string, ids: string[]): boolean[] {
    this.prune(this.now());
    return ids.map((id) => this.seen.has(`${project}\u0000${id}`));
  }

  async forget(project: string, ids: string[]): Promise<void> {
    for (const id of ids) this.seen.delete(`${project}\u0000${id}`);
  }

  remember(project: string, ids: string[]): void {
    const cur = this.current();
    for (const id of ids) {
      const k = `${project}\u0000${id}`;
      this.seen.set(k, cur.start);
      cur.keys.push(k);
    }
  }

  size(): number {
    return this.seen.size;
  }
}

export class RedisDeduper implements Deduper {
  constructor(
    private readonly redis: Redis,
    private readonly windowMs: number,
    private readonly fallback: MemoryDeduper,
    private readonly log: Logger,
  ) {}

  private key(project: string, id: string): string {
    return `sluice:dedup:${project}:${id}`;
  }

  async check(project: string, ids: string[]): Promise<boolean[]> {
    if (ids.length === 0) return [];
    try {
      const pipe = this.redis.pipeline();
      for (const id of ids) pipe.set(this.key(project, id), '1', 'PX', this.windowMs, 'NX');
      const results = (await pipe.exec()) ?? [];
      const dup = results.map(([err, res]) => {
        if (err) throw err;
        return res === null;
      });
      // Ids seen in process while Redis was unreachable stay duplicates once it is back.
      if (this.fallback.size() === 0) return dup;
      const local = this.fallback.has(project, ids);
      return dup.map((d, i) => d || local[i]);
    } catch (err) {
      // Redis down must not stop ingestion: dedupe in process until it is back.
      this.log.warn({ err: (err as Error).message }, 'redis dedup unavailable; deduplicating in process');
      return this.fallback.check(project, ids);
    }
  }

  async forget(project: string, ids: string[]): Promise<void> {
    await this.fallback.forget(project, ids);
    if (ids.length === 0) return;
    try {
      await this.redis.del(...ids.map((id) => this.key(project, id)));
    } catch {
      // the ids expire with the window anyway
    }
  }

  remember(): void {
    // Redis keeps its own memory across restarts.
  }

  size(): number {
    return this.fallback.size();
  }
}
