// HTTP ingest load test: posts NDJSON batches to /v1/events at a fixed rate.
// Usage and knobs: see load-tests/README.md.
import http from 'k6/http';
import { check } from 'k6';
import { Counter } from 'k6/metrics';
import { intEnv } from './lib/env.js';
import { makeBatch, toNdjson } from './lib/events.js';

const BASE_URL = (__ENV.SLUICE_INGEST_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
const WRITE_KEY = __ENV.SLUICE_WRITE_KEY || '';
const RATE = intEnv('RATE', 50);
const DURATION = __ENV.DURATION || '30s';
const BATCH = intEnv('BATCH', 100);

const eventsSent = new Counter('events_sent');

export const options = {
  scenarios: {
    ingest: {
      executor: 'constant-arrival-rate',
      rate: RATE,
      timeUnit: '1s',
      duration: DURATION,
      // Enough VUs for ~500 ms per request up front; room to grow to ~2 s
      // before k6 starts dropping iterations.
      preAllocatedVUs: Math.max(5, Math.ceil(RATE / 2)),
      maxVUs: Math.max(20, RATE * 2),
    },
  },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    http_req_duration: ['p(99)<1000'],
    checks: ['rate>0.99'],
    events_sent: ['count>0'],
  },
};

export function setup() {
  if (!WRITE_KEY) {
    throw new Error('SLUICE_WRITE_KEY is not set; export a write key for the ingest server');
  }
  const res = http.get(`${BASE_URL}/healthz`, {
    timeout: '5s',
    tags: { name: 'GET /healthz' },
  });
  if (res.status !== 200) {
    const why = res.error ? `${res.error}` : `status ${res.status}`;
    throw new Error(`ingest server at ${BASE_URL} is not healthy (GET /healthz: ${why})`);
  }
}

function acceptedAll(res) {
  try {
    const body = res.json();
    return body.accepted + body.duplicates === BATCH;
  } catch {
    return false;
  }
}

export default function () {
  const res = http.post(`${BASE_URL}/v1/events`, toNdjson(makeBatch(BATCH)), {
    headers: {
      Authorization: `Bearer ${WRITE_KEY}`,
      'Content-Type': 'application/x-ndjson',
    },
    tags: { name: 'POST /v1/events' },
  });
  eventsSent.add(BATCH);
  check(res, {
    'status is 200': (r) => r.status === 200,
    'all events accepted or duplicates': acceptedAll,
  });
}
