// Query load test: a constant arrival rate of dashboard queries (summary sections, time series
// from rollups, breakdowns, percentiles, a funnel) against a Sluice query service holding data.
// Usage and knobs: see load-tests/README.md.
import { check } from 'k6';
import { durationEnv, intEnv, urlEnv } from './lib/env.js';
import { makeBatch, toNdjson } from './lib/events.js';
import { sendEvents } from './lib/ingest.js';
import { LOSS_THRESHOLDS, newRun, recordAcked, runTag, settleLoss } from './lib/lost.js';
import { MIX, latencyThresholds, queryScenario, runQuery, sendQuery } from './lib/queries.js';
import { requireHealthy, requireKey } from './lib/sluice.js';

const QUERY_URL = urlEnv('SLUICE_QUERY_URL', 'http://127.0.0.1:8081');
const INGEST_URL = urlEnv('SLUICE_INGEST_URL', 'http://127.0.0.1:8080');
const READ_KEY = __ENV.SLUICE_READ_KEY || '';
const WRITE_KEY = __ENV.SLUICE_WRITE_KEY || '';
const RATE = intEnv('RATE', 3);
const DURATION = durationEnv('DURATION', '1m');
// Events sent (tagged with the run id) before the queries start, when a write key is given.
const SEED = __ENV.SEED === '0' ? 0 : intEnv('SEED', 100);
const SEEDING = SEED > 0 && WRITE_KEY !== '';
// By default every request skips the result cache, so the load reaches ClickHouse.
const USE_CACHE = __ENV.CACHE === '1';

export const options = {
  scenarios: { queries: queryScenario(RATE, DURATION) },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    checks: ['rate>0.99'],
    queries_sent: ['count>0'],
    ...latencyThresholds(MIX),
    ...(SEEDING ? LOSS_THRESHOLDS : {}),
  },
};

function seed(run) {
  const { res, answer } = sendEvents(INGEST_URL, WRITE_KEY, toNdjson(makeBatch(SEED, Date.now(), runTag(run))), 'application/x-ndjson');
  check(res, { 'seed stored': () => res.status === 200 && answer !== null && answer.accepted === SEED });
  if (answer) recordAcked(answer.accepted);
}

export function setup() {
  requireKey(READ_KEY, 'SLUICE_READ_KEY', 'export a read key of a project holding data (BENCH_SERVE=1 npm run bench:query prints one)');
  requireHealthy(QUERY_URL, 'query service');
  const probe = sendQuery(QUERY_URL, READ_KEY, MIX[0][2], 'setup', USE_CACHE);
  if (probe.status !== 200) {
    throw new Error(`query service at ${QUERY_URL} refused a summary query with this key: status ${probe.status} ${String(probe.body).slice(0, 300)}`);
  }
  const run = newRun();
  if (SEEDING) {
    requireHealthy(INGEST_URL, 'ingest server');
    seed(run);
  }
  return run;
}

export default function () {
  runQuery(QUERY_URL, READ_KEY, MIX, USE_CACHE);
}

export function teardown(run) {
  if (SEEDING) settleLoss(QUERY_URL, READ_KEY, run);
}
