// HTTP ingest load test, one event per request: the per-request cost (connection, auth, ack
// after the insert) rather than batch throughput. Checks afterwards that every acknowledged event
// was stored. Usage and knobs: see load-tests/README.md.
import http from 'k6/http';
import { check } from 'k6';
import { Counter } from 'k6/metrics';
import { durationEnv, intEnv, latencyMs, urlEnv } from './lib/env.js';
import { makeEvent } from './lib/events.js';
import { LOSS_THRESHOLDS, newRun, recordAcked, runTag, settleLoss } from './lib/lost.js';
import { ingestAnswer, ingestHeaders, requireHealthy, requireKey } from './lib/sluice.js';

const INGEST_URL = urlEnv('SLUICE_INGEST_URL', 'http://127.0.0.1:8080');
const QUERY_URL = urlEnv('SLUICE_QUERY_URL', 'http://127.0.0.1:8081');
const WRITE_KEY = __ENV.SLUICE_WRITE_KEY || '';
const READ_KEY = __ENV.SLUICE_READ_KEY || '';
const RATE = intEnv('RATE', 100);
const DURATION = durationEnv('DURATION', '30s');

const eventsSent = new Counter('events_sent');

export const options = {
  scenarios: {
    ingest: {
      executor: 'constant-arrival-rate',
      rate: RATE,
      timeUnit: '1s',
      duration: DURATION,
      // With ack=stored a request waits for the insert that holds it: VUs for ~500 ms each up
      // front, room to grow to ~2 s before iterations are dropped.
      preAllocatedVUs: Math.max(5, Math.ceil(RATE / 2)),
      maxVUs: Math.max(20, RATE * 2),
    },
  },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    'http_req_duration{name:POST /v1/events}': [`p(95)<${latencyMs(500)}`, `p(99)<${latencyMs(1000)}`],
    checks: ['rate>0.99'],
    events_sent: ['count>0'],
    ...LOSS_THRESHOLDS,
  },
};

export function setup() {
  requireKey(WRITE_KEY, 'SLUICE_WRITE_KEY', 'export a write key for the ingest server');
  requireKey(READ_KEY, 'SLUICE_READ_KEY', 'export a read key of the same project (stored events are counted after the run)');
  requireHealthy(INGEST_URL, 'ingest server');
  requireHealthy(QUERY_URL, 'query service');
  return newRun();
}

export default function (run) {
  const res = http.post(`${INGEST_URL}/v1/events?ack=stored`, JSON.stringify(makeEvent(undefined, Date.now(), runTag(run))), {
    headers: ingestHeaders(WRITE_KEY, 'application/json'),
    tags: { name: 'POST /v1/events' },
  });
  eventsSent.add(1);
  const answer = ingestAnswer(res);
  if (res.status === 200 && answer) recordAcked(answer.accepted);
  check(res, {
    'status is 200': (r) => r.status === 200,
    'event accepted': () => answer !== null && answer.accepted === 1,
  });
}

export function teardown(run) {
  settleLoss(QUERY_URL, READ_KEY, run);
}
