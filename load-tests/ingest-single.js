// HTTP ingest load test, one event per request: the per-request cost (connection, auth, ack
// after the insert) rather than batch throughput. Checks afterwards that every acknowledged event
// was stored. Usage and knobs: see load-tests/README.md.
import { durationEnv, intEnv, urlEnv } from './lib/env.js';
import { INGEST_THRESHOLDS, ingestScenario, postEvent, startIngestRun } from './lib/ingest.js';
import { settleLoss } from './lib/lost.js';

const INGEST_URL = urlEnv('SLUICE_INGEST_URL', 'http://127.0.0.1:8080');
const QUERY_URL = urlEnv('SLUICE_QUERY_URL', 'http://127.0.0.1:8081');
const WRITE_KEY = __ENV.SLUICE_WRITE_KEY || '';
const READ_KEY = __ENV.SLUICE_READ_KEY || '';
const RATE = intEnv('RATE', 100);
const DURATION = durationEnv('DURATION', '30s');

export const options = {
  scenarios: { ingest: ingestScenario(RATE, DURATION) },
  thresholds: INGEST_THRESHOLDS,
};

export function setup() {
  return startIngestRun(INGEST_URL, QUERY_URL, WRITE_KEY, READ_KEY);
}

export default function (run) {
  postEvent(INGEST_URL, WRITE_KEY, run);
}

export function teardown(run) {
  settleLoss(QUERY_URL, READ_KEY, run);
}
