// Soak test: batch ingest and dashboard queries side by side at a moderate, constant rate for a
// long time (30 minutes by default), to show latency creeping up, errors under sustained load and,
// at the end, whether every acknowledged event was stored. Usage and knobs: see load-tests/README.md.
import { durationEnv, intEnv, urlEnv } from './lib/env.js';
import { KINDS } from './lib/events.js';
import { INGEST_THRESHOLDS, ingestScenario, postBatch, startIngestRun } from './lib/ingest.js';
import { settleLoss } from './lib/lost.js';
import { latencyThresholds, mixFor, queryScenario, runQuery } from './lib/queries.js';

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

export const options = {
  scenarios: {
    ingest: ingestScenario(RATE, DURATION, { exec: 'ingest' }),
    queries: queryScenario(QUERY_RATE, DURATION, { exec: 'query' }),
  },
  thresholds: {
    ...INGEST_THRESHOLDS,
    ...latencyThresholds(MIX),
    queries_sent: ['count>0'],
  },
};

export function setup() {
  const run = startIngestRun(INGEST_URL, QUERY_URL, WRITE_KEY, READ_KEY);
  // One batch before the queries start, so that even the first ones find events.
  postBatch(INGEST_URL, WRITE_KEY, run, BATCH);
  return run;
}

export function ingest(run) {
  postBatch(INGEST_URL, WRITE_KEY, run, BATCH);
}

export function query() {
  runQuery(QUERY_URL, READ_KEY, MIX);
}

export function teardown(run) {
  settleLoss(QUERY_URL, READ_KEY, run);
}
