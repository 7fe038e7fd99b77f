// The change feed behind live queries: the ingest side says which (project, event names) just
// committed to ClickHouse; the query side listens. In process without Redis; with Redis,
// through pub/sub on `sluice:live`, so a query instance hears inserts made by any ingest instance.
// Publishing never blocks or fails an insert: it is coalesced, sent later, and errors are logged.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from './logger.js';

export const LIVE_CHANNEL = 'sluice:live';
/** At most one message per this many ms per process, however many batches commit. */
export const COALESCE_MS = 250;

/** Event names that landed, per project. */
export type Landed = Readonly<Record<string, readonly string[]>>;
export type LandedListener = (landed: Landed) => void;

/** A message on the channel: `{"p": {"<project>": ["order", ...]}, "t": <ms>, "i": "<sender>"}`. */
interface Wire {
  p: Record<string, string[]>;
  t: number;
  i?: string;
}

export class LiveBus {
  private readonly listeners = new Set<LandedListener>();
  private readonly pending = new Map<string, Set<string>>();
  private timer: NodeJS.Timeout | null = null;
  private lastFlush = 0;
  private inflight: Promise<unknown> = Promise.resolve();
  /** Messages this process sent come back through Redis; they were delivered here already. */
  private readonly sender = randomUUID();
  private subscriber: Redis | null = null;
  private publishFailing = false;
  private closed = false;

  constructor(
    private readonly log: Logger,
    private readonly redis?: Redis,
  ) {}

  /** Ingest side: these events of `project` are committed. Never throws, never waits. */
  publish(project: string, events: Iterable<string>): void {
    if (this.closed) return;
    try {
      let set = this.pending.get(project);
      if (!set) this.pending.set(project, (set = new Set()));
      for (const e of events) set.add(e);
      if (this.timer) return;
      this.timer = setTimeout(() => this.flush(), Math.max(0, this.lastFlush + COALESCE_MS - Date.now()));
      this.timer.unref();
    } catch (err) {
      this.log.warn({ err: (err as Error)?.message }, 'live feed: publish failed');
    }
  }

  /** Query side: calls `listener` for every change; returns the function that stops it. */
  subscribe(listener: LandedListener): () => void {
    this.listeners.add(listener);
    if (this.listeners.size === 1) this.listenRedis(true);
    return () => {
      if (!this.listeners.delete(listener)) return;
      if (this.listeners.size === 0) this.listenRedis(false);
    };
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  /** Sends what is pending, stops listening. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.pending.size > 0) this.flush();
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.listeners.clear();
    await this.inflight;
    this.subscriber?.disconnect();
    this.subscriber = null;
  }

  private flush(): void {
    this.timer = null;
    this.lastFlush = Date.now();
    if (this.pending.size === 0) return;
    const p: Record<string, string[]> = {};
    for (const [project, events] of this.pending) p[project] = [...events];
    this.pending.clear();
    this.deliver(p);
    if (!this.redis) return;
    const text = JSON.stringify({ p, t: this.lastFlush, i: this.sender } satisfies Wire);
    this.inflight = this.redis.publish(LIVE_CHANNEL, text).then(
      () => {
        if (this.publishFailing) this.log.info('live feed: publishing to Redis works again');
        this.publishFailing = false;
      },
      (err: Error) => {
        if (!this.publishFailing) this.log.warn({ err: err.message }, 'live feed: publishing to Redis failed; other instances miss changes until it recovers');
        this.publishFailing = true;
      },
    );
  }

  private deliver(landed: Landed): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(landed);
      } catch (err) {
        this.log.warn({ err: (err as Error)?.message }, 'live feed: a listener failed');
      }
    }
  }

  /** The subscriber needs its own connection: a subscribed Redis connection takes no other commands. */
  private listenRedis(on: boolean): void {
    if (!this.redis || this.closed) return;
    if (!this.subscriber) {
      if (!on) return;
      // Unlike the shared connection, this one waits out outages: ioredis re-subscribes on reconnect.
      const sub = this.redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null, commandTimeout: undefined });
      let failing = false;
      sub.on('error', (err: Error) => {
        if (!failing) this.log.warn({ err: err.message }, 'live feed: Redis subscriber error');
        failing = true;
      });
      sub.on('ready', () => (failing = false));
      sub.on('message', (channel: string, text: string) => {
        if (channel !== LIVE_CHANNEL || this.listeners.size === 0) return;
        const wire = parseWire(text);
        if (wire && wire.i !== this.sender) this.deliver(wire.p);
      });
      this.subscriber = sub;
    }
    const done = (err: Error) => this.log.warn({ err: err.message }, 'live feed: Redis (un)subscribe failed');
    if (on) this.subscriber.subscribe(LIVE_CHANNEL).catch(done);
    else this.subscriber.unsubscribe(LIVE_CHANNEL).catch(done);
  }
}

function parseWire(text: string): Wire | null {
  try {
    const v = JSON.parse(text) as Partial<Wire>;
    if (!v || typeof v !== 'object' || !v.p || typeof v.p !== 'object' || Array.isArray(v.p)) return null;
    const p: Record<string, string[]> = {};
    for (const [project, events] of Object.entries(v.p)) {
      if (Array.isArray(events)) p[project] = events.filter((e): e is string => typeof e === 'string');
    }
    return { p, t: Number(v.t), i: typeof v.i === 'string' ? v.i : undefined };
  } catch {
    return null;
  }
}
