// Alert notifications against real receivers started here: an HTTP server standing in for Slack,
// a webhook consumer and Twilio (checking each request's shape, signature and credentials), and
// a real SMTP server. Dispatch is called directly with a hand-made rule and event.
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertEvent, AlertRule, ChannelKind, NotificationOutcome, Severity } from '../query/alerts/types.js';
import type { ChannelNotifier } from '../query/notify/notifier.js';
import { startInProcess, type InProcess } from './helpers/sluice.js';

const SECRET = 'notify-test-jwt-secret-0123456789';
const HOOK_SECRET = 'whsec-0123456789abcdef';
const SID = 'ACtest0123';
const TOKEN = 'twilio-token-secret';
const ADMIN = { authorization: 'Bearer test-admin-token' };

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

interface Mail {
  from: string;
  to: string[];
  user: string;
  raw: string;
  at: number;
}

let s: InProcess;
let notifier: ChannelNotifier;
let receiver: http.Server;
let base = '';
let deadUrl = '';
const received: Received[] = [];
const mails: Mail[] = [];
let smtp: SMTPServer;

const jwt = (sub: string, role: string): Promise<string> =>
  new SignJWT({ role, projects: ['default'] }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setIssuedAt().setExpirationTime('1h').sign(new TextEncoder().encode(SECRET));

async function api(method: string, path: string, auth: Record<string, string> | string, body?: unknown): Promise<{ status: number; body: any; text: string }> {
  const headers = typeof auth === 'string' ? { authorization: `Bearer ${auth}` } : auth;
  const sep = path.includes('?') ? '&' : '?';
  const url = `${s.queryUrl}${path}${'authorization' in headers && headers.authorization === ADMIN.authorization ? `${sep}project=default` : ''}`;
  const res = await fetch(url, { method, headers: { ...headers, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body: parsed, text };
}

let seq = 0;
function alert(severity: Severity, channels?: ChannelKind[]): { rule: AlertRule; event: AlertEvent } {
  const n = ++seq;
  const query = { kind: 'timeseries', event: 'api_request', aggregations: ['count'], range: '1h', interval: '1m' } as AlertRule['query'];
  const rule: AlertRule = {
    id: `rule-${n}`, project: 'default', name: `Checkout errors ${n}`, query, condition: { type: 'threshold_above', value: 100 },
    severity, every: '1m', for: '0s', cooldown: '30m', ...(channels ? { channels } : {}), enabled: true,
    created_at: Date.now(), updated_at: Date.now(), created_by: 'test', updated_by: 'test',
  };
  const event: AlertEvent = {
    id: crypto.randomUUID(), project: 'default', rule_id: rule.id, rule_name: rule.name, severity, state: 'firing', at: Date.now(),
    value: 142.5, threshold: 100, query, message: 'count above 100 for 0s', notifications: [],
  };
  return { rule, event };
}

const byChannel = (out: NotificationOutcome[], channel: ChannelKind): NotificationOutcome[] => out.filter((o) => o.channel === channel);
const from = (path: string, since: number): Received[] => received.filter((r) => r.path.startsWith(path) && r.at >= since);

async function setChannels(config: Record<string, unknown>): Promise<void> {
  const res = await api('PUT', '/api/v1/alerts/channels', ADMIN, config);
  expect(res.status, res.text).toBe(200);
}

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '';
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      if (path.startsWith('/hang')) return; // never answers
      if (path.startsWith('/dead')) return void res.writeHead(500).end('down');
      if (path.startsWith('/twilio/')) return void res.writeHead(201, { 'content-type': 'application/json' }).end('{"sid":"SM1"}');
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  // A port nothing listens on: connections are refused.
  const closed = http.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/slack`;
  await new Promise((r) => closed.close(r));

  smtp = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth: (auth, _session, cb) => cb(auth.username === 'mailer' && auth.password === 'mail-pass' ? null : new Error('bad login'), { user: auth.username }),
    onData: (stream, session, cb) => {
      let raw = '';
      stream.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((a) => a.address),
          user: String(session.user ?? ''),
          raw: raw.replace(/\r\n[ \t]+/g, ' '),
          at: Date.now(),
        });
        cb();
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  s = await startInProcess({
    jwtSecret: SECRET,
    queryRateLimit: '0',
    smtpUrl: `smtp://mailer:mail-pass@127.0.0.1:${smtpPort}`,
    smtpFrom: 'alerts@sluice.test',
    twilioAccountSid: SID,
    twilioAuthToken: TOKEN,
    twilioFrom: '+15005550006',
    twilioBaseUrl: `${base}/twilio`,
    notifyAttempts: '3',
    notifyTimeoutMs: '1s',
    notifyBackoffMs: '400ms',
  });
  notifier = s.sluice.notifier!;
  await setChannels({
    webhook: { url: `${base}/webhook`, secret: HOOK_SECRET },
    slack: { url: `${base}/slack/T000/B000/XXXX` },
    email: { to: ['oncall@example.com'] },
    sms: { to: ['+14155550123'] },
  });
  // A team with its own address for critical alerts only.
  const team = await api('PUT', '/api/v1/notifications/preferences/teams/db', ADMIN, { severities: ['critical'], email: ['db-team@example.com'] });
  expect(team.status, team.text).toBe(200);
});

