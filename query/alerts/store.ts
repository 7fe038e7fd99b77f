// Where rules, their evaluation state, the alert history and the audit log live: ClickHouse
// tables (migration 0005), so a restart or another instance continues where evaluation left off.
import crypto from 'node:crypto';
import type { Store } from '../../core/clickhouse.js';
import type { AlertEvent, AlertRule, Severity, Transition } from './types.js';

export type AlertStatus = 'ok' | 'pending' | 'firing';

/** A rule's evaluation state. Times are epoch ms (0: never). */
export interface RuleState {
  project: string;
  rule_id: string;
  state: AlertStatus;
  since: number;
  value: number | null;
  last_eval: number;
  last_error: string;
  last_notified: number;
  acknowledged: boolean;
  evaluations: number;
}

export interface AuditEntry {
  at: number;
  actor: string;
  action: 'create' | 'update' | 'delete' | 'import';
  rule_id: string;
  before: AlertRule | null;
  after: AlertRule | null;
}

export interface HistoryFilter {
  rule?: string;
  severity?: Severity;
  state?: Transition;
  from?: number;
  to?: number;
  /** Only events strictly older than this (at, id): the cursor. */
  before?: { at: number; id: string };
  limit: number;
}

let seq = 0;
/** Monotonic versions for the replacing tables, also between writes in one millisecond. */
const nextVersion = (): number => Date.now() * 1000 + (seq++ % 1000);
const ms = (v: unknown): number => Number(v);
const parse = <T>(s: string): T | null => (s ? (JSON.parse(s) as T) : null);

export const emptyState = (project: string, ruleId: string): RuleState => ({
  project, rule_id: ruleId, state: 'ok', since: 0, value: null, last_eval: 0, last_error: '', last_notified: 0, acknowledged: false, evaluations: 0,
});

export class AlertStore {
  constructor(private readonly store: Store) {}

  private get db(): string {
    return this.store.db;
  }

  // Rules

  async listRules(project?: string): Promise<AlertRule[]> {
    const rows = await this.store.rows<{ rule: string }>(
      `SELECT rule FROM ${this.db}.alert_rules FINAL WHERE ({project:String} = '' OR project_id = {project:String}) ORDER BY project_id, id`,
      { project: project ?? '' },
    );
    return rows.map((r) => JSON.parse(r.rule) as AlertRule);
  }

  async getRule(project: string, id: string): Promise<AlertRule | null> {
    const rows = await this.store.rows<{ rule: string }>(
      `SELECT rule FROM ${this.db}.alert_rules FINAL WHERE project_id = {project:String} AND id = {id:String}`,
      { project, id },
    );
    return rows[0] ? (JSON.parse(rows[0].rule) as AlertRule) : null;
  }

  async putRule(rule: AlertRule): Promise<void> {
    await this.writeRule(rule.project, rule.id, JSON.stringify(rule), 0);
  }

  async deleteRule(project: string, id: string): Promise<void> {
    await this.writeRule(project, id, '', 1);
    await this.store.command(
      `INSERT INTO ${this.db}.alert_state (project_id, rule_id, state, since, value, last_eval, last_error, last_notified, acknowledged, evaluations, version, is_deleted)
       VALUES ({project:String}, {id:String}, 'ok', 0, NULL, 0, '', 0, 0, 0, {v:UInt64}, 1)`,
      { project, id, v: nextVersion() },
    );
  }

  private async writeRule(project: string, id: string, rule: string, deleted: 0 | 1): Promise<void> {
    await this.store.command(
      `INSERT INTO ${this.db}.alert_rules (project_id, id, rule, updated_at, version, is_deleted)
       VALUES ({project:String}, {id:String}, {rule:String}, now64(3), {v:UInt64}, {d:UInt8})`,
      { project, id, rule, v: nextVersion(), d: deleted },
    );
  }

  // State

  async states(project?: string, ruleId?: string): Promise<RuleState[]> {
    const rows = await this.store.rows<Record<string, unknown>>(
      `SELECT project_id, rule_id, state, toUnixTimestamp64Milli(since) AS since_ms, value, toUnixTimestamp64Milli(last_eval) AS last_eval_ms,
              last_error, toUnixTimestamp64Milli(last_notified) AS last_notified_ms, acknowledged, evaluations
       FROM ${this.db}.alert_state FINAL
       WHERE ({project:String} = '' OR project_id = {project:String}) AND ({rule:String} = '' OR rule_id = {rule:String})`,
      { project: project ?? '', rule: ruleId ?? '' },
    );
    return rows.map((r) => ({
      project: String(r.project_id),
      rule_id: String(r.rule_id),
      state: r.state as AlertStatus,
      since: ms(r.since_ms),
      value: r.value === null ? null : Number(r.value),
      last_eval: ms(r.last_eval_ms),
      last_error: String(r.last_error),
      last_notified: ms(r.last_notified_ms),
      acknowledged: Number(r.acknowledged) === 1,
      evaluations: Number(r.evaluations),
    }));
  }

  async state(project: string, ruleId: string): Promise<RuleState> {
    return (await this.states(project, ruleId))[0] ?? emptyState(project, ruleId);
  }

