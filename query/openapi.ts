// The OpenAPI 3.1 document for ingest and query, built from the same JSON Schemas that
// validate requests (the envelope, each event's schema, the query DSL), so the document cannot
// drift from what the servers accept.
import type { TemplatedApp } from 'uWebSockets.js';
import { ERRORS } from '../core/errors.js';
import { loadSchemas } from '../schema/registry.js';
import { QUERY_SCHEMA } from './dsl-schema.js';
import { alertPaths } from './alerts/openapi-paths.js';
import { notificationPaths } from './notify/openapi-paths.js';
import { KINDS, RANGES } from './types.js';

type Json = Record<string, unknown>;

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Json, example?: unknown): Json => ({ 'application/json': { schema, ...(example === undefined ? {} : { example }) } });
const errorResponse = (description: string): Json => ({ description, content: json(ref('Error')) });
const param = (name: string, where: 'query' | 'path' | 'header', schema: Json, description: string, required = false): Json => ({ name, in: where, required: required || where === 'path', schema, description });
const projectParam = param('project', 'query', { type: 'string' }, 'Project to act on; required for callers not bound to one project (admin token, a JWT listing several).');

const ERROR_RESPONSES = {
  '400': errorResponse('Invalid request or query; `problems` lists each problem with its JSON Pointer.'),
  '401': errorResponse('Missing, unknown or invalid credentials.'),
  '403': errorResponse('The caller\'s role or project does not allow this.'),
  '429': errorResponse('Rate or concurrency limit; see Retry-After and RateLimit-* headers.'),
  '502': errorResponse('ClickHouse failed.'),
  '504': errorResponse('The query ran past SLUICE_QUERY_TIMEOUT.'),
};

function components(): Json {
  const schemas = loadSchemas();
  const eventSchemas: Record<string, Json> = {};
  for (const name of schemas.events()) {
    const { $schema: _s, $id: _i, ...schema } = schemas.schemaOf(name) as Json;
    eventSchemas[`Properties_${name}`] = schema;
  }
  const { $schema: _s, $id: _i, ...envelope } = schemas.envelopeSchema as Json;
  const { $id: _q, ...query } = QUERY_SCHEMA as unknown as Json;
  return {
    securitySchemes: {
      readKey: { type: 'http', scheme: 'bearer', description: 'A read key (slr_...), a JWT (HS256 or from the JWKS; claims sub, role, projects) or the admin token.' },
      writeKey: { type: 'http', scheme: 'bearer', description: 'A write key (slw_...).' },
      segmentWriteKey: { type: 'http', scheme: 'basic', description: 'Segment style: the write key as the Basic-auth user, empty password.' },
    },
    schemas: {
      Event: envelope,
      ...eventSchemas,
      IngestResult: {
        type: 'object',
        required: ['accepted', 'duplicates', 'rejected'],
        properties: {
          accepted: { type: 'integer' },
          duplicates: { type: 'integer' },
          rejected: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                index: { type: 'integer' },
                errors: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
              },
            },
          },
        },
      },
      Query: query,
      Answer: {
        type: 'object',
        required: ['columns', 'rows', 'meta'],
        properties: {
          columns: { type: 'array', items: { type: 'object', required: ['name', 'type'], properties: { name: { type: 'string' }, type: { enum: ['time', 'number', 'string'] } } } },
          rows: { type: 'array', items: { type: 'array' } },
          meta: {
            type: 'object',
            required: ['source', 'approximate', 'rows_read', 'elapsed_ms', 'cache'],
            properties: {
              source: { enum: ['events', 'rollup_1m', 'rollup_1h', 'rollup_1d'] },
              approximate: { type: 'boolean' },
              rows_read: { type: 'integer' },
              elapsed_ms: { type: 'integer' },
              cache: { enum: ['hit', 'miss'] },
              from: { type: 'integer', description: 'Resolved range start, epoch ms.' },
              to: { type: 'integer', description: 'Resolved range end (exclusive), epoch ms.' },
              timezone: { type: 'string' },
              interval: { type: 'string' },
              next_cursor: { type: ['string', 'null'] },
              compare: { type: 'object' },
            },
          },
        },
      },
      Error: {
        type: 'object',
        required: ['error'],
        properties: {
          error: {
            type: 'object',
            required: ['code', 'message'],
            properties: {
              code: { enum: Object.keys(ERRORS) },
              message: { type: 'string' },
              problems: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
              retry_after_s: { type: 'integer' },
            },
          },
        },
      },
    },
  };
}

const INGEST_BODY = {
  required: true,
  content: {
    'application/json': { schema: { oneOf: [ref('Event'), { type: 'array', items: ref('Event') }] }, example: { event: 'order', user_id: 'u42', properties: { order_id: 'o-1', revenue: 120.5, currency: 'EUR' } } },
    'application/x-ndjson': { schema: { type: 'string', description: 'One event (JSON) per line.' } },
  },
};

