// WS /api/v1/live: subscribe to a query, get its answer again as events of its project land.
// A subscription re-runs at most once per interval, trailing: whatever lands during the wait
// causes one re-query once the interval has passed. Re-queries skip the cache (it would hand
// back what they replace) and pass the caller's query gate; a refused one is retried at the
// next interval. Closing the socket or unsubscribing frees every timer and entry.
import type { HttpRequest, HttpResponse, TemplatedApp, WebSocket, us_socket_context_t } from 'uWebSockets.js';
import { SluiceError } from '../core/errors.js';
import type { Landed, LiveBus } from '../core/live-bus.js';
import { parseDuration } from '../core/units.js';
import { sendError } from '../ingest/respond.js';
import { requireRole, type Caller } from './auth.js';
import type { QueryDeps } from './deps.js';
import { QueryLimited } from './gate.js';
import type { Query } from './types.js';
import { wsSettings } from '../core/http-util.js';

export const MAX_SUBSCRIPTIONS_PER_SOCKET = 50;
const MAX_INTERVAL_MS = 86_400_000;
const MAX_ID_LENGTH = 200;
/** Close code for a client that does not read what it is sent (policy violation). */
const CLOSE_NOT_READING = 1008;
const CLOSE_GOING_AWAY = 1001;
/** How soon a run refused for the caller's concurrency is tried again (plus as much jitter). */
const CONCURRENCY_RETRY_MS = 200;

interface Conn {
  caller: Caller;
  subs: Map<string, Sub>;
  ws: WebSocket<Conn> | null;
  closed: boolean;
}

interface Sub {
  id: string;
  conn: Conn;
  query: unknown;
  kind: string;
  /** Event names whose arrival makes the answer stale; null: any event of the project. */
  events: ReadonlySet<string> | null;
  intervalMs: number;
  /** When the last run (or refused attempt) started. */
  lastRun: number;
  /** Events landed (or a run was refused) since the last run started. */
  stale: boolean;
  running: AbortController | null;
  timer: NodeJS.Timeout | null;
  alive: boolean;
}

interface ClientMessage {
  type?: unknown;
  id?: unknown;
  query?: unknown;
  interval?: unknown;
}

export interface LiveStats {
  sockets: number;
  subscriptions: number;
  timers: number;
}

export interface Live {
  close(): void;
  stats(): LiveStats;
}

/** The events a query reads; null when any event of the project can change its answer. */
function eventsOf(q: Query): ReadonlySet<string> | null {
  if (q.kind === 'funnel') return new Set((q.steps ?? []).map((s) => s.event));
  if (q.kind === 'retention') return new Set([q.start_event, q.return_event].filter((e): e is string => e !== undefined));
  return q.event === undefined ? null : new Set([q.event]);
}

