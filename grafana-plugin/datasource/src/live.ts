import { Observable, Subscriber } from 'rxjs';

import { DslQuery, SluiceAnswer } from './types';

/** What a subscriber of one live query receives: a fresh answer, or Sluice's error. */
export type LiveUpdate =
  | { type: 'result'; answer: SluiceAnswer }
  | { type: 'error'; code?: string; message: string; problems?: Array<{ path: string; message: string }> };

/** The part of the browser's WebSocket the live connection uses (so tests can inject a fake). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code?: number; reason?: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export type WebSocketFactory = (url: string) => WebSocketLike;

export interface LiveOptions {
  /** Opens a socket; the browser's WebSocket by default. */
  createSocket?: WebSocketFactory;
  /** Reconnect delays: the first, doubled after each failed attempt up to the last. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** `interval` of every subscription (the server's default when unset). */
  interval?: string;
  /**
   * How long the socket stays open after its last subscription ends (default 1 s): a dashboard
   * refresh drops its panels' subscriptions and makes new ones at once, and they reuse the
   * socket instead of reconnecting. 0 closes at once.
   */
  idleCloseMs?: number;
}

const OPEN = 1;

interface Subscription {
  query: DslQuery;
  subscriber: Subscriber<LiveUpdate>;
}

/**
 * `ws(s)://<host><proxy url>/sluice/api/v1/live`: the data source's proxy path made absolute
 * against the page, so the upgrade goes through Grafana's data-source proxy, whose route adds
 * the read key on the server.
 */
export function liveUrl(proxyUrl: string, route: string, base: string = window.location.href): string {
  const url = new URL(`${proxyUrl}/${route}/api/v1/live`, base);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

/**
 * One WebSocket to `WS /api/v1/live` shared by every live panel of a data source: each
 * subscription has its own id on it. The socket opens with the first subscription, closes with
 * the last, and reopens with backoff (subscribing everything again) if it drops in between.
 */
export class LiveConnection {
  private socket: WebSocketLike | null = null;
  private readonly subs = new Map<string, Subscription>();
  private nextId = 1;
  private attempts = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private idleTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly idleCloseMs: number;
  private readonly createSocket: WebSocketFactory;
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;

  constructor(
    private readonly url: () => string,
    private readonly options: LiveOptions = {}
  ) {
    this.createSocket = options.createSocket ?? ((u) => new WebSocket(u) as unknown as WebSocketLike);
    this.minBackoffMs = options.minBackoffMs ?? 1000;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.idleCloseMs = options.idleCloseMs ?? 1000;
  }

  /** Subscriptions currently held (for tests and diagnostics). */
  get size(): number {
    return this.subs.size;
  }

  get connected(): boolean {
    return this.socket !== null;
  }

  /** Fresh answers of `query` for as long as the returned Observable is subscribed. */
  subscribe(query: DslQuery, label = 'q'): Observable<LiveUpdate> {
    return new Observable<LiveUpdate>((subscriber) => {
      const id = `${label}-${this.nextId++}`;
      this.subs.set(id, { query, subscriber });
      this.cancelIdleClose();
      if (this.socket?.readyState === OPEN) {
        this.sendSubscribe(id, query);
      } else {
        this.ensureSocket();
      }
      return () => this.unsubscribe(id);
    });
  }

  private unsubscribe(id: string): void {
    if (!this.subs.delete(id)) {
      return;
    }
    if (this.socket?.readyState === OPEN) {
      this.send({ type: 'unsubscribe', id });
    }
    if (this.subs.size === 0) {
      if (this.idleCloseMs > 0 && this.socket) {
        this.idleTimer = setTimeout(() => {
          this.idleTimer = null;
          if (this.subs.size === 0) {
            this.shutdown();
          }
        }, this.idleCloseMs);
      } else {
        this.shutdown();
      }
    }
  }

  private cancelIdleClose(): void {
    if (this.idleTimer) {
      clearTimeout(this.idleTimer);
      this.idleTimer = null;
    }
  }

  private shutdown(): void {
    this.cancelIdleClose();
    if (this.reconnectTimer) {
      clearTimeout(this.reconnectTimer);
      this.reconnectTimer = null;
    }
    const socket = this.socket;
    this.socket = null;
    this.attempts = 0;
    if (socket) {
      socket.onclose = null;
      socket.onmessage = null;
      socket.onerror = null;
      socket.onopen = null;
      socket.close(1000, 'no subscriptions');
    }
  }

  private ensureSocket(): void {
    if (this.socket || this.reconnectTimer) {
      return;
    }
    let socket: WebSocketLike;
    try {
      socket = this.createSocket(this.url());
    } catch (err) {
      this.broadcast({ type: 'error', message: `Cannot open the live connection: ${(err as Error).message}` });
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      for (const [id, sub] of this.subs) {
        this.sendSubscribe(id, sub.query);
      }
    };
    socket.onmessage = (event) => this.onMessage(event.data);
    socket.onerror = () => {
      // a close event follows, which reconnects
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) {
        return;
      }
      this.socket = null;
      if (this.subs.size > 0) {
        const delay = this.scheduleReconnect();
        this.broadcast({
          type: 'error',
          message: `The live connection to Sluice closed (code ${event.code ?? 'unknown'}${event.reason ? `: ${event.reason}` : ''}); reconnecting in ${Math.round(delay / 1000)}s`,
        });
      }
    };
  }

  private scheduleReconnect(): number {
    const delay = Math.min(this.maxBackoffMs, this.minBackoffMs * 2 ** this.attempts);
    this.attempts++;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.subs.size > 0) {
        this.ensureSocket();
      }
    }, delay);
    return delay;
  }

  private onMessage(data: unknown): void {
    let message: {
      type?: string;
      id?: string | null;
      answer?: SluiceAnswer;
      error?: { code?: string; message?: string; problems?: Array<{ path: string; message: string }> };
    };
    try {
      message = JSON.parse(String(data));
    } catch {
      return;
    }
    // A message came through: the connection works, so the next drop starts over with a short wait.
    this.attempts = 0;
    if (message.type === 'result' && message.answer) {
      this.subs.get(String(message.id))?.subscriber.next({ type: 'result', answer: message.answer });
    } else if (message.type === 'error') {
      const update: LiveUpdate = {
        type: 'error',
        code: message.error?.code,
        message: message.error?.code
          ? `${message.error.code}: ${message.error.message ?? ''}`
          : (message.error?.message ?? 'Sluice sent an error'),
        problems: message.error?.problems,
      };
      // An error without an id (a message Sluice could not read) concerns every subscription.
      if (message.id === null || message.id === undefined) {
        this.broadcast(update);
      } else {
        this.subs.get(String(message.id))?.subscriber.next(update);
      }
    }
  }

  private sendSubscribe(id: string, query: DslQuery): void {
    this.send({ type: 'subscribe', id, query, ...(this.options.interval ? { interval: this.options.interval } : {}) });
  }

  private send(message: object): void {
    this.socket?.send(JSON.stringify(message));
  }

  private broadcast(update: LiveUpdate): void {
    for (const sub of this.subs.values()) {
      sub.subscriber.next(update);
    }
  }
}

