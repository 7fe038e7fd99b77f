// Soak test: batch ingest and dashboard queries side by side at a moderate, constant rate for a
// long time (30 minutes by default), to show latency creeping up, errors under sustained load and,
// at the end, whether every acknowledged event was stored. Usage and knobs: see load-tests/README.md.
import http from 'k6/http';
import { check } from 'k6';
import { Counter } from 'k6/metrics';
import { durationEnv, intEnv, latencyMs, urlEnv } from './lib/env.js';
import { KINDS, makeBatch, toNdjson } from './lib/events.js';
import { LOSS_THRESHOLDS, newRun, recordAcked, runTag, settleLoss } from './lib/lost.js';
import { answered, latencyThresholds, mixFor, pickWeighted, sendQuery } from './lib/queries.js';
import { ingestAnswer, ingestHeaders, requireHealthy, requireKey } from './lib/sluice.js';

const INGEST_URL = urlEnv('SLUICE_INGEST_URL', 'http://127.0.0.1:8080');
const QUERY_URL = urlEnv('SLUICE_QUERY_URL', 'http://127.0.0.1:8081');
const WRITE_KEY = __ENV.SLUICE_WRITE_KEY || '';
const READ_KEY = __ENV.SLUICE_READ_KEY || '';
const RATE = intEnv('RATE', 10); // ingest requests per second
const BATCH = intEnv('BATCH', 50); // events per request
const QUERY_RATE = intEnv('QUERY_RATE', 2); // queries per second
const DURATION = durationEnv('DURATION', '30m');

// Only the queries the soak's own events can answer (lib/events.js makes no tickets or ML jobs).
const MIX = mixFor(KINDS);

const eventsSent = new Counter('events_sent');
const queriesSent = new Counter('queries_sent');

export const options = {
  scenarios: {
    ingest: {
      executor: 'constant-arrival-rate',
      exec: 'ingest',
      rate: RATE,
      timeUnit: '1s',
      duration: DURATION,
      preAllocatedVUs: Math.max(5, Math.ceil(RATE / 2)),
      maxVUs: Math.max(20, RATE * 2),
    },
    queries: {
      executor: 'constant-arrival-rate',
      exec: 'query',
      rate: QUERY_RATE,
      timeUnit: '1s',
      duration: DURATION,
      preAllocatedVUs: Math.max(4, QUERY_RATE),
      maxVUs: Math.max(20, QUERY_RATE * 4),
    },
  },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    'http_req_duration{name:POST /v1/events}': [`p(95)<${latencyMs(500)}`, `p(99)<${latencyMs(1000)}`],
    ...latencyThresholds(MIX),
    checks: ['rate>0.99'],
    events_sent: ['count>0'],
    queries_sent: ['count>0'],
    ...LOSS_THRESHOLDS,
  },
};

function post(run) {
  const res = http.post(`${INGEST_URL}/v1/events?ack=stored`, toNdjson(makeBatch(BATCH, Date.now(), runTag(run))), {
    headers: ingestHeaders(WRITE_KEY, 'application/x-ndjson'),
    tags: { name: 'POST /v1/events' },
  });
  eventsSent.add(BATCH);
  const answer = ingestAnswer(res);
  if (res.status === 200 && answer) recordAcked(answer.accepted);
  check(res, {
    'status is 200': (r) => r.status === 200,
    'all events accepted': () => answer !== null && answer.accepted === BATCH,
  });
}

export function setup() {
  requireKey(WRITE_KEY, 'SLUICE_WRITE_KEY', 'export a write key for the ingest server');
  requireKey(READ_KEY, 'SLUICE_READ_KEY', 'export a read key of the same project');
  requireHealthy(INGEST_URL, 'ingest server');
  requireHealthy(QUERY_URL, 'query service');
  const run = newRun();
  // One batch before the queries start, so that even the first ones find events.
  post(run);
  return run;
}

export function ingest(run) {
  post(run);
}

export function query() {
  const [tag, , request] = pickWeighted(MIX);
  const res = sendQuery(QUERY_URL, READ_KEY, request, tag);
  queriesSent.add(1, { query: tag });
  check(
    res,
    {
      'status is 200': (r) => r.status === 200,
      'answer has rows': (r) => answered(r, request),
    },
    { query: tag },
  );
}

export function teardown(run) {
  settleLoss(QUERY_URL, READ_KEY, run);
}
