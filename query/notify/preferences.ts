// Who gets what. A user (JWT `sub` or read-key id) and a team may each have preferences in a
// project: which severities and channels they take, a mute until some time, and their own
// email addresses and SMS numbers. A user takes a notification when their own preferences and
// those of every team they list accept it; a team's mute silences its members.
import type { Store } from '../../core/clickhouse.js';
import { CHANNELS, SEVERITIES, type ChannelKind, type Severity } from '../alerts/types.js';
import { addressList, badRequest, channelList } from './channels.js';
import { nextVersion, type Problem } from './store-util.js';

interface Common {
  severities: Severity[];
  channels: ChannelKind[];
  /** Epoch ms; nothing is sent before it. */
  mute_until: number | null;
  email: string[];
  sms: string[];
}

export interface UserPreferences extends Common {
  subject: string;
  teams: string[];
}

export interface TeamPreferences extends Common {
  team: string;
}

export interface Preferences {
  users: UserPreferences[];
  teams: TeamPreferences[];
}

const NAME = /^[^\s/]{1,128}$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseCommon(b: Record<string, unknown>, problems: Problem[]): Common {
  const severities = b.severities === undefined ? [...SEVERITIES] : (() => {
    if (!Array.isArray(b.severities)) {
      problems.push({ path: '/severities', message: `must be a list of ${SEVERITIES.join(', ')}` });
      return [];
    }
    b.severities.forEach((s, i) => {
      if (!(SEVERITIES as readonly unknown[]).includes(s)) problems.push({ path: `/severities/${i}`, message: `${JSON.stringify(s)} is not a severity: ${SEVERITIES.join(', ')}` });
    });
    return [...new Set(b.severities.filter((s) => (SEVERITIES as readonly unknown[]).includes(s)))] as Severity[];
  })();
  const channels = b.channels === undefined ? [...CHANNELS] : channelList(b.channels, '/channels', problems);
  let mute_until: number | null = null;
  if (b.mute_until !== undefined && b.mute_until !== null) {
    const t = typeof b.mute_until === 'number' ? b.mute_until : typeof b.mute_until === 'string' ? Date.parse(b.mute_until) : NaN;
    if (!Number.isFinite(t) || t < 0) problems.push({ path: '/mute_until', message: 'must be an ISO instant or epoch milliseconds, or null' });
    else mute_until = t;
  }
  const email = b.email === undefined ? [] : addressList(b.email, '/email', 'email', problems);
  const sms = b.sms === undefined ? [] : addressList(b.sms, '/sms', 'sms', problems);
  return { severities, channels, mute_until, email, sms };
}

function checkKeys(b: Record<string, unknown>, allowed: string[], problems: Problem[]): void {
  for (const k of Object.keys(b)) if (!allowed.includes(k)) problems.push({ path: `/${k}`, message: `unknown field; allowed: ${allowed.join(', ')}` });
}

export function parseUserPreferences(body: unknown, subject: string): UserPreferences {
  if (!isObject(body)) throw badRequest('The preferences are not valid', [{ path: '', message: 'must be a JSON object' }]);
  const problems: Problem[] = [];
  checkKeys(body, ['subject', 'teams', 'severities', 'channels', 'mute_until', 'email', 'sms'], problems);
  let teams: string[] = [];
  if (body.teams !== undefined) {
    if (!Array.isArray(body.teams)) problems.push({ path: '/teams', message: 'must be a list of team names' });
    else {
      body.teams.forEach((t, i) => {
        if (typeof t !== 'string' || !NAME.test(t)) problems.push({ path: `/teams/${i}`, message: 'a team name is 1-128 characters without spaces or "/"' });
      });
      teams = [...new Set(body.teams.filter((t): t is string => typeof t === 'string' && NAME.test(t)))];
    }
  }
  const common = parseCommon(body, problems);
  if (problems.length) throw badRequest('The preferences are not valid', problems);
  return { subject, teams, ...common };
}

