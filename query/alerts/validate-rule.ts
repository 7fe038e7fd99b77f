// An alert rule document in, a checked rule out, or every problem named with its JSON Pointer.
// The query goes through the query service's own validation (its problems re-rooted under
// /query); what an alert adds is checked here: one number to watch, a condition that can be
// compared with it, intervals, severity and channels.
import { SluiceError } from '../../core/errors.js';
import { parseDuration } from '../../core/units.js';
import type { QueryService } from '../service.js';
import type { Problem } from '../validate-query.js';
import type { Aggregation, Query } from '../types.js';
import { CHANNELS, CONDITIONS, SEVERITIES, type AlertRule } from './types.js';

/** Built-in measures of the ingest path, scoped to the project: not DSL queries. */
export const SYSTEM_METRICS = ['rejected_rate', 'ingest_lag_ms'] as const;
export type SystemMetric = (typeof SYSTEM_METRICS)[number];
export interface SystemQuery {
  kind: 'system';
  metric: SystemMetric;
  /** Trailing window the measure is taken over (default 5m). */
  window?: string;
}

/** What a rule may be given; the rest (id, project, times, authors) the service sets. */
export type RuleInput = Pick<AlertRule, 'name' | 'query' | 'condition' | 'severity' | 'every' | 'for' | 'cooldown' | 'channels' | 'enabled'>;

/** Which events and measures exist for the project (seen in its data or with a shipped schema). */
export interface Catalog {
  hasEvent(event: string): boolean;
  hasMeasure(event: string, measure: string): boolean;
}

const FIELDS = ['name', 'query', 'condition', 'severity', 'every', 'for', 'cooldown', 'channels', 'enabled'];
export const DEFAULTS = { severity: 'warning', every: '1m', for: '0s', cooldown: '30m', systemWindow: '5m' } as const;
const VALUE_KINDS = ['timeseries', 'breakdown', 'percentiles', 'funnel', 'retention'];

export const isSystem = (q: unknown): q is SystemQuery => (q as { kind?: unknown } | null)?.kind === 'system';

function durationProblem(v: unknown, path: string, problems: Problem[], minMs = 0): number | undefined {
  if (typeof v !== 'string') {
    problems.push({ path, message: 'must be a duration such as 30s, 5m, 1h' });
    return undefined;
  }
  try {
    const ms = parseDuration(v);
    if (ms < minMs) problems.push({ path, message: `must be at least ${minMs / 1000}s (SLUICE_ALERT_MIN_INTERVAL)` });
    return ms;
  } catch (err) {
    problems.push({ path, message: (err as Error).message });
    return undefined;
  }
}

/** The one aggregation an aggregate-kind query watches. */
export function watchedAggregation(q: Query): Aggregation | undefined {
  return q.aggregations?.[0] ?? (q.kind === 'breakdown' || q.kind === 'timeseries' ? 'count' : undefined);
}

function queryProblems(q: unknown, service: QueryService, catalog: Catalog, problems: Problem[]): void {
  if (isSystem(q)) {
    const { kind: _k, metric, window, ...rest } = q as SystemQuery & Record<string, unknown>;
    if (!SYSTEM_METRICS.includes(metric)) problems.push({ path: '/query/metric', message: `must be one of ${SYSTEM_METRICS.join(', ')}` });
    if (window !== undefined) durationProblem(window, '/query/window', problems, 1000);
    for (const k of Object.keys(rest)) problems.push({ path: `/query/${k}`, message: 'is not a field of a system query (kind, metric, window)' });
    return;
  }
  try {
    service.resolve(q);
  } catch (err) {
    const e = err as SluiceError;
    if (e.code !== 'SLUICE_E_BAD_QUERY') throw err;
    for (const p of (e.details?.problems as Problem[] | undefined) ?? [{ path: '', message: e.message }]) problems.push({ path: `/query${p.path}`, message: p.message });
    return;
  }
  const query = q as Query;
  if (!VALUE_KINDS.includes(query.kind)) {
    problems.push({ path: '/query/kind', message: `an alert watches one number: kind must be one of ${VALUE_KINDS.join(', ')} or system, not ${query.kind}` });
    return;
  }
  if (query.group_by?.length) problems.push({ path: '/query/group_by', message: 'an alert watches one number: pick the group with a filter instead of group_by' });
  if (['timeseries', 'breakdown', 'percentiles'].includes(query.kind) && (query.aggregations?.length ?? 1) !== 1) {
    problems.push({ path: '/query/aggregations', message: 'an alert watches exactly one aggregation' });
  }
  if (query.compare) problems.push({ path: '/query/compare', message: 'is set by the rate_of_change condition, not by the rule' });
  const events: [string, string][] = [];
  if (query.event) events.push([query.event, '/query/event']);
  query.steps?.forEach((s, i) => events.push([s.event, `/query/steps/${i}/event`]));
  if (query.start_event) events.push([query.start_event, '/query/start_event']);
  if (query.return_event) events.push([query.return_event, '/query/return_event']);
  for (const [event, path] of events) {
    if (!catalog.hasEvent(event)) problems.push({ path, message: `unknown event "${event}": not seen in this project and no schema` });
  }
  if (query.measure && query.event && catalog.hasEvent(query.event) && !catalog.hasMeasure(query.event, query.measure)) {
    problems.push({ path: '/query/measure', message: `unknown measure "${query.measure}" of event "${query.event}"` });
  }
}

