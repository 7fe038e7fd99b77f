// Events lost: every event of a run carries the property `load_run` = the run's id. Scripts add
// the events Sluice acknowledged as accepted to `events_lost` while they run; teardown() asks
// Sluice how many events of the run it stored and subtracts that. A threshold `count==0` on
// `events_lost` then fails the run when acknowledged and stored counts differ (k6 thresholds
// cannot compare two metrics, but one counter fed from both sides can be checked against 0).
// `events_acked` and `events_stored` show the two sides in the summary.
import http from 'k6/http';
import { Counter } from 'k6/metrics';
import { KINDS, uuidv4 } from './events.js';
import { queryHeaders } from './sluice.js';

const acked = new Counter('events_acked');
const stored = new Counter('events_stored');
const lost = new Counter('events_lost');

export const LOSS_THRESHOLDS = {
  events_lost: ['count==0'],
  events_acked: ['count>0'],
};

/** Called from setup(): the run id every event is tagged with, and when the run began. */
export function newRun() {
  return { runId: uuidv4(), startedAt: Date.now() };
}

/** The properties that tag an event as part of `run`. */
export function runTag(run) {
  return { load_run: run.runId };
}

/** Counts events Sluice acknowledged as accepted (stored, with ack=stored). */
export function recordAcked(n) {
  if (n > 0) {
    acked.add(n);
    lost.add(n);
  }
}

/**
 * Events of the run Sluice holds, summed over the event types of lib/events.js, from raw events
 * (the run filter is no rollup dimension). Throws when a count query fails: a run whose loss
 * cannot be checked must not pass.
 */
export function countStored(queryUrl, readKey, run, kinds = KINDS) {
  // Events are stamped up to a minute before they are sent; a few minutes of margin.
  const minutes = Math.ceil((Date.now() - run.startedAt) / 60000) + 5;
  let total = 0;
  for (const event of kinds) {
    const body = {
      kind: 'breakdown',
      event,
      aggregations: ['count'],
      filters: [{ property: 'load_run', op: 'eq', value: run.runId }],
      range: `${minutes}m`,
      source: 'events',
    };
    const res = http.post(`${queryUrl}/api/v1/query`, JSON.stringify(body), {
      headers: queryHeaders(readKey, { json: true }),
      tags: { name: 'count stored events' },
      timeout: '60s',
    });
    let rows;
    try {
      rows = res.json().rows;
    } catch {
      rows = null;
    }
    if (res.status !== 200 || !Array.isArray(rows)) {
      throw new Error(`counting stored ${event} events failed: status ${res.status} ${String(res.body).slice(0, 300)}`);
    }
    total += rows.length > 0 ? Number(rows[0][0]) : 0;
  }
  return total;
}

/** Called from teardown(): books the stored count against the acknowledged one. */
export function settleLoss(queryUrl, readKey, run) {
  const n = countStored(queryUrl, readKey, run);
  stored.add(n);
  lost.add(-n);
  console.log(`run ${run.runId}: ${n} events stored (events_lost = events_acked - events_stored)`);
  return n;
}
