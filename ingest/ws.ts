// WebSocket ingestion at /v1/ws. Each text frame is an event, an array, NDJSON, or
// {"seq": n, "events": [...]}; each frame is answered {"seq", "accepted", "duplicates", "rejected"}.
// A client that sends faster than events are stored is slowed, never dropped: frames of one
// socket are processed in order, and past a bound of queued frames or unsent acks the socket
// stops being read (TCP backpressure) until it catches up.
import type { HttpRequest, HttpResponse, TemplatedApp, WebSocket, us_socket_context_t } from 'uWebSockets.js';
import { SluiceError } from '../core/errors.js';
import type { KeyRecord } from '../core/keys.js';
import { keyFromAuthorization } from './authenticate.js';
import { decodeEvents } from './decode.js';
import type { HttpDeps } from './http.js';
import { sendError } from './respond.js';
import type { AckMode, DecodedItem } from './types.js';

interface SocketData {
  key: KeyRecord;
  ack: AckMode;
  queue: { seq: number | null; data: Buffer }[];
  queuedBytes: number;
  busy: boolean;
  paused: boolean;
  closed: boolean;
  frames: number;
}

type Ws = WebSocket<SocketData> & { pause?: () => void; resume?: () => void };

const MAX_QUEUED_FRAMES = 16;

export function registerWebSocket(app: TemplatedApp, path: string, deps: HttpDeps): void {
  const { config, metrics } = deps;

  const itemsOf = (frame: Buffer): { seq: number | null; items: DecodedItem[] } => {
    let seq: number | null = null;
    const text = frame.toString('utf8');
    const trimmed = text.trimStart();
    if (trimmed.startsWith('{') && trimmed.includes('"events"')) {
      try {
        const v = JSON.parse(text) as { seq?: unknown; events?: unknown };
        if (v && typeof v === 'object' && Array.isArray(v.events)) {
          if (typeof v.seq === 'number') seq = v.seq;
          if (v.events.length > config.maxEventsPerRequest) {
            throw new SluiceError('SLUICE_E_TOO_MANY_EVENTS', `${v.events.length} events in one frame; at most ${config.maxEventsPerRequest}`);
          }
          return { seq, items: v.events.map((value, index) => ({ index, value })) };
        }
      } catch (err) {
        if (err instanceof SluiceError) throw err;
      }
    }
    return { seq, items: decodeEvents(frame, 'sniff', config.maxEventsPerRequest) };
  };

  const reply = (ws: Ws, value: unknown): void => {
    const s = ws.getUserData();
    if (s.closed) return;
    ws.cork(() => ws.send(JSON.stringify(value), false));
  };

  const throttle = (ws: Ws): void => {
    const s = ws.getUserData();
    const over = s.queue.length >= MAX_QUEUED_FRAMES || ws.getBufferedAmount() > config.wsMaxBackpressureBytes || s.queuedBytes > config.maxBodyBytes * 4;
    if (over && !s.paused && ws.pause) {
      ws.pause();
      s.paused = true;
    } else if (!over && s.paused && ws.resume) {
      ws.resume();
      s.paused = false;
    }
  };

  const processNext = async (ws: Ws): Promise<void> => {
    const s = ws.getUserData();
    if (s.busy) return;
    s.busy = true;
    while (s.queue.length > 0 && !s.closed) {
      const frame = s.queue.shift()!;
      s.queuedBytes -= frame.data.length;
      let seq = frame.seq;
      try {
        const parsed = itemsOf(frame.data);
        seq = parsed.seq ?? seq;
        const decision = await deps.limiter.consume(s.key.id, parsed.items.length);
        if (!decision.allowed) {
          // Slow the client down instead of failing the frame: wait out the window, then go on.
          await new Promise((r) => setTimeout(r, Math.max(50, decision.resetMs)));
        }
        const result = await deps.pipeline.ingest({ project: s.key.project_id, source: 'ws', items: parsed.items, ack: s.ack });
        reply(ws, { seq, ...result });
      } catch (err) {
        const e = err instanceof SluiceError ? err : new SluiceError('SLUICE_E_INTERNAL', (err as Error).message);
        metrics.requestsRefused.inc({ code: e.code });
        reply(ws, { seq, ...e.toJSON() });
      }
      if (!s.closed) throttle(ws);
    }
    s.busy = false;
  };

  app.ws<SocketData>(path, {
    maxPayloadLength: config.maxBodyBytes,
    maxBackpressure: config.wsMaxBackpressureBytes * 4,
    closeOnBackpressureLimit: 0,
    idleTimeout: Math.round(config.wsIdleTimeoutMs / 1000),
    sendPingsAutomatically: true,

    upgrade: (res: HttpResponse, req: HttpRequest, context: us_socket_context_t) => {
      const state = { aborted: false };
      res.onAborted(() => {
        state.aborted = true;
      });
      const key = keyFromAuthorization(req.getHeader('authorization')) || req.getQuery('key') || '';
      const ackParam = req.getQuery('ack') ?? '';
      const secKey = req.getHeader('sec-websocket-key');
      const protocol = req.getHeader('sec-websocket-protocol');
      const extensions = req.getHeader('sec-websocket-extensions');
      void (async () => {
        try {
          const record = await deps.authenticate(key);
          if (state.aborted) return;
          res.cork(() => {
            res.upgrade<SocketData>(
              { key: record, ack: ackParam === 'spooled' ? 'spooled' : 'stored', queue: [], queuedBytes: 0, busy: false, paused: false, closed: false, frames: 0 },
              secKey,
              protocol,
              extensions,
              context,
            );
          });
        } catch (err) {
          sendError(res, state, err);
        }
      })();
    },

    open: () => {
      metrics.wsConnections.inc();
    },

    message: (ws: Ws, message: ArrayBuffer) => {
      const s = ws.getUserData();
      s.frames++;
      const data = Buffer.from(message.slice(0));
      s.queue.push({ seq: s.frames, data });
      s.queuedBytes += data.length;
      throttle(ws);
      void processNext(ws);
    },

    drain: (ws: Ws) => {
      throttle(ws);
    },

    close: (ws: Ws) => {
      const s = ws.getUserData();
      s.closed = true;
      metrics.wsConnections.dec();
    },
  });
}