  async putState(s: RuleState): Promise<void> {
    await this.store.command(
      `INSERT INTO ${this.db}.alert_state (project_id, rule_id, state, since, value, last_eval, last_error, last_notified, acknowledged, evaluations, version, is_deleted)
       VALUES ({project:String}, {rule:String}, {state:String}, fromUnixTimestamp64Milli({since:Int64}), {value:Nullable(Float64)},
               fromUnixTimestamp64Milli({last_eval:Int64}), {err:String}, fromUnixTimestamp64Milli({notified:Int64}), {ack:UInt8}, {n:UInt64}, {v:UInt64}, 0)`,
      {
        project: s.project, rule: s.rule_id, state: s.state, since: s.since, value: s.value, last_eval: s.last_eval, err: s.last_error,
        notified: s.last_notified, ack: s.acknowledged ? 1 : 0, n: s.evaluations, v: nextVersion(),
      },
    );
  }

  // History

  async addEvent(e: AlertEvent): Promise<void> {
    await this.store.command(
      `INSERT INTO ${this.db}.alert_events (project_id, id, rule_id, rule_name, severity, state, at, value, threshold, query, message, by, notifications)
       VALUES ({project:String}, {id:String}, {rule:String}, {name:String}, {severity:String}, {state:String}, fromUnixTimestamp64Milli({at:Int64}),
               {value:Nullable(Float64)}, {threshold:Nullable(Float64)}, {query:String}, {message:String}, {by:String}, {notifications:String})`,
      {
        project: e.project, id: e.id, rule: e.rule_id, name: e.rule_name, severity: e.severity, state: e.state, at: e.at, value: e.value,
        threshold: e.threshold, query: JSON.stringify(e.query), message: e.message, by: e.by ?? '', notifications: JSON.stringify(e.notifications),
      },
    );
  }

  async history(project: string, f: HistoryFilter): Promise<AlertEvent[]> {
    const rows = await this.store.rows<Record<string, unknown>>(
      `SELECT id, rule_id, rule_name, severity, state, toUnixTimestamp64Milli(at) AS at_ms, value, threshold, query, message, by, notifications
       FROM ${this.db}.alert_events
       WHERE project_id = {project:String}
         AND ({rule:String} = '' OR rule_id = {rule:String})
         AND ({severity:String} = '' OR severity = {severity:String})
         AND ({state:String} = '' OR state = {state:String})
         AND at >= fromUnixTimestamp64Milli({from:Int64}) AND at < fromUnixTimestamp64Milli({to:Int64})
         AND ({cursor_at:Int64} = 0 OR (toUnixTimestamp64Milli(at), id) < ({cursor_at:Int64}, {cursor_id:String}))
       ORDER BY at DESC, id DESC LIMIT {limit:UInt32}`,
      {
        project, rule: f.rule ?? '', severity: f.severity ?? '', state: f.state ?? '', from: f.from ?? 0, to: f.to ?? 32503680000000,
        cursor_at: f.before?.at ?? 0, cursor_id: f.before?.id ?? '', limit: f.limit,
      },
    );
    return rows.map((r) => ({
      id: String(r.id),
      project,
      rule_id: String(r.rule_id),
      rule_name: String(r.rule_name),
      severity: r.severity as Severity,
      state: r.state as Transition,
      at: ms(r.at_ms),
      value: r.value === null ? null : Number(r.value),
      threshold: r.threshold === null ? null : Number(r.threshold),
      query: JSON.parse(String(r.query)),
      message: String(r.message),
      ...(r.by ? { by: String(r.by) } : {}),
      notifications: JSON.parse(String(r.notifications)),
    }));
  }

  // Audit

  async audit(project: string, entry: AuditEntry): Promise<void> {
    await this.store.command(
      `INSERT INTO ${this.db}.alert_audit (project_id, at, actor, action, rule_id, before, after)
       VALUES ({project:String}, fromUnixTimestamp64Milli({at:Int64}), {actor:String}, {action:String}, {rule:String}, {before:String}, {after:String})`,
      {
        project, at: entry.at, actor: entry.actor, action: entry.action, rule: entry.rule_id,
        before: entry.before ? JSON.stringify(entry.before) : '', after: entry.after ? JSON.stringify(entry.after) : '',
      },
    );
  }

  async auditLog(project: string, rule: string | undefined, limit: number): Promise<AuditEntry[]> {
    const rows = await this.store.rows<Record<string, unknown>>(
      `SELECT toUnixTimestamp64Milli(at) AS at_ms, actor, action, rule_id, before, after FROM ${this.db}.alert_audit
       WHERE project_id = {project:String} AND ({rule:String} = '' OR rule_id = {rule:String})
       ORDER BY at DESC LIMIT {limit:UInt32}`,
      { project, rule: rule ?? '', limit },
    );
    return rows.map((r) => ({
      at: ms(r.at_ms),
      actor: String(r.actor),
      action: r.action as AuditEntry['action'],
      rule_id: String(r.rule_id),
      before: parse<AlertRule>(String(r.before)),
      after: parse<AlertRule>(String(r.after)),
    }));
  }
}

export const newId = (): string => crypto.randomUUID();
