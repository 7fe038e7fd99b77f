// A project's notification channels and its routing by severity: the document
// `PUT /api/v1/alerts/channels` takes, checked whole (every problem named), stored as one row.
import { SluiceError } from '../../core/errors.js';
import type { Store } from '../../core/clickhouse.js';
import { CHANNELS, SEVERITIES, type ChannelKind, type Severity } from '../alerts/types.js';
import { nextVersion, type Problem } from './store-util.js';

export interface ChannelConfig {
  webhook?: { url: string; secret: string };
  slack?: { url: string };
  email?: { to: string[] };
  sms?: { to: string[] };
  routing: Record<Severity, ChannelKind[]>;
}

export const DEFAULT_ROUTING: Readonly<Record<Severity, readonly ChannelKind[]>> = Object.freeze({
  critical: ['sms', 'slack', 'email'],
  warning: ['slack', 'email'],
  info: ['in_app'],
});

/** What GET answers in place of a secret; sent back unchanged by PUT, it keeps the stored one. */
export const MASK = '********';

const EMAIL = /^[^\s@<>(),;:"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;
const E164 = /^\+[1-9]\d{6,14}$/;
const MAX_RECIPIENTS = 50;

export const isEmail = (s: unknown): s is string => typeof s === 'string' && s.length <= 254 && EMAIL.test(s);
export const isE164 = (s: unknown): s is string => typeof s === 'string' && E164.test(s);

export function httpUrlProblem(v: unknown): string | null {
  if (typeof v !== 'string' || v === '') return 'must be an http or https URL';
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:' ? null : `must be an http or https URL, not ${u.protocol}`;
  } catch {
    return 'must be an http or https URL';
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function unknownKeys(obj: Record<string, unknown>, allowed: readonly string[], at: string, problems: Problem[]): void {
  for (const k of Object.keys(obj)) if (!allowed.includes(k)) problems.push({ path: `${at}/${k}`, message: `unknown field; allowed: ${allowed.join(', ')}` });
}

const ADDRESS = {
  email: { ok: isEmail, list: 'email addresses', one: 'an email address' },
  sms: { ok: isE164, list: 'E.164 numbers', one: 'an E.164 number such as +14155550123' },
} as const;

/** A list of email addresses or phone numbers, with a problem for each bad one. */
export function addressList(v: unknown, at: string, kind: keyof typeof ADDRESS, problems: Problem[]): string[] {
  const { ok, list, one } = ADDRESS[kind];
  if (!Array.isArray(v)) {
    problems.push({ path: at, message: `must be a list of ${list}` });
    return [];
  }
  if (v.length > MAX_RECIPIENTS) problems.push({ path: at, message: `at most ${MAX_RECIPIENTS} recipients` });
  v.forEach((x, i) => {
    if (!ok(x)) problems.push({ path: `${at}/${i}`, message: `${JSON.stringify(x)?.slice(0, 80)} is not ${one}` });
  });
  return v.filter(ok);
}

export function channelList(v: unknown, at: string, problems: Problem[]): ChannelKind[] {
  if (!Array.isArray(v)) {
    problems.push({ path: at, message: `must be a list of channels: ${CHANNELS.join(', ')}` });
    return [];
  }
  v.forEach((x, i) => {
    if (!(CHANNELS as readonly unknown[]).includes(x)) problems.push({ path: `${at}/${i}`, message: `${JSON.stringify(x)} is not a channel: ${CHANNELS.join(', ')}` });
  });
  return [...new Set(v.filter((x) => (CHANNELS as readonly unknown[]).includes(x)))] as ChannelKind[];
}

export const badRequest = (what: string, problems: Problem[]): SluiceError =>
  new SluiceError('SLUICE_E_BAD_REQUEST', `${what}: ${problems.map((p) => `${p.path || '/'} ${p.message}`).join('; ')}`, { problems });

/** The checked config; `stored` supplies secrets the caller sent back masked. */
export function parseChannelConfig(body: unknown, stored: ChannelConfig | null): ChannelConfig {
  const problems: Problem[] = [];
  if (!isObject(body)) throw badRequest('The channel config is not valid', [{ path: '', message: 'must be a JSON object' }]);
  unknownKeys(body, ['webhook', 'slack', 'email', 'sms', 'routing'], '', problems);
  const out: ChannelConfig = { routing: { ...DEFAULT_ROUTING } as Record<Severity, ChannelKind[]> };

  const section = (name: string, fields: readonly string[]): Record<string, unknown> | null => {
    const v = body[name];
    if (v === undefined || v === null) return null;
    if (!isObject(v)) {
      problems.push({ path: `/${name}`, message: `must be an object with ${fields.join(', ')}` });
      return null;
    }
    unknownKeys(v, fields, `/${name}`, problems);
    return v;
  };

  const webhook = section('webhook', ['url', 'secret']);
  if (webhook) {
    const urlProblem = httpUrlProblem(webhook.url);
    if (urlProblem) problems.push({ path: '/webhook/url', message: urlProblem });
    let secret = webhook.secret;
    if (secret === MASK && stored?.webhook) secret = stored.webhook.secret;
    if (typeof secret !== 'string' || secret.length < 16) problems.push({ path: '/webhook/secret', message: 'must be a string of at least 16 characters (the HMAC key)' });
    out.webhook = { url: webhook.url as string, secret: secret as string };
  }
  const slack = section('slack', ['url']);
  if (slack) {
    let url = slack.url;
    if (stored?.slack && url === maskUrl(stored.slack.url)) url = stored.slack.url;
    const urlProblem = httpUrlProblem(url);
    if (urlProblem) problems.push({ path: '/slack/url', message: urlProblem });
    out.slack = { url: url as string };
  }
  const email = section('email', ['to']);
  if (email) out.email = { to: addressList(email.to, '/email/to', 'email', problems) };
  const sms = section('sms', ['to']);
  if (sms) out.sms = { to: addressList(sms.to, '/sms/to', 'sms', problems) };

  const routing = section('routing', SEVERITIES);
  if (routing) {
    for (const sev of SEVERITIES) {
      if (routing[sev] !== undefined) out.routing[sev] = channelList(routing[sev], `/routing/${sev}`, problems);
    }
  }
  if (problems.length) throw badRequest('The channel config is not valid', problems);
  return out;
}

/** A Slack incoming-webhook URL is itself the credential: only its origin is shown. */
export function maskUrl(url: string): string {
  try {
    return `${new URL(url).origin}/${MASK}`;
  } catch {
    return MASK;
  }
}

export function maskedConfig(c: ChannelConfig): ChannelConfig {
  return {
    ...c,
    ...(c.webhook ? { webhook: { url: c.webhook.url, secret: MASK } } : {}),
    ...(c.slack ? { slack: { url: maskUrl(c.slack.url) } } : {}),
  };
}

export class ChannelStore {
  constructor(private readonly store: Store) {}

  /** The project's config; with none stored, no channels and the default routing. */
  async get(project: string): Promise<ChannelConfig | null> {
    const rows = await this.store.rows<{ config: string }>(
      `SELECT config FROM ${this.store.db}.notification_channels FINAL WHERE project = {p:String}`,
      { p: project },
    );
    if (!rows[0]) return null;
    const c = JSON.parse(rows[0].config) as ChannelConfig;
    return { ...c, routing: { ...DEFAULT_ROUTING, ...c.routing } as Record<Severity, ChannelKind[]> };
  }

  async put(project: string, config: ChannelConfig, by: string): Promise<void> {
    await this.store.command(
      `INSERT INTO ${this.store.db}.notification_channels (project, config, updated_at, updated_by, version, is_deleted)
       VALUES ({p:String}, {c:String}, now64(3), {by:String}, {v:UInt64}, 0)`,
      { p: project, c: JSON.stringify(config), by, v: nextVersion() },
    );
  }
}
