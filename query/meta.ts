// Meta endpoints for query editors and template variables: event names, property keys of an
// event, top values of a property. They read the rollups (count rows, the top-values rollup),
// never raw events, so they stay fast however many events there are.
import type { TemplatedApp } from 'uWebSockets.js';
import { SluiceError } from '../core/errors.js';
import { METRICS } from '../schema/metrics.js';
import { PROPERTY_VALUES_SAMPLING } from '../schema/property-values-sql.js';
import { loadSchemas } from '../schema/registry.js';
import { PROPERTY_NAME } from './dsl-schema.js';
import type { QueryDeps } from './deps.js';
import { route } from './route.js';
import { COLUMNS } from './sql.js';

const DAY = 86_400_000;

function days(params: URLSearchParams): number {
  const raw = params.get('days') ?? '30';
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 400) throw new SluiceError('SLUICE_E_BAD_REQUEST', `?days= must be an integer from 1 to 400, not "${raw}"`);
  return n;
}

function required(params: URLSearchParams, name: string, pattern?: RegExp): string {
  const v = params.get(name);
  if (!v || v.length > 200 || (pattern && !pattern.test(v))) throw new SluiceError('SLUICE_E_BAD_REQUEST', `?${name}= is required${pattern ? ' and must be a property name' : ''}`);
  return v;
}

/** JSON Schema type of each top-level property of an event, where a schema says. */
function schemaTypes(schema: object | undefined): Map<string, string> {
  const props = (schema as { properties?: Record<string, { type?: string | string[] }> } | undefined)?.properties ?? {};
  return new Map(Object.entries(props).map(([k, v]) => [k, Array.isArray(v.type) ? v.type.join('|') : (v.type ?? 'any')]));
}

export function registerMeta(app: TemplatedApp, deps: QueryDeps): void {
  const schemas = loadSchemas();
  const db = deps.store.db;
  const opts = { role: 'viewer' as const, action: 'Listing events and properties' };

  route(app, deps, 'get', '/api/v1/meta/events', opts, async ({ caller, params }) => {
    const since = Date.now() - days(params) * DAY;
    const rows = await deps.store.rows<{ event: string; count: number }>(
      `SELECT event, toFloat64(sum(events)) AS count FROM ${db}.rollup_1d
       WHERE project_id = {project:String} AND metric = '' AND bucket >= toDateTime(intDiv({since:Int64}, 1000))
       GROUP BY event ORDER BY count DESC, event LIMIT 10000`,
      { project: caller.project, since },
    );
    const seen = new Set(rows.map((r) => r.event));
    const events = [
      ...rows.map((r) => ({ name: r.event, count: Number(r.count), has_schema: schemas.schemaOf(r.event) !== undefined })),
      ...schemas.events().filter((e) => !seen.has(e)).map((name) => ({ name, count: 0, has_schema: true })),
    ];
    return { value: { events } };
  });

  route(app, deps, 'get', '/api/v1/meta/properties', opts, async ({ caller, params }) => {
    const event = required(params, 'event');
    const since = Date.now() - days(params) * DAY;
    const rows = await deps.store.rows<{ property: string; hits: number }>(
      `SELECT property, toFloat64(sum(hits)) AS hits FROM ${db}.property_values
       WHERE project_id = {project:String} AND event = {event:String} AND day >= toDate(intDiv({since:Int64}, 1000))
       GROUP BY property ORDER BY hits DESC, property LIMIT 1000`,
      { project: caller.project, event, since },
    );
    const types = schemaTypes(schemas.schemaOf(event));
    const measures = new Set(METRICS.filter((m) => m.event === event).map((m) => m.measure));
    const dimensions = new Map(METRICS.filter((m) => m.event === event).flatMap((m) => m.dimensions.map((d) => [d.name, d.derive ?? null] as const)));
    const names = new Set([...rows.map((r) => r.property), ...types.keys(), ...dimensions.keys()]);
    const hits = new Map(rows.map((r) => [r.property, Number(r.hits) * PROPERTY_VALUES_SAMPLING]));
    const properties = [...names].map((name) => ({
      name,
      type: types.get(name) ?? (dimensions.get(name) ? 'string' : null),
      events_estimate: hits.get(name) ?? 0,
      measure: measures.has(name),
      rollup_dimension: dimensions.has(name),
      derived: dimensions.get(name) ?? undefined,
    }));
    properties.sort((a, b) => b.events_estimate - a.events_estimate || a.name.localeCompare(b.name));
    return { value: { event, properties, columns: COLUMNS } };
  });

  route(app, deps, 'get', '/api/v1/meta/values', opts, async ({ caller, params }) => {
    const event = required(params, 'event');
    const property = required(params, 'property', new RegExp(PROPERTY_NAME));
    const since = Date.now() - days(params) * DAY;
    const prefix = params.get('prefix') ?? '';
    const limit = Math.min(100, Math.max(1, Number(params.get('limit') ?? 100) || 100));
    // A rollup dimension (derived ones included) lists its values from the day rollup.
    const metric = METRICS.find((m) => m.event === event && m.dimensions.some((d) => d.name === property));
    let values: string[];
    if (metric) {
      const column = `d${metric.dimensions.findIndex((d) => d.name === property) + 1}`;
      const rows = await deps.store.rows<{ v: string }>(
        `SELECT ${column} AS v FROM ${db}.rollup_1d
         WHERE project_id = {project:String} AND event = {event:String} AND metric = {metric:String}
           AND bucket >= toDateTime(intDiv({since:Int64}, 1000)) AND v != '' AND startsWith(v, {prefix:String})
         GROUP BY v ORDER BY sum(events) DESC, v LIMIT {limit:UInt32}`,
        { project: caller.project, event, metric: metric.measure, since, prefix, limit },
      );
      values = rows.map((r) => r.v);
    } else {
      const rows = await deps.store.rows<{ v: string }>(
        `SELECT arrayJoin(topKMerge(100)(top_values)) AS v FROM ${db}.property_values
         WHERE project_id = {project:String} AND event = {event:String} AND property = {property:String}
           AND day >= toDate(intDiv({since:Int64}, 1000))`,
        { project: caller.project, event, property, since },
      );
      values = rows.map((r) => r.v).filter((v) => v.startsWith(prefix)).slice(0, limit);
    }
    return { value: { event, property, values, source: metric ? 'rollup_1d' : 'property_values' } };
  });
}
