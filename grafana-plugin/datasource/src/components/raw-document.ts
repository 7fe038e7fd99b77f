import { buildQuery } from '../query-builder';
import { DslQuery, FunnelStep, INTERVALS, Interval, Kind, KINDS, SluiceQuery } from '../types';

// The dashboard supplies these when the query is sent, so the raw text leaves them out.
const DASHBOARD_FIELDS = ['from', 'to', 'timezone'] as const;

/**
 * The document the builder would send, without the dashboard's range and time zone: what raw
 * mode starts from. An unfinished funnel or retention still gives its fields.
 */
export function builderDocument(query: SluiceQuery): DslQuery {
  const builder = { ...query, rawMode: false };
  // buildQuery refuses unfinished funnels and retention; build with stand-ins, then put back.
  const complete: SluiceQuery = {
    ...builder,
    steps: padSteps(builder.steps),
    start_event: builder.start_event || '-',
    return_event: builder.return_event || '-',
  };
  const built = buildQuery(complete, { from: 0, to: 0, timezone: 'utc' });
  const doc: DslQuery = built.ok ? { ...built.query } : { kind: query.kind };
  for (const field of DASHBOARD_FIELDS) {
    delete doc[field];
  }
  restore(doc, 'steps', query.steps);
  restore(doc, 'start_event', query.start_event);
  restore(doc, 'return_event', query.return_event);
  return doc;
}

function padSteps(steps: FunnelStep[] | undefined): FunnelStep[] {
  const padded = [...(steps ?? [])];
  while (padded.length < 2) {
    padded.push({ event: '-' });
  }
  return padded;
}

function restore<K extends 'steps' | 'start_event' | 'return_event'>(doc: DslQuery, field: K, value: DslQuery[K]) {
  if (!(field in doc)) {
    return;
  }
  if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) {
    delete doc[field];
  } else {
    doc[field] = value;
  }
}

export function rawText(doc: DslQuery): string {
  return JSON.stringify(doc, null, 2);
}

export type ParsedRaw = { ok: true; doc: Record<string, unknown> } | { ok: false; error: string };

export function parseRaw(textValue: string | undefined): ParsedRaw {
  let parsed: unknown;
  try {
    parsed = JSON.parse(textValue ?? '');
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { ok: false, error: 'not an object' };
  }
  return { ok: true, doc: parsed as Record<string, unknown> };
}

const BUILDER_FIELDS = [
  'event',
  'measure',
  'aggregations',
  'filters',
  'group_by',
  'limit',
  'compare',
  'steps',
  'window',
  'strict_order',
  'start_event',
  'return_event',
  'period',
  'periods',
  'properties',
  'horizon',
] as const;

/**
 * The builder query a raw document describes, for going back from raw mode: its DSL fields
 * replace the builder's. A document without a known kind leaves the builder as it was.
 */
export function fromDocument(query: SluiceQuery, doc: Record<string, unknown>): SluiceQuery {
  if (!KINDS.includes(doc.kind as Kind)) {
    return query;
  }
  const next: SluiceQuery = { refId: query.refId, kind: doc.kind as Kind };
  for (const key of ['hide', 'datasource', 'queryType', 'live'] as const) {
    if (query[key] !== undefined) {
      (next as unknown as Record<string, unknown>)[key] = query[key];
    }
  }
  for (const field of BUILDER_FIELDS) {
    if (doc[field] !== undefined) {
      (next as unknown as Record<string, unknown>)[field] = doc[field];
    }
  }
  next.interval = INTERVALS.includes(doc.interval as Interval) ? (doc.interval as Interval) : 'auto';
  return next;
}
