// The alert engine: node-cron ticks; on each tick the instance allowed to evaluate (the lock)
// evaluates every enabled rule that is due by its own `every`. Rules run side by side, each in
// its own try/catch with a time limit, so a slow or failing rule neither delays nor breaks
// another; a failure is recorded on the rule's state.
import { Redis } from 'ioredis';
import cron, { type ScheduledTask } from 'node-cron';
import type { Store } from '../../core/clickhouse.js';
import type { Config } from '../../core/config.js';
import { briefError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { parseDuration } from '../../core/units.js';
import type { QueryService } from '../service.js';
import { measureRule, step } from './evaluate.js';
import { LocalLock, RedisLock, type EvaluatorLock } from './lock.js';
import { AlertStore, newId, type RuleState } from './store.js';
import type { AlertEvent, AlertRule, Notifier, NotificationOutcome, Transition } from './types.js';

export interface EngineDeps {
  config: Config;
  store: Store;
  service: QueryService;
  log: Logger;
  redis?: Redis;
  /** Sends transitions to the channels; without it transitions are recorded only. */
  notifier?: Notifier;
}

/** Records a transition in the history, after sending it out when `notify`. */
export async function recordTransition(
  alerts: AlertStore,
  notifier: Notifier | undefined,
  log: Logger,
  rule: AlertRule,
  t: { state: Transition; value: number | null; message: string; notify: boolean; by?: string; at?: number },
): Promise<AlertEvent> {
  const event: AlertEvent = {
    id: newId(),
    project: rule.project,
    rule_id: rule.id,
    rule_name: rule.name,
    severity: rule.severity,
    state: t.state,
    at: t.at ?? Date.now(),
    value: t.value,
    threshold: rule.condition.value ?? null,
    query: rule.query,
    message: t.message,
    ...(t.by ? { by: t.by } : {}),
    notifications: [],
  };
  if (t.notify && notifier) {
    try {
      event.notifications = await notifier.dispatch(rule, event);
    } catch (err) {
      const failed: NotificationOutcome = { channel: 'in_app', target: 'dispatch', attempts: 1, outcome: 'failed', error: briefError(err), at: Date.now() };
      event.notifications = [failed];
      log.warn({ rule: rule.id, err: briefError(err) }, 'alert notification failed');
    }
  }
  await alerts.addEvent(event);
  return event;
}

export class AlertEngine {
  readonly alerts: AlertStore;
  private readonly lock: EvaluatorLock;
  private readonly ownRedis?: Redis;
  private task: ScheduledTask | null = null;
  private ticking: Promise<void> | null = null;
  private readonly running = new Map<string, Promise<void>>();
  private stopped = false;
  /** Evaluations this instance ran (for operations and tests). */
  evaluations = 0;

  constructor(private readonly deps: EngineDeps) {
    this.alerts = new AlertStore(deps.store);
    if (deps.config.redisUrl) {
      // A connection of its own: the shared one fails fast (no offline queue), which suits
      // requests but would drop the lock at the first hiccup.
      this.ownRedis = new Redis(deps.config.redisUrl, { maxRetriesPerRequest: 1, commandTimeout: 1000 });
      this.ownRedis.on('error', (err) => deps.log.debug({ err: err.message }, 'alert lock redis error'));
      this.lock = new RedisLock(this.ownRedis, deps.config.alertLockTtlMs);
    } else {
      this.lock = new LocalLock();
    }
  }

  /** The token this instance holds the lock with ("local" without Redis). */
  get holder(): string {
    return this.lock.holder;
  }

  start(): void {
    // A tick still running (a slow store) is skipped by tick() itself, quietly.
    this.task = cron.schedule(`*/${this.deps.config.alertTickS} * * * * *`, () => void this.tick(), { name: 'alerts' });
  }

  /** Stops ticking, waits for evaluations under way and lets the lock go (at once, or by expiry when `release` is false). */
  async stop(opts: { release?: boolean } = {}): Promise<void> {
    this.stopped = true;
    await this.task?.destroy();
    this.task = null;
    // Nothing may still be reading the store when it closes after this.
    await this.ticking;
    await Promise.allSettled([...this.running.values()]);
    if (opts.release !== false) await this.lock.release();
    this.ownRedis?.disconnect();
  }

  /** One scheduler tick: keep or take the lock, then start each due rule not already running. */
  async tick(now = Date.now()): Promise<void> {
    if (this.ticking || this.stopped) return;
    this.ticking = this.dueRules(now).finally(() => {
      this.ticking = null;
    });
    await this.ticking;
  }

  private async dueRules(now: number): Promise<void> {
    try {
      if (!(await this.lock.hold()) || this.stopped) return;
      const [rules, states] = await Promise.all([this.alerts.listRules(), this.alerts.states()]);
      const byRule = new Map(states.map((s) => [`${s.project}/${s.rule_id}`, s]));
      // Cron fires on the second, not to the millisecond: half a tick of slack keeps a rule due every tick due.
      const slack = (this.deps.config.alertTickS * 1000) / 2;
      for (const rule of rules) {
        if (this.stopped) break;
        const key = `${rule.project}/${rule.id}`;
        if (!rule.enabled || this.running.has(key)) continue;
        const last = byRule.get(key)?.last_eval ?? 0;
        if (now - last + slack < parseDuration(rule.every)) continue;
        const p = this.evaluate(rule, now).finally(() => this.running.delete(key));
        this.running.set(key, p);
      }
    } catch (err) {
      this.deps.log.warn({ err: briefError(err) }, 'alert tick failed');
    }
  }

  /** Evaluates one rule; never throws: a failure is recorded on the rule's state. */
  async evaluate(rule: AlertRule, now = Date.now()): Promise<void> {
    let prev: RuleState;
    try {
      prev = await this.alerts.state(rule.project, rule.id);
    } catch (err) {
      this.deps.log.warn({ rule: rule.id, err: briefError(err) }, 'alert state unreadable');
      return;
    }
    const timeout = AbortSignal.timeout(this.deps.config.alertTimeoutMs);
    try {
      this.evaluations++;
      const measured = await Promise.race([
        measureRule(rule, this.deps, timeout, now),
        new Promise<never>((_, reject) => timeout.addEventListener('abort', () => reject(new Error(`evaluation took longer than ${this.deps.config.alertTimeoutMs} ms`)), { once: true })),
      ]);
      const next = step(prev, rule, measured.breached, measured.value, now);
      if (next.transition) {
        await recordTransition(this.alerts, this.deps.notifier, this.deps.log, rule, { state: next.transition, value: measured.value, message: next.message ?? '', notify: next.notify, at: now });
      }
      await this.alerts.putState(next.state);
    } catch (err) {
      const message = briefError(err);
      this.deps.log.warn({ rule: rule.id, project: rule.project, err: message }, 'alert evaluation failed');
      try {
        await this.alerts.putState({ ...prev, last_eval: now, last_error: message, evaluations: prev.evaluations + 1 });
      } catch (e) {
        this.deps.log.warn({ rule: rule.id, err: briefError(e) }, 'alert state not recorded');
      }
    }
  }
}
