// One evaluation of one rule: the number its query yields now, whether the condition holds,
// and where that moves the rule's state (ok → pending → firing → resolved).
import type { Store } from '../../core/clickhouse.js';
import { parseDuration } from '../../core/units.js';
import type { QueryService } from '../service.js';
import type { Answer, Query } from '../types.js';
import type { AlertStatus, RuleState } from './store.js';
import type { AlertRule, Transition } from './types.js';
import { DEFAULTS, isSystem, watchedAggregation, type SystemQuery } from './validate-rule.js';

export interface Measured {
  /** The watched number (for rate_of_change: the % change), null when there is none. */
  value: number | null;
  /** The query's own value (the current window), for the record. */
  current: number | null;
  breached: boolean;
}

const num = (v: unknown): number | null => (v === null || v === undefined || !Number.isFinite(Number(v)) ? null : Number(v));

function column(answer: Answer, name: string): number {
  const i = answer.columns.findIndex((c) => c.name === name);
  if (i < 0) throw new Error(`the answer has no column ${name}`);
  return i;
}

/**
 * The number an answer yields: timeseries and percentiles with an interval, the aggregation in
 * the last bucket (the one holding the range's end); breakdown and percentiles without one,
 * the total; funnel, the last step's conversion_from_first; retention, the rate of the latest
 * cohort that has reached the last asked period. `previous` gives the bucket before (timeseries).
 */
export function valueOf(query: Query, answer: Answer, previous = false): number | null {
  const rows = answer.rows;
  switch (query.kind) {
    case 'funnel': {
      const row = rows[rows.length - 1];
      return row ? num(row[column(answer, 'conversion_from_first')]) : null;
    }
    case 'retention': {
      const p = column(answer, 'period');
      const last = Math.max(-1, ...rows.map((r) => Number(r[p])));
      const at = rows.filter((r) => Number(r[p]) === (query.periods ?? last));
      const row = at.length ? at[at.length - 1] : undefined;
      return row ? num(row[column(answer, 'rate')]) : null;
    }
    default: {
      const i = column(answer, watchedAggregation(query) ?? 'count');
      const row = rows[rows.length - (previous ? 2 : 1)];
      return row ? num(row[i]) : null;
    }
  }
}

export interface MeasureDeps {
  service: QueryService;
  store: Store;
}

/** Built-in measures of the ingest path over [from, to): rejected share, p95 ingest lag. */
export async function systemValue(store: Store, project: string, q: SystemQuery, from: number, to: number): Promise<number | null> {
  const db = store.db;
  const params = { project, from, to };
  const received = `received_at >= fromUnixTimestamp64Milli({from:Int64}) AND received_at < fromUnixTimestamp64Milli({to:Int64})`;
  if (q.metric === 'rejected_rate') {
    const [r] = await store.rows<{ rejected: string; accepted: string }>(
      `SELECT (SELECT count() FROM ${db}.rejects WHERE project_id = {project:String} AND ${received}) AS rejected,
              (SELECT count() FROM ${db}.events WHERE project_id = {project:String} AND ${received}) AS accepted`,
      params,
    );
    const total = Number(r.rejected) + Number(r.accepted);
    return total === 0 ? null : Number(r.rejected) / total;
  }
  const [r] = await store.rows<{ lag: number | null }>(
    `SELECT if(count() = 0, NULL, quantile(0.95)(toUnixTimestamp64Milli(received_at) - toUnixTimestamp64Milli(timestamp))) AS lag
     FROM ${db}.events WHERE project_id = {project:String} AND ${received}`,
    params,
  );
  return num(r?.lag);
}

/** The same query over the window just before: from/to shifted back by the window's length. */
function previousWindow(query: Query, from: number, to: number): Query {
  const { range: _range, ...rest } = query;
  return { ...rest, from: new Date(from - (to - from)).toISOString(), to: new Date(from).toISOString() };
}

function breached(rule: AlertRule, value: number | null, zeroIsNoData: boolean): boolean {
  const c = rule.condition;
  switch (c.type) {
    case 'threshold_above':
      return value !== null && value > (c.value ?? 0);
    case 'threshold_below':
      return value !== null && value < (c.value ?? 0);
    case 'rate_of_change':
      // A positive value asks for a rise of at least that many %, a negative one for a fall.
      return value !== null && ((c.value ?? 0) >= 0 ? value >= (c.value ?? 0) : value <= (c.value ?? 0));
    case 'no_data':
      return value === null || (zeroIsNoData && value === 0);
    default:
      return false;
  }
}

const change = (cur: number | null, prev: number | null): number | null => (cur === null || prev === null || prev === 0 ? null : ((cur - prev) / Math.abs(prev)) * 100);

