// Query load test: a constant arrival rate of dashboard queries (summary sections, time series
// from rollups, breakdowns, percentiles, a funnel) against a Sluice query service holding data.
// Usage and knobs: see load-tests/README.md.
import http from 'k6/http';
import { check } from 'k6';
import { Counter } from 'k6/metrics';
import { intEnv } from './lib/env.js';

const BASE_URL = (__ENV.SLUICE_QUERY_URL || 'http://127.0.0.1:8081').replace(/\/+$/, '');
const READ_KEY = __ENV.SLUICE_READ_KEY || '';
const RATE = intEnv('RATE', 3);
const DURATION = __ENV.DURATION || '1m';
// By default every request skips the result cache, so the load reaches ClickHouse.
const USE_CACHE = __ENV.CACHE === '1';

const series = (event, measure, aggregations, range, interval, groupBy) => ({
  kind: 'timeseries',
  event,
  measure,
  aggregations,
  range,
  interval,
  ...(groupBy ? { group_by: groupBy } : {}),
});

// [tag, weight, request]: a request is a summary section or a query document.
const MIX = [
  ['summary_health', 10, { section: 'health' }],
  ['summary_business', 10, { section: 'business' }],
  ['summary_ml', 6, { section: 'ml' }],
  ['summary_support', 6, { section: 'support' }],
  ['timeseries_rollup', 12, { body: series('api_request', 'duration_ms', ['p95'], '7d', '1h', ['endpoint']) }],
  ['timeseries_rollup', 10, { body: series('order', 'revenue', ['sum', 'count', 'avg'], '30d', '1d') }],
  ['timeseries_rollup', 8, { body: series('api_request', 'duration_ms', ['count', 'p99'], '24h', '5m') }],
  ['timeseries_rollup', 6, { body: series('ml_job', 'cost_usd', ['sum'], '30d', '1d', ['provider']) }],
  ['breakdown', 8, { body: { kind: 'breakdown', event: 'order', measure: 'revenue', aggregations: ['sum', 'count'], group_by: ['category'], range: '30d', limit: 10 } }],
  ['breakdown', 4, { body: { kind: 'breakdown', event: 'order', measure: 'revenue', aggregations: ['sum'], group_by: ['payment_method'], range: '7d', limit: 10 } }],
  ['percentiles', 8, { body: { kind: 'percentiles', event: 'api_request', measure: 'duration_ms', aggregations: ['p50', 'p95', 'p99'], group_by: ['endpoint'], range: '24h' } }],
  ['percentiles', 4, { body: { kind: 'percentiles', event: 'ticket', measure: 'first_response_ms', aggregations: ['p50', 'p90'], group_by: ['channel'], range: '30d' } }],
  ['funnel', 4, { body: { kind: 'funnel', steps: [{ event: 'page_view' }, { event: 'add_to_cart' }, { event: 'checkout_started' }, { event: 'order' }], range: '7d', window: '1h' } }],
];
const TOTAL_WEIGHT = MIX.reduce((n, [, w]) => n + w, 0);
const TAGS = [...new Set(MIX.map(([tag]) => tag))];

// Per query type: [p95 ms, p99 ms]. Dashboard reads from rollups are meant to answer in tens of
// milliseconds, funnels (raw events) within a second; under load on a small machine, some slack.
const LIMITS = {
  summary_health: [100, 250],
  summary_business: [100, 250],
  summary_ml: [100, 250],
  summary_support: [100, 250],
  timeseries_rollup: [100, 250],
  breakdown: [250, 500],
  percentiles: [250, 500],
  funnel: [1000, 2000],
};

const queriesSent = new Counter('queries_sent');

const thresholds = {
  http_req_failed: ['rate<0.01'],
  checks: ['rate>0.99'],
  queries_sent: ['count>0'],
};
for (const tag of TAGS) {
  const [p95, p99] = LIMITS[tag];
  thresholds[`http_req_duration{query:${tag}}`] = [`p(95)<${p95}`, `p(99)<${p99}`];
}

export const options = {
  scenarios: {
    queries: {
      executor: 'constant-arrival-rate',
      rate: RATE,
      timeUnit: '1s',
      duration: DURATION,
      // Enough VUs for ~1 s per query up front; room to grow before iterations are dropped.
      preAllocatedVUs: Math.max(4, RATE),
      maxVUs: Math.max(20, RATE * 4),
    },
  },
  thresholds,
};

function headers(json) {
  const h = { Authorization: `Bearer ${READ_KEY}` };
  if (!USE_CACHE) h['Cache-Control'] = 'no-cache';
  if (json) h['Content-Type'] = 'application/json';
  return h;
}

function send(request, tag) {
  const params = { headers: headers(!request.section), tags: { query: tag, name: request.section ? 'GET /api/v1/dashboard/summary' : 'POST /api/v1/query' }, timeout: '30s' };
  return request.section
    ? http.get(`${BASE_URL}/api/v1/dashboard/summary?sections=${request.section}`, params)
    : http.post(`${BASE_URL}/api/v1/query`, JSON.stringify(request.body), params);
}

/** A query answer with rows, or a summary whose section has figures. */
function answered(res, request) {
  let body;
  try {
    body = res.json();
  } catch {
    return false;
  }
  if (request.section) {
    const section = body && body.sections ? body.sections[request.section] : null;
    return section !== null && typeof section === 'object' && Object.keys(section).length > 0;
  }
  return Array.isArray(body.rows) && body.rows.length > 0;
}

export function setup() {
  if (!READ_KEY) {
    throw new Error('SLUICE_READ_KEY is not set; export a read key of a project holding data (BENCH_SERVE=1 npm run bench:query prints one)');
  }
  const health = http.get(`${BASE_URL}/healthz`, { timeout: '5s', tags: { name: 'GET /healthz' } });
  if (health.status !== 200) {
    const why = health.error ? `${health.error}` : `status ${health.status}`;
    throw new Error(`query service at ${BASE_URL} is not healthy (GET /healthz: ${why})`);
  }
  const probe = send(MIX[0][2], 'setup');
  if (probe.status !== 200) {
    throw new Error(`query service at ${BASE_URL} refused a summary query with this key: status ${probe.status} ${String(probe.body).slice(0, 300)}`);
  }
}

function pickWeighted() {
  let r = Math.random() * TOTAL_WEIGHT;
  for (const entry of MIX) {
    r -= entry[1];
    if (r < 0) return entry;
  }
  return MIX[MIX.length - 1];
}

export default function () {
  const [tag, , request] = pickWeighted();
  const res = send(request, tag);
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