export function parseTeamPreferences(body: unknown, team: string): TeamPreferences {
  if (!NAME.test(team)) throw badRequest('The team is not valid', [{ path: '', message: 'a team name is 1-128 characters without spaces or "/"' }]);
  if (!isObject(body)) throw badRequest('The team preferences are not valid', [{ path: '', message: 'must be a JSON object' }]);
  const problems: Problem[] = [];
  checkKeys(body, ['severities', 'channels', 'mute_until', 'email', 'sms'], problems);
  const common = parseCommon(body, problems);
  if (problems.length) throw badRequest('The team preferences are not valid', problems);
  return { team, ...common };
}

const accepts = (p: Common, severity: Severity, channel: ChannelKind, now: number): boolean =>
  p.severities.includes(severity) && p.channels.includes(channel) && !(p.mute_until !== null && p.mute_until > now);

/** The users with preferences who take this severity on this channel now. */
export function acceptingUsers(prefs: Preferences, severity: Severity, channel: ChannelKind, now: number): UserPreferences[] {
  const teams = new Map(prefs.teams.map((t) => [t.team, t]));
  return prefs.users.filter((u) => accepts(u, severity, channel, now) && u.teams.every((t) => !teams.has(t) || accepts(teams.get(t)!, severity, channel, now)));
}

/** Extra addresses for email or SMS: each accepting team's list and each accepting user's own. */
export function preferredAddresses(prefs: Preferences, severity: Severity, channel: 'email' | 'sms', now: number): string[] {
  const fromTeams = prefs.teams.filter((t) => accepts(t, severity, channel, now)).flatMap((t) => t[channel]);
  const fromUsers = acceptingUsers(prefs, severity, channel, now).flatMap((u) => u[channel]);
  return [...fromTeams, ...fromUsers];
}

interface Row {
  kind: 'user' | 'team';
  name: string;
  teams: string[];
  severities: Severity[];
  channels: ChannelKind[];
  mute_until: string | null;
  email: string[];
  sms: string[];
}

export class PreferenceStore {
  constructor(private readonly store: Store) {}

  async list(project: string): Promise<Preferences> {
    const rows = await this.store.rows<Row>(
      `SELECT kind, name, teams, severities, channels, toUnixTimestamp64Milli(mute_until) AS mute_until, email, sms
       FROM ${this.store.db}.notification_preferences FINAL WHERE project = {p:String} ORDER BY kind, name`,
      { p: project },
    );
    const common = (r: Row): Common => ({
      severities: r.severities,
      channels: r.channels,
      mute_until: r.mute_until === null ? null : Number(r.mute_until),
      email: r.email,
      sms: r.sms,
    });
    return {
      users: rows.filter((r) => r.kind === 'user').map((r) => ({ subject: r.name, teams: r.teams, ...common(r) })),
      teams: rows.filter((r) => r.kind === 'team').map((r) => ({ team: r.name, ...common(r) })),
    };
  }

  putUser(project: string, p: UserPreferences, by: string): Promise<void> {
    return this.put(project, 'user', p.subject, p.teams, p, by);
  }

  putTeam(project: string, p: TeamPreferences, by: string): Promise<void> {
    return this.put(project, 'team', p.team, [], p, by);
  }

  private async put(project: string, kind: 'user' | 'team', name: string, teams: string[], p: Common, by: string): Promise<void> {
    await this.store.command(
      `INSERT INTO ${this.store.db}.notification_preferences
         (project, kind, name, teams, severities, channels, mute_until, email, sms, updated_at, updated_by, version, is_deleted)
       VALUES ({p:String}, {k:String}, {n:String}, {t:Array(String)}, {sev:Array(String)}, {ch:Array(String)},
         fromUnixTimestamp64Milli({mu:Nullable(Int64)}, 'UTC'), {em:Array(String)}, {sm:Array(String)}, now64(3), {by:String}, {v:UInt64}, 0)`,
      {
        p: project, k: kind, n: name, t: teams, sev: p.severities, ch: p.channels,
        mu: p.mute_until === null ? null : Math.round(p.mute_until), em: p.email, sm: p.sms, by, v: nextVersion(),
      },
    );
  }
}