export function registerLive(app: TemplatedApp, deps: QueryDeps & { bus: LiveBus }): Live {
  const { config, log } = deps;
  const sockets = new Set<Conn>();
  const byProject = new Map<string, Set<Sub>>();
  let subscriptions = 0;
  let unlisten: (() => void) | null = null;
  let closing = false;

  const send = (conn: Conn, value: object): void => {
    const ws = conn.ws;
    if (conn.closed || !ws) return;
    if (ws.getBufferedAmount() > config.wsMaxBackpressureBytes) {
      ws.end(CLOSE_NOT_READING, 'too many unsent bytes: the client does not read');
      return;
    }
    ws.cork(() => ws.send(JSON.stringify(value), false));
  };

  const sendFailure = (conn: Conn, id: string | null, err: unknown): void => {
    const e = err instanceof SluiceError ? err : new SluiceError('SLUICE_E_INTERNAL', (err as Error)?.message ?? String(err));
    if (e.status >= 500) log.warn({ err: e.message, id }, 'live query failed');
    send(conn, { type: 'error', id, ...e.toJSON() });
  };

  const schedule = (sub: Sub): void => {
    if (!sub.alive || !sub.stale || sub.running || sub.timer) return;
    const wait = sub.lastRun + sub.intervalMs - Date.now();
    if (wait <= 0) {
      void run(sub);
      return;
    }
    sub.timer = setTimeout(() => {
      sub.timer = null;
      void run(sub);
    }, wait);
    sub.timer.unref();
  };

  const run = async (sub: Sub): Promise<void> => {
    const { conn } = sub;
    sub.stale = false;
    sub.lastRun = Date.now();
    const abort = new AbortController();
    sub.running = abort;
    let release = (): void => undefined;
    try {
      release = (await deps.gate.enter(conn.caller)).release;
      if (!sub.alive) return;
      const answer = await deps.service.run(conn.caller.project, sub.query, { noCache: true, signal: abort.signal });
      deps.metrics.queries.inc({ kind: sub.kind, source: answer.meta.source, cache: answer.meta.cache });
      deps.metrics.querySeconds.observe({ cache: answer.meta.cache }, answer.meta.elapsed_ms / 1000);
      if (sub.alive) send(conn, { type: 'result', id: sub.id, answer });
    } catch (err) {
      if (!sub.alive) return;
      // Over the caller's rate or concurrency: not dropped. Over the rate it waits for the next
      // interval; behind the caller's other running queries it tries again shortly, so that a
      // dashboard subscribing many queries at once gets every first answer without an interval's wait.
      if (err instanceof QueryLimited) {
        sub.stale = true;
        if (err.limit === 'concurrency') sub.lastRun = Date.now() - sub.intervalMs + CONCURRENCY_RETRY_MS + Math.random() * CONCURRENCY_RETRY_MS;
      } else sendFailure(conn, sub.id, err);
    } finally {
      release();
      if (sub.running === abort) sub.running = null;
      schedule(sub);
    }
  };

  const onLanded = (landed: Landed): void => {
    for (const [project, events] of Object.entries(landed)) {
      for (const sub of byProject.get(project) ?? []) {
        if (sub.events && !events.some((e) => sub.events!.has(e))) continue;
        sub.stale = true;
        schedule(sub);
      }
    }
  };

  const add = (sub: Sub): void => {
    sub.conn.subs.set(sub.id, sub);
    const project = sub.conn.caller.project;
    let set = byProject.get(project);
    if (!set) byProject.set(project, (set = new Set()));
    set.add(sub);
    subscriptions++;
    unlisten ??= deps.bus.subscribe(onLanded);
  };

  const drop = (sub: Sub): void => {
    if (!sub.alive) return;
    sub.alive = false;
    if (sub.timer) clearTimeout(sub.timer);
    sub.timer = null;
    sub.running?.abort();
    if (sub.conn.subs.get(sub.id) === sub) sub.conn.subs.delete(sub.id);
    const project = sub.conn.caller.project;
    const set = byProject.get(project);
    set?.delete(sub);
    if (set?.size === 0) byProject.delete(project);
    subscriptions--;
    if (subscriptions === 0 && unlisten) {
      unlisten();
      unlisten = null;
    }
  };

  const release = (conn: Conn): void => {
    conn.closed = true;
    conn.ws = null;
    for (const sub of [...conn.subs.values()]) drop(sub);
    sockets.delete(conn);
  };

  const subscribe = (conn: Conn, id: string, msg: ClientMessage): void => {
    let intervalMs = config.liveIntervalMs;
    if (msg.interval !== undefined) {
      let ms = Number.NaN;
      try {
        if (typeof msg.interval === 'string') ms = parseDuration(msg.interval);
      } catch {
        // named below
      }
      if (!(ms >= 0 && ms <= MAX_INTERVAL_MS)) {
        throw new SluiceError('SLUICE_E_BAD_REQUEST', `interval must be a duration such as "10s" or "1m", at most 1d; the shortest is ${config.liveIntervalMs} ms (SLUICE_LIVE_INTERVAL)`);
      }
      intervalMs = Math.max(ms, config.liveIntervalMs);
    }
    const resolved = deps.service.resolve(msg.query);
    const replaced = conn.subs.get(id);
    if (!replaced && conn.subs.size >= MAX_SUBSCRIPTIONS_PER_SOCKET) {
      throw new SluiceError('SLUICE_E_RATE_LIMITED', `At most ${MAX_SUBSCRIPTIONS_PER_SOCKET} subscriptions per connection; unsubscribe one or open another connection`);
    }
    if (!replaced && subscriptions >= config.liveMaxSubscriptions) {
      throw new SluiceError('SLUICE_E_RATE_LIMITED', `This server holds its most live subscriptions (${config.liveMaxSubscriptions}, SLUICE_LIVE_MAX_SUBSCRIPTIONS); try again later`, { retry_after_s: 30 });
    }
    if (replaced) drop(replaced);
    const sub: Sub = {
      id,
      conn,
      query: msg.query,
      kind: resolved.kind,
      events: eventsOf(resolved.query),
      intervalMs,
      lastRun: 0,
      stale: true,
      running: null,
      timer: null,
      alive: true,
    };
    add(sub);
    schedule(sub);
  };

  const onMessage = (conn: Conn, text: string): void => {
    let msg: ClientMessage;
    try {
      msg = JSON.parse(text) as ClientMessage;
    } catch {
      sendFailure(conn, null, new SluiceError('SLUICE_E_BAD_REQUEST', 'The message is not valid JSON'));
      return;
    }
    if (!msg || typeof msg !== 'object' || Array.isArray(msg)) {
      sendFailure(conn, null, new SluiceError('SLUICE_E_BAD_REQUEST', 'A message is a JSON object: {"type": "subscribe", "id", "query", "interval"?} or {"type": "unsubscribe", "id"}'));
      return;
    }
    const id = typeof msg.id === 'string' ? msg.id : null;
    try {
      if (id === null || id === '' || id.length > MAX_ID_LENGTH) {
        throw new SluiceError('SLUICE_E_BAD_REQUEST', `id must be a string of 1 to ${MAX_ID_LENGTH} characters`);
      }
      if (msg.type === 'subscribe') {
        subscribe(conn, id, msg);
      } else if (msg.type === 'unsubscribe') {
        const sub = conn.subs.get(id);
        if (!sub) throw new SluiceError('SLUICE_E_NOT_FOUND', `No subscription "${id}" on this connection`);
        drop(sub);
      } else {
        throw new SluiceError('SLUICE_E_BAD_REQUEST', 'type must be "subscribe" or "unsubscribe"');
      }
    } catch (err) {
      sendFailure(conn, id, err);
    }
  };

  app.ws<Conn>('/api/v1/live', {
    ...wsSettings(config, config.queryMaxBodyBytes),

    upgrade: (res: HttpResponse, req: HttpRequest, context: us_socket_context_t) => {
      const state = { aborted: false };
      res.onAborted(() => {
        state.aborted = true;
      });
      const key = req.getQuery('key') || req.getQuery('token') || '';
      const authorization = req.getHeader('authorization') || (key ? `Bearer ${key}` : '');
      const project = req.getQuery('project') || null;
      const secKey = req.getHeader('sec-websocket-key');
      const protocol = req.getHeader('sec-websocket-protocol');
      const extensions = req.getHeader('sec-websocket-extensions');
      void (async () => {
        try {
          if (closing) throw new SluiceError('SLUICE_E_SHUTTING_DOWN');
          const caller = await deps.auth.authenticate(authorization, project);
          requireRole(caller, 'analyst', 'Live queries');
          if (state.aborted) return;
          res.cork(() => {
            res.upgrade<Conn>({ caller, subs: new Map(), ws: null, closed: false }, secKey, protocol, extensions, context);
          });
        } catch (err) {
          if (!(err instanceof SluiceError) || err.status >= 500) log.warn({ err: (err as Error)?.message }, 'live upgrade failed');
          sendError(res, state, err);
        }
      })();
    },

    open: (ws: WebSocket<Conn>) => {
      const conn = ws.getUserData();
      conn.ws = ws;
      sockets.add(conn);
    },

    message: (ws: WebSocket<Conn>, message: ArrayBuffer) => {
      onMessage(ws.getUserData(), Buffer.from(message).toString('utf8'));
    },

    close: (ws: WebSocket<Conn>) => {
      release(ws.getUserData());
    },
  });

  // uWS hands GETs without an upgrade to the next route.
  app.get('/api/v1/live', (res: HttpResponse) => {
    sendError(res, { aborted: false }, new SluiceError('SLUICE_E_BAD_REQUEST', '/api/v1/live is a WebSocket endpoint: connect with a WebSocket client (Upgrade: websocket)'));
  });

  return {
    close: () => {
      closing = true;
      for (const conn of [...sockets]) {
        try {
          conn.ws?.end(CLOSE_GOING_AWAY, 'server shutting down');
        } catch {
          // closed meanwhile
        }
        release(conn);
      }
      unlisten?.();
      unlisten = null;
    },
    stats: () => {
      let timers = 0;
      for (const set of byProject.values()) for (const sub of set) if (sub.timer) timers++;
      return { sockets: sockets.size, subscriptions, timers };
    },
  };
}
