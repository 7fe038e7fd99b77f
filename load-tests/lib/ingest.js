// Ingest load shared by the k6 scripts: the arrival-rate scenario, the thresholds of HTTP ingest,
// the setup of a run whose stored events are counted afterwards, and one ack=stored POST.
import http from 'k6/http';
import { check } from 'k6';
import { Counter } from 'k6/metrics';
import { latencyMs } from './env.js';
import { makeBatch, makeEvent, toNdjson } from './events.js';
import { LOSS_THRESHOLDS, newRun, recordAcked, runTag } from './lost.js';
import { arrivalScenario } from './scenario.js';
import { ingestAnswer, ingestHeaders, requireHealthy, requireKey } from './sluice.js';

/** Events the script sent, acknowledged or not. */
export const eventsSent = new Counter('events_sent');

/**
 * `rate` ingest requests per second for `duration`. With ack=stored a request waits for the
 * insert that holds it: VUs for ~500 ms each up front, room to grow to ~2 s before k6 drops
 * iterations. `extra` adds scenario fields (e.g. `exec`).
 */
export function ingestScenario(rate, duration, extra = {}) {
  return arrivalScenario(rate, duration, Math.max(5, Math.ceil(rate / 2)), Math.max(20, rate * 2), extra);
}

/** Thresholds of an HTTP ingest run: few failed requests, ack latency, checks, no lost events. */
export const INGEST_THRESHOLDS = {
  http_req_failed: ['rate<0.01'],
  'http_req_duration{name:POST /v1/events}': [`p(95)<${latencyMs(500)}`, `p(99)<${latencyMs(1000)}`],
  checks: ['rate>0.99'],
  events_sent: ['count>0'],
  ...LOSS_THRESHOLDS,
};

/** setup() of an ingest run: both keys and both services are there; returns the new run. */
export function startIngestRun(ingestUrl, queryUrl, writeKey, readKey) {
  requireKey(writeKey, 'SLUICE_WRITE_KEY', 'export a write key for the ingest server');
  requireKey(readKey, 'SLUICE_READ_KEY', 'export a read key of the same project (stored events are counted after the run)');
  requireHealthy(ingestUrl, 'ingest server');
  requireHealthy(queryUrl, 'query service');
  return newRun();
}

/** POST /v1/events?ack=stored of `body`: the response and its ingest answer (null when none). */
export function sendEvents(ingestUrl, writeKey, body, contentType) {
  const res = http.post(`${ingestUrl}/v1/events?ack=stored`, body, {
    headers: ingestHeaders(writeKey, contentType),
    tags: { name: 'POST /v1/events' },
  });
  return { res, answer: ingestAnswer(res) };
}

/** Sends `count` events in one request, books the accepted ones as acknowledged, checks all were. */
function postCounted(ingestUrl, writeKey, body, contentType, count, acceptedCheck) {
  const { res, answer } = sendEvents(ingestUrl, writeKey, body, contentType);
  eventsSent.add(count);
  if (res.status === 200 && answer) recordAcked(answer.accepted);
  check(res, {
    'status is 200': (r) => r.status === 200,
    [acceptedCheck]: () => answer !== null && answer.accepted === count,
  });
}

/** A batch of `size` events of `run` as NDJSON. */
export function postBatch(ingestUrl, writeKey, run, size) {
  const body = toNdjson(makeBatch(size, Date.now(), runTag(run)));
  postCounted(ingestUrl, writeKey, body, 'application/x-ndjson', size, 'all events accepted');
}

/** One event of `run` as a JSON object. */
export function postEvent(ingestUrl, writeKey, run) {
  const body = JSON.stringify(makeEvent(undefined, Date.now(), runTag(run)));
  postCounted(ingestUrl, writeKey, body, 'application/json', 1, 'event accepted');
}
