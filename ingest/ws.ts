// WebSocket ingestion at /v1/ws. Each text frame is an event, an array, NDJSON, or
// {"seq": n, "events": [...]}; each frame is answered {"seq", "accepted", "duplicates", "rejected"}.
// A client that sends faster than events are stored is slowed, never dropped: frames of one
// socket enter the pipeline in order (several may wait for their insert at once; answers go out
// in order), and past a bound of queued frames the socket stops being read (TCP backpressure)
// until it catches up. A client that does not read its answers is closed once they pass
// maxBackpressure, rather than losing answers silently.
import type { HttpRequest, HttpResponse, TemplatedApp, WebSocket, us_socket_context_t } from 'uWebSockets.js';
import { SluiceError } from '../core/errors.js';
import type { KeyRecord } from '../core/keys.js';
import { keyFromAuthorization } from './authenticate.js';
import { decodeEvents } from './decode.js';
import type { HttpDeps } from './http.js';
import { sendError } from './respond.js';
import type { AckMode, DecodedItem } from './types.js';
import { wsSettings } from '../core/http-util.js';

interface SocketData {
  key: KeyRecord;
  ack: AckMode;
  queue: { seq: number | null; data: Buffer }[];
  queuedBytes: number;
  /** Answers of frames in the pipeline, oldest first; each resolves once its answer is sent. */
  inflight: Promise<void>[];
  busy: boolean;
  paused: boolean;
  closed: boolean;
  frames: number;
}

type Ws = WebSocket<SocketData> & { pause?: () => void; resume?: () => void };
type SocketFn = (this: unknown) => void;

const MAX_QUEUED_FRAMES = 16;
const MAX_INFLIGHT_FRAMES = 16;

// uWebSockets.js 20.30 (the build installed here) has no WebSocket.pause/resume. Its
// HttpResponse.pause/resume pause any uWS socket: both read the native socket from the object's
// first internal field, as the WebSocket methods do. While paused the socket is neither read nor
// written (acks wait), so the socket is paused only on the input bound and always resumed once
// the queue shrinks, which does not depend on the client.
let socketPause: SocketFn | null = null;
let socketResume: SocketFn | null = null;
function learnSocketPause(res: HttpResponse): void {
  if (socketPause) return;
  const proto = Object.getPrototypeOf(res) as { pause?: SocketFn; resume?: SocketFn };
  if (typeof proto.pause === 'function' && typeof proto.resume === 'function') {
    socketPause = proto.pause;
    socketResume = proto.resume;
  }
}

function setPaused(ws: Ws, paused: boolean): boolean {
  const fn = paused ? (ws.pause ?? socketPause) : (ws.resume ?? socketResume);
  if (!fn) return false;
  try {
    fn.call(ws);
    return true;
  } catch {
    return false; // the socket closed meanwhile
  }
}

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

  // Only the input queue decides: pausing also holds back acks, so it must not wait for them.
  const throttle = (ws: Ws): void => {
    const s = ws.getUserData();
    if (s.closed) return;
    const over = s.queue.length >= MAX_QUEUED_FRAMES || s.queuedBytes > config.maxBodyBytes * 4;
    if (over !== s.paused && setPaused(ws, over)) s.paused = over;
  };

  const refused = (seq: number | null, err: unknown): object => {
    const e = err instanceof SluiceError ? err : new SluiceError('SLUICE_E_INTERNAL', (err as Error).message);
    metrics.requestsRefused.inc({ code: e.code });
    return { seq, ...e.toJSON() };
  };

  const processNext = async (ws: Ws): Promise<void> => {
    const s = ws.getUserData();
    if (s.busy) return;
    s.busy = true;
    while (s.queue.length > 0 && !s.closed) {
      while (s.inflight.length >= MAX_INFLIGHT_FRAMES) await s.inflight[0];
      if (s.closed) break;
      const frame = s.queue.shift()!;
      s.queuedBytes -= frame.data.length;
      let seq = frame.seq;
      let answer: Promise<object>;
      try {
        const parsed = itemsOf(frame.data);
        seq = parsed.seq ?? seq;
        // Over the rate, the frame waits (and the socket's queue fills, which pauses reading):
        // the client is slowed down, its frames are not failed.
        for (let d = await deps.limiter.consume(s.key.id, parsed.items.length); !d.allowed && !s.closed; ) {
          await new Promise((r) => setTimeout(r, Math.max(50, d.resetMs)));
          d = await deps.limiter.consume(s.key.id, parsed.items.length);
        }
        if (s.closed) break;
        // Started in frame order (dedup sees frames in order); the insert wait overlaps the next frames.
        const frameSeq = seq;
        answer = deps.pipeline.ingest({ project: s.key.project_id, source: 'ws', items: parsed.items, ack: s.ack }).then(
          (result) => ({ seq: frameSeq, ...result }),
          (err) => refused(frameSeq, err),
        );
      } catch (err) {
        answer = Promise.resolve(refused(seq, err));
      }
      const previous = s.inflight[s.inflight.length - 1] ?? Promise.resolve();
      const sent: Promise<void> = Promise.all([previous, answer]).then(([, value]) => {
        try {
          reply(ws, value);
        } finally {
          s.inflight.splice(s.inflight.indexOf(sent), 1);
        }
      });
      s.inflight.push(sent);
      throttle(ws);
    }
    s.busy = false;
  };

  app.ws<SocketData>(path, {
    ...wsSettings(config, config.maxBodyBytes),

    upgrade: (res: HttpResponse, req: HttpRequest, context: us_socket_context_t) => {
      const state = { aborted: false };
      res.onAborted(() => {
        state.aborted = true;
      });
      const key = keyFromAuthorization(req.getHeader('authorization')) || req.getQuery('key') || '';
      const ackParam = req.getQuery('ack') ?? '';
      learnSocketPause(res);
      const secKey = req.getHeader('sec-websocket-key');
      const protocol = req.getHeader('sec-websocket-protocol');
      const extensions = req.getHeader('sec-websocket-extensions');
      void (async () => {
        try {
          if (ackParam !== '' && ackParam !== 'stored' && ackParam !== 'spooled') {
            throw new SluiceError('SLUICE_E_BAD_REQUEST', `ack must be "stored" or "spooled", not "${ackParam}"`);
          }
          const record = await deps.authenticate(key);
          if (state.aborted) return;
          res.cork(() => {
            res.upgrade<SocketData>(
              { key: record, ack: ackParam === 'spooled' ? 'spooled' : 'stored', queue: [], queuedBytes: 0, inflight: [], busy: false, paused: false, closed: false, frames: 0 },
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