const MINUTE = 60_000;
/** Units of the DSL's relative `range`, coarsest first, in minutes. */
const RANGE_UNITS: ReadonlyArray<[string, number]> = [
  ['w', 7 * 1440],
  ['d', 1440],
  ['h', 60],
  ['m', 1],
];
/** The DSL takes at most five digits in a relative range. */
const MAX_RANGE_COUNT = 99_999;

/** `span` as the DSL's relative range (`6h`, `90m`, `7d`), in the coarsest unit that fits exactly. */
export function relativeRange(span: number): string | undefined {
  const minutes = Math.round(span / MINUTE);
  if (minutes < 1) {
    return undefined;
  }
  const [unit, size] = RANGE_UNITS.find(([, m]) => minutes % m === 0) ?? ['m', 1];
  const count = minutes / size;
  return count <= MAX_RANGE_COUNT ? `${count}${unit}` : undefined;
}

/**
 * The document a live panel subscribes with. Sluice re-runs a subscription as events land, so a
 * dashboard range ending now is sent as the DSL's relative `range` of the same length and keeps
 * moving; fixed `from`/`to` would stay where the panel first asked. A range ending in the past,
 * and a raw document naming its own range, are sent unchanged.
 */
export function liveDocument(
  doc: DslQuery,
  range: { from: number; to: number; rawTo: unknown },
  ownRange = false
): DslQuery {
  if (ownRange || range.rawTo !== 'now' || doc.range !== undefined) {
    return doc;
  }
  const relative = relativeRange(range.to - range.from);
  if (!relative) {
    return doc;
  }
  const { from: _from, to: _to, ...rest } = doc;
  return { ...rest, range: relative };
}
