// WebSocket ingest load test: each VU holds one connection to /v1/ws and sends frames of events
// at a fixed pace, matching each per-frame answer to its frame by `seq`; afterwards checks that
// every acknowledged event was stored. Usage and knobs: see load-tests/README.md.
import { check } from 'k6';
import { Counter, Rate, Trend } from 'k6/metrics';
import { clearInterval, clearTimeout, setInterval, setTimeout } from 'k6/timers';
import { WebSocket } from 'k6/websockets';
import { durationEnv, durationMs, intEnv, latencyMs, urlEnv } from './lib/env.js';
import { makeBatch } from './lib/events.js';
import { eventsSent, startIngestRun } from './lib/ingest.js';
import { LOSS_THRESHOLDS, recordAcked, runTag, settleLoss } from './lib/lost.js';

const INGEST_URL = urlEnv('SLUICE_INGEST_URL', 'http://127.0.0.1:8080');
const QUERY_URL = urlEnv('SLUICE_QUERY_URL', 'http://127.0.0.1:8081');
const WS_URL = `${INGEST_URL.replace(/^http/, 'ws')}/v1/ws?ack=stored`;
const WRITE_KEY = __ENV.SLUICE_WRITE_KEY || '';
const READ_KEY = __ENV.SLUICE_READ_KEY || '';
const CONNECTIONS = intEnv('CONNECTIONS', 10);
const RATE = intEnv('RATE', 50); // frames per second over all connections
const BATCH = intEnv('BATCH', 50); // events per frame
const DURATION = durationEnv('DURATION', '30s');
// How long a connection waits for its last answers after it stopped sending.
const DRAIN_MS = 30000;

const framesSent = new Counter('ws_frames_sent');
const framesUnacked = new Counter('ws_frames_unacked');
const frameFailed = new Rate('ws_frames_failed');
const socketErrors = new Counter('ws_socket_errors');
const ackDuration = new Trend('ws_ack_duration', true);

export const options = {
  scenarios: {
    connections: {
      executor: 'per-vu-iterations',
      vus: CONNECTIONS,
      iterations: 1,
      maxDuration: `${Math.ceil((durationMs(DURATION) + DRAIN_MS) / 1000) + 30}s`,
    },
  },
  thresholds: {
    ws_ack_duration: [`p(95)<${latencyMs(500)}`, `p(99)<${latencyMs(1000)}`],
    ws_frames_failed: ['rate<0.01'],
    ws_frames_unacked: ['count==0'],
    ws_socket_errors: ['count==0'],
    ws_frames_sent: ['count>0'],
    checks: ['rate>0.99'],
    ...LOSS_THRESHOLDS,
  },
};

export function setup() {
  return startIngestRun(INGEST_URL, QUERY_URL, WRITE_KEY, READ_KEY);
}

/** The per-frame answer `{seq, accepted, duplicates, rejected}`, or null. */
function frameAnswer(data) {
  try {
    const a = JSON.parse(data);
    return a && typeof a.seq === 'number' && typeof a.accepted === 'number' ? a : null;
  } catch {
    return null;
  }
}

export default function (run) {
  const periodMs = (CONNECTIONS * 1000) / RATE;
  const stopSendingAt = Date.now() + durationMs(DURATION);
  const tag = runTag(run);
  const pending = new Map(); // seq -> sent at (ms)
  let seq = 0;
  let sending = true;
  let opened = false;
  let ticker = null;
  let drainTimer = null;
  socketErrors.add(0);

  const ws = new WebSocket(WS_URL, null, {
    headers: { Authorization: `Bearer ${WRITE_KEY}` },
    tags: { name: 'WS /v1/ws' },
  });

  const finishIfDrained = () => {
    if (!sending && pending.size === 0) ws.close();
  };
  const stopSending = () => {
    sending = false;
    if (ticker !== null) clearInterval(ticker);
    // Answers still owed after the drain time count as unacknowledged frames.
    drainTimer = setTimeout(() => ws.close(), DRAIN_MS);
    finishIfDrained();
  };
  const sendFrame = () => {
    if (Date.now() >= stopSendingAt) return stopSending();
    seq += 1;
    pending.set(seq, Date.now());
    ws.send(JSON.stringify({ seq, events: makeBatch(BATCH, Date.now(), tag) }));
    framesSent.add(1);
    eventsSent.add(BATCH);
  };

  ws.onopen = () => {
    opened = true;
    // Connections start spread over one period so frames do not arrive in bursts.
    setTimeout(() => {
      sendFrame();
      if (sending) ticker = setInterval(sendFrame, periodMs);
    }, Math.random() * periodMs);
  };
  ws.onmessage = (msg) => {
    const answer = frameAnswer(msg.data);
    const sentAt = answer ? pending.get(answer.seq) : undefined;
    if (sentAt === undefined) {
      frameFailed.add(true);
      console.warn(`unexpected answer: ${String(msg.data).slice(0, 200)}`);
      return;
    }
    pending.delete(answer.seq);
    ackDuration.add(Date.now() - sentAt);
    recordAcked(answer.accepted);
    frameFailed.add(answer.accepted !== BATCH);
    finishIfDrained();
  };
  ws.onerror = (e) => {
    socketErrors.add(1);
    console.error(`websocket error: ${e.error}`);
  };
  ws.onclose = () => {
    if (ticker !== null) clearInterval(ticker);
    if (drainTimer !== null) clearTimeout(drainTimer);
    framesUnacked.add(pending.size);
    for (let i = 0; i < pending.size; i++) frameFailed.add(true);
    check(null, {
      'connection opened': () => opened,
      'connection lasted the run': () => !sending,
    });
    sending = false;
  };
}

export function teardown(run) {
  settleLoss(QUERY_URL, READ_KEY, run);
}
