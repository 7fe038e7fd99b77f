// Notification routes: the project's channels and routing, in-app notifications, preferences.
import type { TemplatedApp } from 'uWebSockets.js';
import { SluiceError } from '../../core/errors.js';
import { SEVERITIES, type Severity } from '../alerts/types.js';
import type { Caller } from '../auth.js';
import type { QueryDeps } from '../deps.js';
import { route } from '../route.js';
import { badRequest, DEFAULT_ROUTING, maskedConfig, parseChannelConfig } from './channels.js';
import { PROJECT_FEED, type InAppFilter } from './in-app.js';
import type { ChannelNotifier } from './notifier.js';
import { parseTeamPreferences, parseUserPreferences } from './preferences.js';
import type { Problem } from './store-util.js';

const MAX_IDS = 500;

/** Callers with preferences get their own copies; everyone else reads the project feed. */
async function recipientOf(n: ChannelNotifier, caller: Caller): Promise<string> {
  const prefs = await n.preferences.list(caller.project);
  return prefs.users.some((u) => u.subject === caller.subject) ? caller.subject : PROJECT_FEED;
}

function instant(raw: string, at: string, problems: Problem[]): number | undefined {
  const t = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(t)) problems.push({ path: at, message: 'must be an ISO instant or epoch milliseconds' });
  return Number.isFinite(t) ? t : undefined;
}

function listFilter(params: URLSearchParams): InAppFilter {
  const problems: Problem[] = [];
  const f: InAppFilter = { limit: 50 };
  const unread = params.get('unread');
  if (unread !== null) {
    if (unread !== 'true' && unread !== 'false') problems.push({ path: '?unread', message: 'must be true or false' });
    f.unread = unread === 'true';
  }
  const severity = params.get('severity');
  if (severity !== null) {
    if (!(SEVERITIES as readonly string[]).includes(severity)) problems.push({ path: '?severity', message: `must be one of ${SEVERITIES.join(', ')}` });
    f.severity = severity as Severity;
  }
  const rule = params.get('rule');
  if (rule) f.rule = rule;
  const from = params.get('from');
  if (from !== null) f.from = instant(from, '?from', problems);
  const to = params.get('to');
  if (to !== null) f.to = instant(to, '?to', problems);
  const limit = params.get('limit');
  if (limit !== null) {
    const n = Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > 500) problems.push({ path: '?limit', message: 'must be an integer from 1 to 500' });
    f.limit = n;
  }
  if (problems.length) throw badRequest('The filters are not valid', problems);
  return f;
}

function idList(body: unknown): string[] {
  const ids = (body as { ids?: unknown } | undefined)?.ids;
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_IDS || !ids.every((i) => typeof i === 'string' && i !== '')) {
    throw badRequest('The body is not valid', [{ path: '/ids', message: `must be a list of 1 to ${MAX_IDS} notification ids` }]);
  }
  return [...new Set(ids as string[])];
}

export function registerNotifications(app: TemplatedApp, deps: QueryDeps): void {
  const n = deps.notifier;

  route(app, deps, 'get', '/api/v1/alerts/channels', { role: 'analyst', action: 'Reading notification channels' }, async ({ caller }) => {
    const config = await n.channels.get(caller.project);
    return { value: config ? maskedConfig(config) : { routing: DEFAULT_ROUTING } };
  });

  route(app, deps, 'put', '/api/v1/alerts/channels', { role: 'admin', action: 'Changing notification channels', body: true }, async ({ caller, body }) => {
    const config = parseChannelConfig(body, await n.channels.get(caller.project));
    await n.channels.put(caller.project, config, caller.subject);
    return { value: maskedConfig(config) };
  });

  route(app, deps, 'get', '/api/v1/notifications', { role: 'analyst', action: 'Reading notifications' }, async ({ caller, params }) => {
    const filter = listFilter(params);
    const recipient = await recipientOf(n, caller);
    return { value: { notifications: await n.inApp.list(caller.project, recipient, filter) } };
  });

  route(app, deps, 'post', '/api/v1/notifications/read', { role: 'analyst', action: 'Marking notifications read', body: true }, async ({ caller, body }) => {
    const ids = idList(body);
    const recipient = await recipientOf(n, caller);
    const read = await n.inApp.markRead(caller.project, recipient, ids);
    const known = new Set(await n.inApp.existing(caller.project, recipient, ids));
    return { value: { read, not_found: ids.filter((id) => !known.has(id)) } };
  });

  route(app, deps, 'post', '/api/v1/notifications/:id/read', { role: 'analyst', action: 'Marking notifications read', pathParams: 1 }, async ({ caller, path }) => {
    const id = path[0];
    const recipient = await recipientOf(n, caller);
    const read = await n.inApp.markRead(caller.project, recipient, [id]);
    if (!read.length && !(await n.inApp.existing(caller.project, recipient, [id])).length) {
      throw new SluiceError('SLUICE_E_NOT_FOUND', `no notification "${id}" for this caller`);
    }
    return { value: { read: [id] } };
  });

  route(app, deps, 'get', '/api/v1/notifications/preferences', { role: 'analyst', action: 'Reading notification preferences' }, async ({ caller }) => {
    const prefs = await n.preferences.list(caller.project);
    if (caller.role === 'admin') return { value: prefs };
    return { value: { users: prefs.users.filter((u) => u.subject === caller.subject), teams: prefs.teams } };
  });

  route(app, deps, 'put', '/api/v1/notifications/preferences', { role: 'analyst', action: 'Changing notification preferences', body: true }, async ({ caller, body }) => {
    const named = (body as { subject?: unknown } | undefined)?.subject;
    if (named !== undefined && (typeof named !== 'string' || named === '' || named.length > 256)) {
      throw badRequest('The preferences are not valid', [{ path: '/subject', message: 'must be a JWT subject or key id' }]);
    }
    const subject = (named as string | undefined) ?? caller.subject;
    if (subject !== caller.subject && caller.role !== 'admin') {
      throw new SluiceError('SLUICE_E_FORBIDDEN', `Changing the preferences of "${subject}" needs role admin; a caller may change only their own`);
    }
    const prefs = parseUserPreferences(body, subject);
    await n.preferences.putUser(caller.project, prefs, caller.subject);
    return { value: prefs };
  });

  route(app, deps, 'put', '/api/v1/notifications/preferences/teams/:team', { role: 'admin', action: 'Changing team notification preferences', body: true, pathParams: 1 }, async ({ caller, body, path }) => {
    const prefs = parseTeamPreferences(body, path[0]);
    await n.preferences.putTeam(caller.project, prefs, caller.subject);
    return { value: prefs };
  });
}

/** Routes for the not-found handler's 405 answers. */
export const NOTIFICATION_ROUTES: Record<string, string[]> = {
  '/api/v1/alerts/channels': ['GET', 'PUT'],
  '/api/v1/notifications': ['GET'],
  '/api/v1/notifications/read': ['POST'],
  '/api/v1/notifications/preferences': ['GET', 'PUT'],
};
