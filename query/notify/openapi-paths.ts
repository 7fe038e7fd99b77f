// The notification routes in the OpenAPI document.
import { CHANNELS, SEVERITIES } from '../alerts/types.js';
import { body, commonErrors as errors, errorRef, ok, projectParam as project, queryParam as query, type Json } from '../openapi-parts.js';

const op = (summary: string, extra: Json): Json => ({ tags: ['notifications'], summary, security: [{ readKey: [] }], ...extra });

const list = (items: Json): Json => ({ type: 'array', items });
const severities = list({ enum: [...SEVERITIES] });
const channels = list({ enum: [...CHANNELS] });
const addresses = { email: list({ type: 'string', format: 'email' }), sms: list({ type: 'string', pattern: '^\\+[1-9]\\d{6,14}$' }) };
const muteUntil = { type: ['string', 'integer', 'null'], description: 'ISO instant or epoch ms; nothing is sent before it.' };

const channelConfig: Json = {
  type: 'object',
  additionalProperties: false,
  properties: {
    webhook: { type: 'object', required: ['url', 'secret'], properties: { url: { type: 'string', format: 'uri' }, secret: { type: 'string', minLength: 16 } } },
    slack: { type: 'object', required: ['url'], properties: { url: { type: 'string', format: 'uri' } } },
    email: { type: 'object', required: ['to'], properties: { to: addresses.email } },
    sms: { type: 'object', required: ['to'], properties: { to: addresses.sms } },
    routing: { type: 'object', properties: Object.fromEntries(SEVERITIES.map((s) => [s, channels])) },
  },
};

const userPreferences: Json = {
  type: 'object',
  additionalProperties: false,
  properties: { subject: { type: 'string' }, teams: list({ type: 'string' }), severities, channels, mute_until: muteUntil, ...addresses },
};
const teamPreferences: Json = { type: 'object', additionalProperties: false, properties: { severities, channels, mute_until: muteUntil, ...addresses } };

export function notificationPaths(): Json {
  return {
    '/api/v1/alerts/channels': {
      get: op('The project\'s notification channels and routing (secrets masked)', { parameters: [project], responses: { '200': ok('The channels.', channelConfig), ...errors } }),
      put: op('Replace the project\'s notification channels and routing (admin)', { parameters: [project], requestBody: body(channelConfig), responses: { '200': ok('The stored channels, secrets masked.', channelConfig), ...errors } }),
    },
    '/api/v1/notifications': {
      get: op('The caller\'s in-app notifications, unread first', {
        parameters: [
          project,
          query('unread', { type: 'boolean' }, 'Only unread ones.'),
          query('severity', { enum: [...SEVERITIES] }, 'Only this severity.'),
          query('rule', { type: 'string' }, 'Only this rule id.'),
          query('from', { type: 'string' }, 'Created at or after (ISO instant or epoch ms).'),
          query('to', { type: 'string' }, 'Created before (ISO instant or epoch ms).'),
          query('limit', { type: 'integer', minimum: 1, maximum: 500, default: 50 }, 'Most notifications.'),
        ],
        responses: { '200': ok('Notifications.'), ...errors },
      }),
    },
    '/api/v1/notifications/read': {
      post: op('Mark notifications read', {
        parameters: [project],
        requestBody: body({ type: 'object', required: ['ids'], properties: { ids: list({ type: 'string' }) } }),
        responses: { '200': ok('The ids marked read and those not found.'), ...errors },
      }),
    },
    '/api/v1/notifications/{id}/read': {
      post: op('Mark one notification read', {
        parameters: [project, { name: 'id', in: 'path', required: true, schema: { type: 'string' }, description: 'Notification id.' }],
        responses: { '200': ok('Marked read.'), '404': { description: 'No such notification for this caller.', ...errorRef }, ...errors },
      }),
    },
    '/api/v1/notifications/preferences': {
      get: op('Notification preferences: the caller\'s own and the teams\' (admin: every user\'s)', { parameters: [project], responses: { '200': ok('Preferences.'), ...errors } }),
      put: op('Set a user\'s preferences (the caller\'s own; another subject needs admin)', { parameters: [project], requestBody: body(userPreferences), responses: { '200': ok('The stored preferences.'), ...errors } }),
    },
    '/api/v1/notifications/preferences/teams/{team}': {
      put: op('Set a team\'s preferences (admin)', {
        parameters: [project, { name: 'team', in: 'path', required: true, schema: { type: 'string' }, description: 'Team name.' }],
        requestBody: body(teamPreferences),
        responses: { '200': ok('The stored preferences.'), ...errors },
      }),
    },
  };
}