afterAll(async () => {
  await s?.stop();
  receiver?.closeAllConnections();
  await new Promise((r) => receiver?.close(r));
  await new Promise((r) => (smtp ? smtp.close(() => r(undefined)) : r(undefined)));
});

describe('delivery', () => {
  it('a critical alert with default routing reaches SMS, Slack and email, each request well formed', async () => {
    const since = Date.now();
    const { rule, event } = alert('critical');
    const out = await notifier.dispatch(rule, event);
    expect(new Set(out.map((o) => o.channel))).toEqual(new Set(['sms', 'slack', 'email']));
    for (const o of out) expect(o, JSON.stringify(o)).toMatchObject({ outcome: 'delivered', attempts: 1 });
    // The Slack URL is a credential: only its host is recorded.
    expect(byChannel(out, 'slack')[0].target).toBe(new URL(base).host);
    expect(byChannel(out, 'email').map((o) => o.target).sort()).toEqual(['db-team@example.com', 'oncall@example.com']);

    const [slack] = from('/slack', since);
    expect(slack.headers['content-type']).toBe('application/json');
    const payload = JSON.parse(slack.body);
    expect(payload.text).toContain(rule.name);
    expect(payload.text).toContain('CRITICAL');
    const fields = payload.blocks.find((b: any) => b.type === 'section' && b.fields).fields.map((f: any) => f.text).join('\n');
    for (const want of [rule.name, 'critical', 'firing', '142.5', '100']) expect(fields).toContain(want);
    expect(JSON.stringify(payload)).not.toMatch(/https?:\/\//);

    const [sms] = from('/twilio/', since);
    expect(sms.path).toBe(`/twilio/2010-04-01/Accounts/${SID}/Messages.json`);
    expect(sms.headers.authorization).toBe(`Basic ${Buffer.from(`${SID}:${TOKEN}`).toString('base64')}`);
    expect(sms.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const form = new URLSearchParams(sms.body);
    expect(form.get('To')).toBe('+14155550123');
    expect(form.get('From')).toBe('+15005550006');
    expect(form.get('Body')).toContain(rule.name);

    const got = mails.filter((m) => m.at >= since);
    expect(got.map((m) => m.to).flat().sort()).toEqual(['db-team@example.com', 'oncall@example.com']);
    for (const m of got) {
      expect(m.user).toBe('mailer');
      expect(m.from).toBe('alerts@sluice.test');
      expect(m.raw).toContain(`Subject: [CRITICAL] ${rule.name} is firing`);
      expect(m.raw).toContain('text/plain');
      expect(m.raw).toContain('text/html');
      expect(m.raw).toContain('Threshold: 100');
    }
  });

  it('a webhook delivery is the documented JSON, signed with HMAC-SHA256 of its exact body', async () => {
    const since = Date.now();
    const { rule, event } = alert('warning', ['webhook']);
    const out = await notifier.dispatch(rule, event);
    expect(out).toEqual([expect.objectContaining({ channel: 'webhook', outcome: 'delivered', attempts: 1 })]);
    const [hook] = from('/webhook', since);
    const expected = `sha256=${crypto.createHmac('sha256', HOOK_SECRET).update(hook.body).digest('hex')}`;
    expect(hook.headers['x-sluice-signature']).toBe(expected);
    expect(hook.headers['x-sluice-delivery']).toBe(`${event.id}.webhook`);
    const body = JSON.parse(hook.body);
    expect(hook.headers['x-sluice-timestamp']).toBe(String(body.timestamp));
    expect(body).toMatchObject({ state: 'firing', value: 142.5, threshold: 100, alert: { id: event.id, rule_id: rule.id, severity: 'warning' }, rule: { id: rule.id, name: rule.name } });
  });

  it('a dead channel is retried and recorded failed while the others deliver without waiting for it', async () => {
    await setChannels({ webhook: { url: `${base}/dead`, secret: HOOK_SECRET }, slack: { url: deadUrl }, email: { to: ['oncall@example.com'] }, sms: { to: ['+14155550123'] } });
    try {
      const since = Date.now();
      const { rule, event } = alert('critical', ['webhook', 'slack', 'sms', 'email']);
      const out = await notifier.dispatch(rule, event);
      const [hook] = byChannel(out, 'webhook');
      const [slack] = byChannel(out, 'slack');
      expect(hook).toMatchObject({ outcome: 'failed', attempts: 3 });
      expect(hook.error).toContain('HTTP 500');
      expect(slack).toMatchObject({ outcome: 'failed', attempts: 3 });
      expect(slack.error).toMatch(/ECONNREFUSED|fetch failed/);
      for (const o of [...byChannel(out, 'sms'), ...byChannel(out, 'email')]) expect(o, JSON.stringify(o)).toMatchObject({ outcome: 'delivered', attempts: 1 });

      // The receiver saw every attempt at the dead webhook; the others arrived before its last
      // retry, and their outcomes settled before the dead ones'.
      const attempts = from('/dead', since);
      expect(attempts.length).toBe(3);
      const lastRetry = attempts[2].at;
      expect(from('/twilio/', since)[0].at).toBeLessThan(lastRetry);
      expect(mails.filter((m) => m.at >= since)[0].at).toBeLessThan(lastRetry);
      const settled = Math.max(...out.filter((o) => o.outcome === 'delivered').map((o) => o.at));
      expect(settled).toBeLessThan(Math.min(hook.at, slack.at));
    } finally {
      await setChannels({ webhook: { url: `${base}/webhook`, secret: HOOK_SECRET }, slack: { url: `${base}/slack/T000/B000/XXXX` }, email: { to: ['oncall@example.com'] }, sms: { to: ['+14155550123'] } });
    }
  });

  it('a hanging receiver times out each attempt and is recorded failed; the others are not held up', async () => {
    await setChannels({ webhook: { url: `${base}/hang`, secret: HOOK_SECRET }, slack: { url: `${base}/slack/T000/B000/XXXX` } });
    try {
      const since = Date.now();
      const { rule, event } = alert('warning', ['webhook', 'slack']);
      const out = await notifier.dispatch(rule, event);
      const [hook] = byChannel(out, 'webhook');
      expect(hook).toMatchObject({ outcome: 'failed', attempts: 3 });
      expect(hook.error).toContain('timed out after 1000 ms');
      expect(from('/hang', since).length).toBe(3);
      const [slack] = byChannel(out, 'slack');
      expect(slack).toMatchObject({ outcome: 'delivered', attempts: 1 });
      // Three timed-out attempts take 3 s or more; Slack settled well before.
      expect(hook.at - since).toBeGreaterThanOrEqual(3000);
      expect(slack.at).toBeLessThan(hook.at - 1000);
    } finally {
      await setChannels({ webhook: { url: `${base}/webhook`, secret: HOOK_SECRET }, slack: { url: `${base}/slack/T000/B000/XXXX` }, email: { to: ['oncall@example.com'] }, sms: { to: ['+14155550123'] } });
    }
  });

  it('routes by severity by default: warning to Slack and email, info to in-app only', async () => {
    const w = alert('warning');
    const warning = await notifier.dispatch(w.rule, w.event);
    expect(new Set(warning.map((o) => o.channel))).toEqual(new Set(['slack', 'email']));
    // The team address takes critical only.
    expect(byChannel(warning, 'email').map((o) => o.target)).toEqual(['oncall@example.com']);
    const { rule, event } = alert('info');
    const info = await notifier.dispatch(rule, event);
    expect(info).toEqual([expect.objectContaining({ channel: 'in_app', outcome: 'delivered' })]);
  });

  it('a channel without settings is skipped, not failed', async () => {
    await setChannels({ slack: { url: `${base}/slack/T000/B000/XXXX` } });
    try {
      const { rule, event } = alert('critical');
      const out = await notifier.dispatch(rule, event);
      expect(byChannel(out, 'slack')[0].outcome).toBe('delivered');
      expect(byChannel(out, 'sms')[0]).toMatchObject({ outcome: 'skipped', attempts: 0, error: 'no SMS recipients' });
      // The team's address still gets critical email.
      expect(byChannel(out, 'email')).toEqual([expect.objectContaining({ target: 'db-team@example.com', outcome: 'delivered' })]);
    } finally {
      await setChannels({ webhook: { url: `${base}/webhook`, secret: HOOK_SECRET }, slack: { url: `${base}/slack/T000/B000/XXXX` }, email: { to: ['oncall@example.com'] }, sms: { to: ['+14155550123'] } });
    }
  });

  it('counts sent and failed notifications by channel', async () => {
    const text = await (await fetch(`${s.queryUrl}/metrics`)).text();
    expect(text).toMatch(/sluice_notifications_sent_total\{channel="slack"\} [1-9]/);
    expect(text).toMatch(/sluice_notifications_failed_total\{channel="webhook"\} [1-9]/);
    expect(text).not.toContain(TOKEN);
  });
});

describe('in-app notifications and preferences', () => {
  it('lists the project feed unread first and marks notifications read, one or many', async () => {
    const key = s.readKey;
    const first = alert('info');
    const second = alert('info');
    const third = alert('info');
    first.event.at -= 2000;
    second.event.at -= 1000;
    for (const a of [first, second, third]) await notifier.dispatch(a.rule, a.event);
    const list = await api('GET', '/api/v1/notifications?unread=true', key);
    expect(list.status, list.text).toBe(200);
    const mine = list.body.notifications.filter((x: any) => [first, second, third].some((a) => a.rule.id === x.rule_id));
    expect(mine).toHaveLength(3);
    expect(mine[0]).toMatchObject({ severity: 'info', state: 'firing', value: 142.5, threshold: 100, read_at: null, title: `[INFO] ${third.rule.name} is firing` });
    const id = (a: typeof first) => mine.find((x: any) => x.rule_id === a.rule.id).id as string;

    const one = await api('POST', `/api/v1/notifications/${id(first)}/read`, key);
    expect(one.status, one.text).toBe(200);
    const bulk = await api('POST', '/api/v1/notifications/read', key, { ids: [id(second), 'nope'] });
    expect(bulk.body).toEqual({ read: [id(second)], not_found: ['nope'] });

    const all = (await api('GET', '/api/v1/notifications?severity=info&limit=500', key)).body.notifications as any[];
    const order = all.map((x) => x.id);
    expect(order.indexOf(id(third))).toBeLessThan(order.indexOf(id(first)));
    expect(all.find((x) => x.id === id(first)).read_at).toBeGreaterThan(0);
    const unread = (await api('GET', `/api/v1/notifications?unread=true&rule=${second.rule.id}`, key)).body.notifications;
    expect(unread).toEqual([]);

    expect((await api('POST', '/api/v1/notifications/nope/read', key)).status).toBe(404);
    const bad = await api('GET', '/api/v1/notifications?severity=loud&limit=0', key);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('SLUICE_E_BAD_REQUEST');
    expect(bad.body.error.problems.map((p: any) => p.path)).toEqual(['?severity', '?limit']);
    expect((await api('POST', '/api/v1/notifications/read', key, { ids: [] })).status).toBe(400);
  });

  it('preferences give a user their own copy, and a user or team mute silences it', async () => {
    const [alice, bob, carol] = await Promise.all([jwt('alice', 'analyst'), jwt('bob', 'analyst'), jwt('carol', 'analyst')]);
    const hour = Date.now() + 3_600_000;
    expect((await api('PUT', '/api/v1/notifications/preferences', alice, { mute_until: new Date(hour).toISOString() })).status).toBe(200);
    expect((await api('PUT', '/api/v1/notifications/preferences', bob, { severities: ['info', 'critical'], channels: ['in_app'] })).status).toBe(200);
    expect((await api('PUT', '/api/v1/notifications/preferences', carol, { teams: ['ops'] })).status).toBe(200);
    expect((await api('PUT', '/api/v1/notifications/preferences/teams/ops', ADMIN, { mute_until: hour })).status).toBe(200);
    // Only admins change someone else's preferences.
    const other = await api('PUT', '/api/v1/notifications/preferences', bob, { subject: 'alice', mute_until: null });
    expect(other.status).toBe(403);

    const { rule, event } = alert('info');
    const out = await notifier.dispatch(rule, event);
    expect(out).toEqual([expect.objectContaining({ channel: 'in_app', outcome: 'delivered', target: 'project feed and 1 user' })]);
    const seen = async (token: string) => (await api('GET', `/api/v1/notifications?rule=${rule.id}`, token)).body.notifications.length;
    expect(await seen(bob)).toBe(1);
    expect(await seen(alice)).toBe(0);
    expect(await seen(carol)).toBe(0);
    expect(await seen(s.readKey)).toBe(1);

    const own = await api('GET', '/api/v1/notifications/preferences', alice);
    expect(own.body.users).toEqual([expect.objectContaining({ subject: 'alice', mute_until: hour })]);
    const everyone = await api('GET', '/api/v1/notifications/preferences', ADMIN);
    expect(everyone.body.users.map((u: any) => u.subject)).toEqual(['alice', 'bob', 'carol']);
    expect(everyone.body.teams.map((t: any) => t.team)).toEqual(['db', 'ops']);

    const bad = await api('PUT', '/api/v1/notifications/preferences', alice, { severities: ['loud'], channels: ['pager'], mute_until: 'soon', email: ['x'], sms: ['555'], colour: 'red' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.problems.map((p: any) => p.path).sort()).toEqual(['/channels/0', '/colour', '/email/0', '/mute_until', '/severities/0', '/sms/0']);
  });
});

describe('channel settings', () => {
  it('names every problem of an invalid config', async () => {
    const res = await api('PUT', '/api/v1/alerts/channels', ADMIN, {
      webhook: { url: 'ftp://example.com/hook', secret: 'short' },
      slack: { url: 'not a url' },
      email: { to: ['ops@example.com', 'not-an-email'] },
      sms: { to: ['+14155550123', '0155 1234'] },
      routing: { critical: ['pager', 'slack'], urgent: ['sms'] },
      pagerduty: {},
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('SLUICE_E_BAD_REQUEST');
    expect(res.body.error.problems.map((p: any) => p.path).sort()).toEqual(
      ['/email/to/1', '/pagerduty', '/routing/critical/0', '/routing/urgent', '/slack/url', '/sms/to/1', '/webhook/secret', '/webhook/url'],
    );
  });

  it('an admin changes them, an analyst reads them with secrets masked, a viewer does neither', async () => {
    const viewer = await jwt('vera', 'viewer');
    const analyst = await jwt('ann', 'analyst');
    expect((await api('PUT', '/api/v1/alerts/channels', s.readKey, { slack: { url: `${base}/slack` } })).status).toBe(403);
    expect((await api('PUT', '/api/v1/alerts/channels', analyst, { slack: { url: `${base}/slack` } })).status).toBe(403);
    expect((await api('GET', '/api/v1/alerts/channels', viewer)).status).toBe(403);

    const got = await api('GET', '/api/v1/alerts/channels', s.readKey);
    expect(got.status).toBe(200);
    expect(got.text).not.toContain(HOOK_SECRET);
    expect(got.text).not.toContain('XXXX');
    expect(got.body.webhook).toEqual({ url: `${base}/webhook`, secret: '********' });
    expect(got.body.slack.url).toBe(`${base}/********`);
    expect(got.body.routing).toEqual({ critical: ['sms', 'slack', 'email'], warning: ['slack', 'email'], info: ['in_app'] });

    // Sending back what GET answered keeps the stored secrets; routing can change.
    const put = await api('PUT', '/api/v1/alerts/channels', ADMIN, { ...got.body, routing: { warning: ['webhook'] } });
    expect(put.status, put.text).toBe(200);
    const stored = await notifier.channels.get('default');
    expect(stored?.webhook?.secret).toBe(HOOK_SECRET);
    expect(stored?.slack?.url).toBe(`${base}/slack/T000/B000/XXXX`);
    expect(stored?.routing.warning).toEqual(['webhook']);
    expect(stored?.routing.critical).toEqual(['sms', 'slack', 'email']);
  });
});