function paths(): Json {
  const ingestResponses = {
    '200': { description: 'At least one event accepted (or all duplicates); rejected events listed by index.', content: json(ref('IngestResult')) },
    '400': { description: 'Nothing valid; the same body says why for each event.', content: json(ref('IngestResult')) },
    '401': errorResponse('Unknown or missing write key.'),
    '413': errorResponse('Body or event count over the limits.'),
    '415': errorResponse('Unsupported content type or encoding.'),
    '429': errorResponse('Rate limit.'),
    '503': errorResponse('Spool full, store timeout (events spooled) or shutting down.'),
  };
  const ack = param('ack', 'query', { enum: ['stored', 'spooled'], default: 'stored' }, 'stored: answer after the ClickHouse insert commits; spooled: after the local spool fsync.');
  const ingest = (summary: string, security: string): Json => ({
    post: { tags: ['ingest'], summary, servers: [{ url: 'http://127.0.0.1:8080' }], security: [{ [security]: [] }], parameters: [ack], requestBody: INGEST_BODY, responses: ingestResponses },
  });
  const get = (tag: string, summary: string, parameters: Json[], ok: Json, security = true): Json => ({
    get: { tags: [tag], summary, ...(security ? { security: [{ readKey: [] }] } : { security: [] }), parameters, responses: { '200': ok, ...ERROR_RESPONSES } },
  });
  const days = param('days', 'query', { type: 'integer', minimum: 1, maximum: 400, default: 30 }, 'How far back to look.');
  const event = param('event', 'query', { type: 'string' }, 'Event name.', true);
  return {
    '/v1/events': ingest('Send events: one object, an array, or NDJSON (gzip accepted)', 'writeKey'),
    '/v1/batch': ingest('Segment HTTP tracking API batch', 'segmentWriteKey'),
    '/v1/track': ingest('Segment HTTP tracking API track call', 'segmentWriteKey'),
    '/batch/': ingest('PostHog capture batch (api_key in the body)', 'writeKey'),
    '/v1/ws': {
      get: {
        tags: ['ingest'],
        summary: 'WebSocket ingest: each text frame is an event, an array, NDJSON or {"seq", "events"}; each is answered {"seq", "accepted", "duplicates", "rejected"}',
        servers: [{ url: 'ws://127.0.0.1:8080' }],
        security: [{ writeKey: [] }],
        responses: { '101': { description: 'Switching protocols' }, '401': errorResponse('Unknown write key.') },
      },
    },
    '/api/v1/query': {
      post: {
        tags: ['query'],
        summary: `Run a query: ${KINDS.join(', ')}`,
        security: [{ readKey: [] }],
        parameters: [projectParam, param('Cache-Control', 'header', { type: 'string' }, 'no-cache: compute a fresh answer instead of serving a cached one.')],
        requestBody: { required: true, content: json(ref('Query'), { kind: 'timeseries', event: 'api_request', measure: 'duration_ms', aggregations: ['count', 'p95'], range: '24h', interval: '1h', group_by: ['endpoint'] }) },
        responses: { '200': { description: 'The answer.', content: json(ref('Answer')) }, '422': errorResponse('The answer would exceed SLUICE_QUERY_MAX_ROWS.'), ...ERROR_RESPONSES },
      },
    },
    '/api/v1/dashboard/summary': get('query', 'Dashboard sections: health, business, ml, support', [
      projectParam,
      param('sections', 'query', { type: 'string' }, 'Comma list of health, business, ml, support, alerts (viewers: business only).'),
      param('range', 'query', { enum: [...RANGES], default: '24h' }, 'Range ending now.'),
      param('timezone', 'query', { type: 'string', default: 'UTC' }, 'IANA time zone.'),
      param('compare', 'query', { enum: ['previous_period', 'previous_year'], default: 'previous_period' }, 'What the business figures are compared with.'),
    ], {
      description: 'The range and one object per section (see docs/api.md for each section\'s figures).',
      content: json({
        type: 'object',
        required: ['range', 'sections', 'meta'],
        properties: {
          range: { type: 'object', properties: { from: { type: 'integer' }, to: { type: 'integer' }, timezone: { type: 'string' } } },
          sections: { type: 'object', properties: { health: { type: 'object' }, business: { type: 'object' }, ml: { type: 'object' }, support: { type: 'object' }, alerts: { type: 'object' } } },
          meta: { type: 'object', properties: { elapsed_ms: { type: 'integer' }, queries: { type: 'integer' }, sources: { type: 'object' }, cache: { type: 'object' } } },
        },
      }),
    }),
    '/api/v1/export': get('query', 'Export a query\'s rows, streamed: raw events for kind events (every row of the range), else the answer\'s rows', [
      projectParam,
      param('format', 'query', { enum: ['csv', 'ndjson', 'parquet'], default: 'csv' }, 'Output format.'),
      param('query', 'query', { type: 'string' }, 'The query as JSON (URL-encoded); or give its fields as parameters (kind, event, range, from, to, filters as JSON, ...).'),
    ], { description: 'The rows, streamed.', content: { 'text/csv': { schema: { type: 'string' } }, 'application/x-ndjson': { schema: { type: 'string' } }, 'application/vnd.apache.parquet': { schema: { type: 'string', format: 'binary' } } } }),
    '/api/v1/meta/events': get('meta', 'Event names with counts (day rollup) and whether a schema exists', [projectParam, days], { description: 'Events.', content: json({ type: 'object' }) }),
    '/api/v1/meta/properties': get('meta', 'Property keys of an event (top-values rollup and schema)', [projectParam, event, days], { description: 'Properties.', content: json({ type: 'object' }) }),
    '/api/v1/meta/values': get('meta', 'Top values of a property (top-values rollup, or the day rollup for dimensions)', [
      projectParam,
      event,
      param('property', 'query', { type: 'string' }, 'Property name.', true),
      param('prefix', 'query', { type: 'string' }, 'Only values starting with this.'),
      param('limit', 'query', { type: 'integer', minimum: 1, maximum: 100, default: 100 }, 'Most values.'),
      days,
    ], { description: 'Values, most frequent first.', content: json({ type: 'object' }) }),
    '/api/v1/live': {
      get: {
        tags: ['query'],
        summary: 'WebSocket: subscribe to queries and receive fresh answers as events land (see docs/api.md for the messages)',
        servers: [{ url: 'ws://127.0.0.1:8081' }],
        security: [{ readKey: [] }],
        parameters: [projectParam],
        responses: { '101': { description: 'Switching protocols' }, '401': errorResponse('Invalid credentials.'), '403': errorResponse('Role or project refused.') },
      },
    },
    '/api/v1/admin/projects': {
      post: { tags: ['admin'], summary: 'Create a project', security: [{ readKey: [] }], requestBody: { content: json({ type: 'object', required: ['id'], properties: { id: { type: 'string' }, name: { type: 'string' } } }) }, responses: { '201': { description: 'Created.' }, '409': errorResponse('Exists.'), ...ERROR_RESPONSES } },
      get: { tags: ['admin'], summary: 'List projects', security: [{ readKey: [] }], responses: { '200': { description: 'Projects.', content: json({ type: 'object' }) }, ...ERROR_RESPONSES } },
    },
    '/api/v1/admin/keys': {
      post: { tags: ['admin'], summary: 'Create a key (shown once)', security: [{ readKey: [] }], requestBody: { content: json({ type: 'object', required: ['project', 'kind'], properties: { project: { type: 'string' }, kind: { enum: ['write', 'read'] }, name: { type: 'string' } } }) }, responses: { '201': { description: 'The key.', content: json({ type: 'object' }) }, ...ERROR_RESPONSES } },
    },
    '/api/v1/admin/keys/{id}': {
      delete: { tags: ['admin'], summary: 'Revoke a key', security: [{ readKey: [] }], parameters: [param('id', 'path', { type: 'string' }, 'Key id.')], responses: { '204': { description: 'Revoked.' }, ...ERROR_RESPONSES } },
    },
    ...alertPaths(),
    ...notificationPaths(),
    '/api/v1/openapi.json': get('ops', 'This document', [], { description: 'OpenAPI 3.1.', content: json({ type: 'object' }) }, false),
    '/healthz': get('ops', 'Liveness', [], { description: 'Up.' }, false),
    '/readyz': get('ops', 'Readiness (503 naming the reason)', [], { description: 'Ready.' }, false),
    '/metrics': get('ops', 'Prometheus metrics', [], { description: 'Metrics text.', content: { 'text/plain': { schema: { type: 'string' } } } }, false),
  };
}

let cached: string | undefined;

export function openApiDocument(): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Sluice',
      version: '1',
      description: 'Event analytics on ClickHouse: ingest (port 8080) and query (port 8081). Errors carry a stable code listed in docs/errors.md.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: 'http://127.0.0.1:8081', description: 'Query service' }],
    paths: paths(),
    components: components(),
  };
}

export function openApiText(): string {
  cached ??= JSON.stringify(openApiDocument());
  return cached;
}

export function registerOpenApi(app: TemplatedApp): void {
  app.get('/api/v1/openapi.json', (res) => {
    res.cork(() => res.writeHeader('Content-Type', 'application/json').writeHeader('Access-Control-Allow-Origin', '*').end(openApiText()));
  });
}
