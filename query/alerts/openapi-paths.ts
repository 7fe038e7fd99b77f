// The alert routes in the OpenAPI document.
import { KINDS } from '../types.js';
import { CHANNELS, CONDITIONS, SEVERITIES } from './types.js';
import { SYSTEM_METRICS } from './validate-rule.js';
import { body, commonErrors as errors, errorRef, ok, projectParam as project, queryParam as query, type Json } from '../openapi-parts.js';

const notFound = { '404': { description: 'No such rule in the project.', ...errorRef } };
const conflict = { '409': { description: 'The rule\'s alert is not in a state this applies to.', ...errorRef } };
const id = { name: 'id', in: 'path', required: true, schema: { type: 'string' }, description: 'Alert rule id.' };
const op = (summary: string, extra: Json): Json => ({ tags: ['alerts'], summary, security: [{ readKey: [] }], ...extra });

const duration = { type: 'string', pattern: '^\\d+(\\.\\d+)?(ms|s|m|h|d|w)?$' };
const rule: Json = {
  type: 'object',
  required: ['name', 'query', 'condition'],
  properties: {
    name: { type: 'string', maxLength: 200 },
    query: {
      description: `A query (kinds ${KINDS.filter((k) => !['events', 'forecast', 'anomalies'].includes(k)).join(', ')}) with one numeric aggregation and no group_by, or {"kind": "system", "metric": ${SYSTEM_METRICS.join('|')}, "window": "5m"}.`,
      oneOf: [
        { $ref: '#/components/schemas/Query' },
        { type: 'object', required: ['kind', 'metric'], additionalProperties: false, properties: { kind: { const: 'system' }, metric: { enum: [...SYSTEM_METRICS] }, window: duration } },
      ],
    },
    condition: { type: 'object', required: ['type'], properties: { type: { enum: [...CONDITIONS] }, value: { type: 'number' } } },
    severity: { enum: [...SEVERITIES], default: 'warning' },
    every: { ...duration, default: '1m' },
    for: { ...duration, default: '0s' },
    cooldown: { ...duration, default: '30m' },
    channels: { type: 'array', items: { enum: [...CHANNELS] } },
    enabled: { type: 'boolean', default: true },
  },
};
const example = {
  name: 'Checkout p95 above 800 ms',
  query: { kind: 'timeseries', event: 'api_request', measure: 'duration_ms', aggregations: ['p95'], range: '1h', interval: '5m', filters: [{ property: 'endpoint', op: 'eq', value: '/checkout' }] },
  condition: { type: 'threshold_above', value: 800 },
  severity: 'critical', every: '1m', for: '5m', cooldown: '30m',
};

export function alertPaths(): Record<string, Json> {
  return {
    '/api/v1/alerts/rules': {
      get: op('List alert rules with their state (analyst)', { parameters: [project], responses: { '200': ok('{"rules": [...]}, each with `status`.'), ...errors } }),
      post: op('Create an alert rule (admin); answers the rule with its id', { parameters: [project], requestBody: { required: true, content: { 'application/json': { schema: rule, example } } }, responses: { '201': ok('The rule.'), ...errors } }),
    },
    '/api/v1/alerts/rules/{id}': {
      get: op('One alert rule with its state: last evaluation, last error, value (analyst)', { parameters: [project, id], responses: { '200': ok('The rule.'), ...notFound, ...errors } }),
      put: op('Replace an alert rule (admin)', { parameters: [project, id], requestBody: body(rule), responses: { '200': ok('The rule.'), ...notFound, ...errors } }),
      delete: op('Delete an alert rule (admin)', { parameters: [project, id], responses: { '200': ok('{"deleted": id}'), ...notFound, ...errors } }),
    },
    '/api/v1/alerts/rules/export': {
      get: op('Every rule of the project as JSON (analyst)', { parameters: [project], responses: { '200': ok('{"project", "exported_at", "rules"}'), ...errors } }),
    },
    '/api/v1/alerts/rules/import': {
      post: op('Import rules (admin): all are validated before any is written; a rule with an id replaces that rule', {
        parameters: [project], requestBody: body({ type: 'object', required: ['rules'], properties: { rules: { type: 'array', items: rule } } }), responses: { '200': ok('{"imported", "rules"}'), ...errors },
      }),
    },
    '/api/v1/alerts/audit': {
      get: op('Rule changes, newest first: who, when, action, before and after (analyst)', { parameters: [project, query('rule', { type: 'string' }, 'Only this rule.'), query('limit', { type: 'integer', minimum: 1, maximum: 1000, default: 100 }, 'Most entries.')], responses: { '200': ok('{"entries": [...]}'), ...errors } }),
    },
    '/api/v1/alerts/history': {
      get: op('Alert transitions, newest first, with value, threshold, query and notification outcomes (analyst)', {
        parameters: [
          project,
          query('rule', { type: 'string' }, 'Only this rule.'),
          query('severity', { enum: [...SEVERITIES] }, 'Only this severity.'),
          query('state', { enum: ['pending', 'firing', 'resolved', 'acknowledged'] }, 'Only this transition.'),
          query('from', { type: 'string' }, 'ISO instant or epoch ms (inclusive).'),
          query('to', { type: 'string' }, 'ISO instant or epoch ms (exclusive).'),
          query('limit', { type: 'integer', minimum: 1, maximum: 1000, default: 100 }, 'Most events.'),
          query('cursor', { type: 'string' }, 'next_cursor of the previous page.'),
        ],
        responses: { '200': ok('{"events": [...], "next_cursor"}'), ...errors },
      }),
    },
    '/api/v1/alerts/active': {
      get: op('Rules whose alert is pending or firing (analyst)', { parameters: [project], responses: { '200': ok('{"alerts": [...]}'), ...errors } }),
    },
    '/api/v1/alerts/acknowledge': {
      post: op('Acknowledge several firing alerts (analyst); answers per id', { parameters: [project], requestBody: body({ type: 'object', required: ['ids'], properties: { ids: { type: 'array', items: { type: 'string' } } } }), responses: { '200': ok('{"results": [{"id", "acknowledged", "error"}]}'), ...errors } }),
    },
    '/api/v1/alerts/{id}/acknowledge': {
      post: op('Acknowledge a firing alert (analyst): no reminders until it resolves', { parameters: [project, id], responses: { '200': ok('Acknowledged.'), ...notFound, ...conflict, ...errors } }),
    },
    '/api/v1/alerts/{id}/resolve': {
      post: op('Resolve a pending or firing alert by hand (analyst)', { parameters: [project, id], responses: { '200': ok('Resolved.'), ...notFound, ...conflict, ...errors } }),
    },
  };
}