/** The anomaly condition models the rule's timeseries as kind anomalies: that query must be valid too. */
function anomalyProblems(q: unknown, service: QueryService, problems: Problem[]): void {
  if ((q as Query | null)?.kind !== 'timeseries') {
    problems.push({ path: '/condition/type', message: 'anomaly needs a query of kind timeseries (it is modelled as kind anomalies)' });
    return;
  }
  try {
    service.resolve({ ...(q as Query), kind: 'anomalies' });
  } catch (err) {
    const e = err as SluiceError;
    if (e.code !== 'SLUICE_E_BAD_QUERY') throw err;
    for (const p of (e.details?.problems as Problem[] | undefined) ?? []) {
      if (!problems.some((x) => x.path === `/query${p.path}`)) problems.push({ path: `/query${p.path}`, message: `${p.message} (as kind anomalies, for the anomaly condition)` });
    }
  }
}

/** Checks a rule document; throws SLUICE_E_BAD_REQUEST with `problems` naming each one. */
export function validateRule(input: unknown, service: QueryService, catalog: Catalog, minIntervalMs: number): RuleInput {
  const problems: Problem[] = [];
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw invalid([{ path: '', message: 'must be a JSON object' }]);
  const doc = input as Record<string, unknown>;
  for (const k of Object.keys(doc)) {
    if (!FIELDS.includes(k) && !['id', 'project', 'created_at', 'updated_at', 'created_by', 'updated_by'].includes(k)) problems.push({ path: `/${k}`, message: `is not a rule field (${FIELDS.join(', ')})` });
  }
  if (typeof doc.name !== 'string' || doc.name.trim() === '' || doc.name.length > 200) problems.push({ path: '/name', message: 'is required: a non-empty string of at most 200 characters' });

  if (doc.query === undefined || typeof doc.query !== 'object' || doc.query === null) problems.push({ path: '/query', message: 'is required: a query document' });
  else queryProblems(doc.query, service, catalog, problems);

  const cond = doc.condition as { type?: unknown; value?: unknown } | undefined;
  if (typeof cond !== 'object' || cond === null) {
    problems.push({ path: '/condition', message: `is required: {"type": ${CONDITIONS.join('|')}, "value": n}` });
  } else {
    for (const k of Object.keys(cond)) if (k !== 'type' && k !== 'value') problems.push({ path: `/condition/${k}`, message: 'is not a condition field (type, value)' });
    if (!CONDITIONS.includes(cond.type as never)) problems.push({ path: '/condition/type', message: `must be one of ${CONDITIONS.join(', ')}` });
    const needsValue = cond.type === 'threshold_above' || cond.type === 'threshold_below' || cond.type === 'rate_of_change';
    if (needsValue && (typeof cond.value !== 'number' || !Number.isFinite(cond.value))) problems.push({ path: '/condition/value', message: `must be a number for ${String(cond.type)}` });
    else if (!needsValue && cond.value !== undefined && (typeof cond.value !== 'number' || !Number.isFinite(cond.value))) problems.push({ path: '/condition/value', message: 'must be a number' });
    if (cond.type === 'anomaly') anomalyProblems(doc.query, service, problems);
  }
  if (doc.severity !== undefined && !SEVERITIES.includes(doc.severity as never)) problems.push({ path: '/severity', message: `must be one of ${SEVERITIES.join(', ')}` });
  if (doc.every !== undefined) durationProblem(doc.every, '/every', problems, minIntervalMs);
  else if (parseDuration(DEFAULTS.every) < minIntervalMs) problems.push({ path: '/every', message: `the default 1m is below SLUICE_ALERT_MIN_INTERVAL; give one` });
  if (doc.for !== undefined) durationProblem(doc.for, '/for', problems);
  if (doc.cooldown !== undefined) durationProblem(doc.cooldown, '/cooldown', problems);
  if (doc.channels !== undefined) {
    if (!Array.isArray(doc.channels)) problems.push({ path: '/channels', message: `must be a list of ${CHANNELS.join(', ')}` });
    else doc.channels.forEach((c, i) => {
      if (!CHANNELS.includes(c as never)) problems.push({ path: `/channels/${i}`, message: `must be one of ${CHANNELS.join(', ')}` });
    });
  }
  if (doc.enabled !== undefined && typeof doc.enabled !== 'boolean') problems.push({ path: '/enabled', message: 'must be true or false' });
  if (problems.length > 0) throw invalid(problems);

  const c = cond as { type: AlertRule['condition']['type']; value?: number };
  return {
    name: (doc.name as string).trim(),
    query: doc.query as Query,
    condition: c.value === undefined ? { type: c.type } : { type: c.type, value: c.value },
    severity: (doc.severity as AlertRule['severity'] | undefined) ?? DEFAULTS.severity,
    every: (doc.every as string | undefined) ?? DEFAULTS.every,
    for: (doc.for as string | undefined) ?? DEFAULTS.for,
    cooldown: (doc.cooldown as string | undefined) ?? DEFAULTS.cooldown,
    ...(doc.channels !== undefined ? { channels: doc.channels as AlertRule['channels'] } : {}),
    enabled: (doc.enabled as boolean | undefined) ?? true,
  };
}

export function invalid(problems: Problem[], prefix = ''): SluiceError {
  const rooted = problems.map((p) => ({ path: `${prefix}${p.path}`, message: p.message }));
  const first = rooted[0];
  const more = rooted.length > 1 ? ` (and ${rooted.length - 1} more)` : '';
  return new SluiceError('SLUICE_E_BAD_REQUEST', `Invalid alert rule: ${first.path || '/'} ${first.message}${more}`, { problems: rooted });
}
