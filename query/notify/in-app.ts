// In-app notifications: stored in ClickHouse, listed unread first, marked read by writing the
// row again with `read_at` and a higher version. Recipient "*" is the project feed, seen by
// callers without preferences; a caller with preferences sees only their own copies.
import crypto from 'node:crypto';
import type { Store } from '../../core/clickhouse.js';
import type { AlertEvent, AlertRule, Severity } from '../alerts/types.js';
import { nextVersion } from './store-util.js';

export const PROJECT_FEED = '*';

export interface InAppNotification {
  id: string;
  rule_id: string;
  rule_name: string;
  alert_id: string;
  severity: Severity;
  state: string;
  title: string;
  body: string;
  value: number | null;
  threshold: number | null;
  created_at: number;
  read_at: number | null;
}

export interface InAppFilter {
  unread?: boolean;
  severity?: Severity;
  rule?: string;
  from?: number;
  to?: number;
  limit: number;
}

const COLUMNS = 'id, project, recipient, rule_id, rule_name, alert_id, severity, state, title, body, value, threshold, created_at, read_at, version, is_deleted';

function notificationId(eventId: string, recipient: string): string {
  const h = crypto.createHash('sha256').update(`${eventId}\n${recipient}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export class InAppStore {
  constructor(private readonly store: Store) {}

  private get table(): string {
    return `${this.store.db}.notifications`;
  }

  /**
   * One row per recipient; answers the ids. Ids follow from the alert event and the recipient,
   * so a retry after an insert that timed out but landed replaces the row instead of adding one.
   */
  async add(rule: AlertRule, event: AlertEvent, title: string, body: string, recipients: readonly string[]): Promise<string[]> {
    const version = nextVersion();
    const rows = recipients.map((recipient) => ({
      id: notificationId(event.id, recipient),
      project: event.project,
      recipient,
      rule_id: rule.id,
      rule_name: rule.name,
      alert_id: event.id,
      severity: event.severity,
      state: event.state,
      title,
      body,
      value: event.value,
      threshold: event.threshold,
      created_at: new Date(event.at).toISOString(),
      read_at: null,
      version,
      is_deleted: 0,
    }));
    if (!rows.length) return [];
    await this.store.insertJsonLines(this.table, Buffer.from(rows.map((r) => JSON.stringify(r)).join('\n')), { date_time_input_format: 'best_effort' });
    return rows.map((r) => r.id);
  }

  async list(project: string, recipient: string, f: InAppFilter): Promise<InAppNotification[]> {
    const where = ['project = {p:String}', 'recipient = {r:String}'];
    if (f.unread) where.push('read_at IS NULL');
    if (f.severity) where.push('severity = {sev:String}');
    if (f.rule) where.push('rule_id = {rule:String}');
    if (f.from !== undefined) where.push('created_at >= fromUnixTimestamp64Milli({from:Int64})');
    if (f.to !== undefined) where.push('created_at < fromUnixTimestamp64Milli({to:Int64})');
    const rows = await this.store.rows<Record<string, unknown>>(
      `SELECT id, rule_id, rule_name, alert_id, severity, state, title, body, value, threshold,
              toUnixTimestamp64Milli(created_at) AS created_at, toUnixTimestamp64Milli(read_at) AS read_at
       FROM ${this.table} FINAL WHERE ${where.join(' AND ')}
       ORDER BY read_at IS NULL DESC, created_at DESC, id LIMIT {limit:UInt32}`,
      Object.fromEntries(Object.entries({ p: project, r: recipient, sev: f.severity, rule: f.rule, from: f.from, to: f.to, limit: f.limit }).filter(([, v]) => v !== undefined)),
    );
    return rows.map((r) => ({
      ...(r as unknown as InAppNotification),
      created_at: Number(r.created_at),
      read_at: r.read_at === null ? null : Number(r.read_at),
    }));
  }

  /** Marks the recipient's unread notifications among `ids` read; answers the ids it marked. */
  async markRead(project: string, recipient: string, ids: readonly string[]): Promise<string[]> {
    if (!ids.length) return [];
    const params = { p: project, r: recipient, ids, v: nextVersion() };
    const scope = 'project = {p:String} AND recipient = {r:String} AND id IN {ids:Array(String)} AND read_at IS NULL';
    const unread = await this.store.rows<{ id: string }>(`SELECT id FROM ${this.table} FINAL WHERE ${scope}`, params);
    if (!unread.length) return [];
    await this.store.command(
      `INSERT INTO ${this.table} (${COLUMNS})
       SELECT id, project, recipient, rule_id, rule_name, alert_id, severity, state, title, body, value, threshold, created_at,
              now64(3, 'UTC'), {v:UInt64}, 0
       FROM ${this.table} FINAL WHERE ${scope}`,
      params,
    );
    return unread.map((r) => r.id);
  }

  /** Which of `ids` the recipient can see at all (read or not). */
  async existing(project: string, recipient: string, ids: readonly string[]): Promise<string[]> {
    const rows = await this.store.rows<{ id: string }>(
      `SELECT id FROM ${this.table} FINAL WHERE project = {p:String} AND recipient = {r:String} AND id IN {ids:Array(String)}`,
      { p: project, r: recipient, ids },
    );
    return rows.map((r) => r.id);
  }
}
