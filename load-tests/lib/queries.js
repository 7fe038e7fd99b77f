// The dashboard query mix shared by query-mix.js and soak.js: what is asked, how often, how fast
// each kind must answer, what counts as an answer, and the scenario that sends it.
import http from 'k6/http';
import { check } from 'k6';
import { Counter } from 'k6/metrics';
import { latencyMs } from './env.js';
import { arrivalScenario } from './scenario.js';
import { queryHeaders } from './sluice.js';

const queriesSent = new Counter('queries_sent');

const series = (event, measure, aggregations, range, interval, groupBy) => ({
  kind: 'timeseries',
  event,
  measure,
  aggregations,
  range,
  interval,
  ...(groupBy ? { group_by: groupBy } : {}),
});

// [tag, weight, request, events it needs]: a request is a summary section or a query document.
export const MIX = [
  ['summary_health', 10, { section: 'health' }, ['api_request']],
  ['summary_business', 10, { section: 'business' }, ['order']],
  ['summary_ml', 6, { section: 'ml' }, ['ml_job']],
  ['summary_support', 6, { section: 'support' }, ['ticket']],
  ['timeseries_rollup', 12, { body: series('api_request', 'duration_ms', ['p95'], '7d', '1h', ['endpoint']) }, ['api_request']],
  ['timeseries_rollup', 10, { body: series('order', 'revenue', ['sum', 'count', 'avg'], '30d', '1d') }, ['order']],
  ['timeseries_rollup', 8, { body: series('api_request', 'duration_ms', ['count', 'p99'], '24h', '5m') }, ['api_request']],
  ['timeseries_rollup', 6, { body: series('ml_job', 'cost_usd', ['sum'], '30d', '1d', ['provider']) }, ['ml_job']],
  ['breakdown', 8, { body: { kind: 'breakdown', event: 'order', measure: 'revenue', aggregations: ['sum', 'count'], group_by: ['category'], range: '30d', limit: 10 } }, ['order']],
  ['breakdown', 4, { body: { kind: 'breakdown', event: 'order', measure: 'revenue', aggregations: ['sum'], group_by: ['payment_method'], range: '7d', limit: 10 } }, ['order']],
  ['percentiles', 8, { body: { kind: 'percentiles', event: 'api_request', measure: 'duration_ms', aggregations: ['p50', 'p95', 'p99'], group_by: ['endpoint'], range: '24h' } }, ['api_request']],
  ['percentiles', 4, { body: { kind: 'percentiles', event: 'ticket', measure: 'first_response_ms', aggregations: ['p50', 'p90'], group_by: ['channel'], range: '30d' } }, ['ticket']],
  ['funnel', 4, { body: { kind: 'funnel', steps: [{ event: 'page_view' }, { event: 'add_to_cart' }, { event: 'checkout_started' }, { event: 'order' }], range: '7d', window: '1h' } }, ['page_view', 'add_to_cart', 'checkout_started', 'order']],
];

// Per query type: [p95 ms, p99 ms]. Dashboard reads from rollups are meant to answer in tens of
// milliseconds, funnels (raw events) within a second; under load on a small machine, some slack.
export const LIMITS = {
  summary_health: [100, 250],
  summary_business: [100, 250],
  summary_ml: [100, 250],
  summary_support: [100, 250],
  timeseries_rollup: [100, 250],
  breakdown: [250, 500],
  percentiles: [250, 500],
  funnel: [1000, 2000],
};

/** The entries of the mix whose events are all among `kinds` (a server fed by lib/events.js). */
export function mixFor(kinds) {
  return MIX.filter(([, , , needs]) => needs.every((e) => kinds.includes(e)));
}

/** Latency thresholds per query type of `mix`, on `http_req_duration{query:<type>}`. */
export function latencyThresholds(mix) {
  const out = {};
  for (const tag of new Set(mix.map(([tag]) => tag))) {
    const [p95, p99] = LIMITS[tag];
    out[`http_req_duration{query:${tag}}`] = [`p(95)<${latencyMs(p95)}`, `p(99)<${latencyMs(p99)}`];
  }
  return out;
}

export function pickWeighted(mix) {
  const total = mix.reduce((n, [, w]) => n + w, 0);
  let r = Math.random() * total;
  for (const entry of mix) {
    r -= entry[1];
    if (r < 0) return entry;
  }
  return mix[mix.length - 1];
}

export function sendQuery(baseUrl, readKey, request, tag, cache = false) {
  const params = {
    headers: queryHeaders(readKey, { json: !request.section, cache }),
    tags: { query: tag, name: request.section ? 'GET /api/v1/dashboard/summary' : 'POST /api/v1/query' },
    timeout: '30s',
  };
  return request.section
    ? http.get(`${baseUrl}/api/v1/dashboard/summary?sections=${request.section}`, params)
    : http.post(`${baseUrl}/api/v1/query`, JSON.stringify(request.body), params);
}

/** A query answer with rows, or a summary whose section has figures. */
export function answered(res, request) {
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

/**
 * `rate` queries per second for `duration`: VUs for ~1 s per query up front, room to grow before
 * iterations are dropped. `extra` adds scenario fields (e.g. `exec`).
 */
export function queryScenario(rate, duration, extra = {}) {
  return arrivalScenario(rate, duration, Math.max(4, rate), Math.max(20, rate * 4), extra);
}

/** One query picked by weight from `mix`, counted in `queries_sent` and checked for an answer. */
export function runQuery(baseUrl, readKey, mix, cache = false) {
  const [tag, , request] = pickWeighted(mix);
  const res = sendQuery(baseUrl, readKey, request, tag, cache);
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