/** Runs the rule's query (twice for rate_of_change) and applies its condition. */
export async function measureRule(rule: AlertRule, deps: MeasureDeps, signal: AbortSignal, now: number): Promise<Measured> {
  const run = (query: unknown): Promise<Answer> => deps.service.run(rule.project, query, { noCache: true, signal, now });
  const system = (q: SystemQuery, from: number, to: number): Promise<number | null> => systemValue(deps.store, rule.project, q, from, to);
  const q = rule.query as unknown;
  const rate = rule.condition.type === 'rate_of_change';
  if (isSystem(q)) {
    const w = parseDuration(q.window ?? DEFAULTS.systemWindow);
    const current = await system(q, now - w, now);
    const value = rate ? change(current, await system(q, now - 2 * w, now - w)) : current;
    return { value, current, breached: breached(rule, value, false) };
  }
  const query = rule.query;
  if (rule.condition.type === 'anomaly') return anomaly(query, await run({ ...query, kind: 'anomalies' }), deps.service.resolve(query, now).live);
  const answer = await run(query);
  const current = valueOf(query, answer);
  let value = current;
  if (rate) {
    let prev: number | null;
    if (query.kind === 'timeseries') prev = valueOf(query, answer, true);
    else {
      const r = deps.service.resolve(query, now);
      prev = valueOf(query, await run(previousWindow(query, r.from, r.to)));
    }
    value = change(current, prev);
  }
  const counting = ['count', 'uniq_users'].includes(watchedAggregation(query) ?? '') && ['timeseries', 'breakdown'].includes(query.kind);
  return { value, current, breached: breached(rule, value, counting) };
}

/**
 * The anomaly condition: the latest bucket of the series modelled as kind anomalies (outside
 * the model's interval: is_anomaly). A range reaching now skips its still-filling last bucket,
 * whose partial count would look like a drop.
 */
function anomaly(query: Query, answer: Answer, live: boolean): Measured {
  const rows = live ? answer.rows.slice(0, -1) : answer.rows;
  const row = rows[rows.length - 1];
  if (!row) return { value: null, current: null, breached: false };
  const value = num(row[column(answer, 'value')]);
  return { value, current: value, breached: value !== null && Number(row[column(answer, 'is_anomaly')]) === 1 };
}

export interface Step {
  state: RuleState;
  /** The transition to record, if any. */
  transition?: Transition;
  message?: string;
  /** Whether the transition goes out to the channels. */
  notify: boolean;
}

/**
 * The state machine. ok → pending when the condition holds and `for` > 0 (→ firing at once when
 * `for` is 0); pending → firing once it has held for `for`; firing → resolved (ok) when it
 * clears. Firing notifies unless a notification went out less than `cooldown` ago; while
 * firing, a reminder goes out each `cooldown` unless acknowledged. A resolve notifies when its
 * firing did.
 */
export function step(prev: RuleState, rule: AlertRule, breachedNow: boolean, value: number | null, now: number): Step {
  const forMs = parseDuration(rule.for);
  const cooldownMs = parseDuration(rule.cooldown);
  const base: RuleState = { ...prev, value, last_eval: now, last_error: '', evaluations: prev.evaluations + 1 };
  const cooled = prev.last_notified === 0 || now - prev.last_notified >= cooldownMs;
  const fire = (message: string): Step => ({
    state: { ...base, state: 'firing', since: now, acknowledged: false, last_notified: cooled ? now : prev.last_notified },
    transition: 'firing',
    message: cooled ? message : `${message} (no notification: within the cooldown of the last one)`,
    notify: cooled,
  });
  const to = (state: AlertStatus, extra: Partial<RuleState> = {}): RuleState => ({ ...base, state, ...extra });
  switch (prev.state) {
    case 'ok':
      if (!breachedNow) return { state: to('ok'), notify: false };
      if (forMs > 0) return { state: to('pending', { since: now }), transition: 'pending', message: `condition holds; firing if it still holds after ${rule.for}`, notify: false };
      return fire('condition holds');
    case 'pending':
      if (!breachedNow) return { state: to('ok', { since: now }), transition: 'resolved', message: 'condition cleared before firing', notify: false };
      if (now - prev.since >= forMs) return fire(`condition held for ${rule.for}`);
      return { state: to('pending'), notify: false };
    case 'firing':
      if (!breachedNow) {
        const announced = prev.last_notified >= prev.since && prev.last_notified > 0;
        return { state: to('ok', { since: now, acknowledged: false }), transition: 'resolved', message: 'condition cleared', notify: announced };
      }
      if (!prev.acknowledged && cooled) return { state: to('firing', { last_notified: now }), transition: 'firing', message: `still firing after ${rule.cooldown}`, notify: true };
      return { state: to('firing'), notify: false };
  }
}
