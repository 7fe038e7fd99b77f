// The alerts API: rules (admin changes them, analysts read them), their audit log, export and
// import, the alert history, active alerts, and acknowledging or resolving by hand (analyst).
import type { TemplatedApp } from 'uWebSockets.js';
import { SluiceError } from '../../core/errors.js';
import { METRICS } from '../../schema/metrics.js';
import { loadSchemas } from '../../schema/registry.js';
import type { QueryDeps } from '../deps.js';
import { route, type RouteOptions } from '../route.js';
import type { Problem } from '../validate-query.js';
import { recordTransition } from './engine.js';
import { AlertStore, newId, type RuleState } from './store.js';
import { SEVERITIES, type AlertRule, type Notifier, type Severity, type Transition } from './types.js';
import { invalid, validateRule, type Catalog, type RuleInput } from './validate-rule.js';

const BASE = '/api/v1/alerts';
const TRANSITIONS: Transition[] = ['pending', 'firing', 'resolved', 'acknowledged'];
const MAX_IMPORT = 1000;

const read: RouteOptions = { role: 'analyst', action: 'Reading alert rules and history' };
const change: RouteOptions = { role: 'admin', action: 'Changing alert rules', body: true };
const handle: RouteOptions = { role: 'analyst', action: 'Acknowledging or resolving alerts', body: true };

const notFound = (id: string): SluiceError => new SluiceError('SLUICE_E_NOT_FOUND', `no alert rule "${id}" in this project`);
const badParam = (name: string, want: string): SluiceError => new SluiceError('SLUICE_E_BAD_REQUEST', `?${name}= must be ${want}`);

function instant(params: URLSearchParams, name: string): number | undefined {
  const raw = params.get(name);
  if (raw === null || raw === '') return undefined;
  const t = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(t)) throw badParam(name, 'an ISO instant or epoch ms');
  return t;
}

const encodeCursor = (at: number, id: string): string => Buffer.from(JSON.stringify([at, id])).toString('base64url');
function decodeCursor(raw: string): { at: number; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof at === 'number' && typeof id === 'string') return { at, id };
  } catch {
    // refused below
  }
  throw badParam('cursor', 'a next_cursor from an earlier answer');
}

/** What a rule's state looks like in answers. */
export const status = (s: RuleState | undefined) => ({
  state: s?.state ?? 'ok',
  since: s?.since || null,
  value: s?.value ?? null,
  acknowledged: s?.acknowledged ?? false,
  last_evaluated: s?.last_eval || null,
  last_error: s?.last_error || null,
  last_notified: s?.last_notified || null,
  evaluations: s?.evaluations ?? 0,
});

/** The project's pending and firing alerts, the most recent first. */
export async function activeAlerts(alerts: AlertStore, project: string) {
  const [rules, states] = await Promise.all([alerts.listRules(project), alerts.states(project)]);
  const byId = new Map(rules.map((r) => [r.id, r]));
  return states
    .filter((s) => s.state !== 'ok' && byId.has(s.rule_id))
    .map((s) => {
      const r = byId.get(s.rule_id)!;
      return { rule_id: r.id, rule_name: r.name, severity: r.severity, condition: r.condition, ...status(s) };
    })
    .sort((a, b) => (b.since ?? 0) - (a.since ?? 0));
}

export function registerAlerts(app: TemplatedApp, deps: QueryDeps): void {
  const alerts = new AlertStore(deps.store);
  const schemas = loadSchemas();
  const db = deps.store.db;
  const notifier = (): Notifier | undefined => deps.notifier;

  async function catalog(project: string): Promise<Catalog> {
    const [events, props] = await Promise.all([
      deps.store.rows<{ event: string }>(`SELECT DISTINCT event FROM ${db}.rollup_1d WHERE project_id = {project:String} AND metric = ''`, { project }),
      deps.store.rows<{ event: string; property: string }>(`SELECT DISTINCT event, property FROM ${db}.property_values WHERE project_id = {project:String}`, { project }),
    ]);
    const seen = new Set(events.map((r) => r.event));
    const properties = new Set(props.map((r) => `${r.event}\u0000${r.property}`));
    return {
      hasEvent: (e) => seen.has(e) || schemas.schemaOf(e) !== undefined,
      hasMeasure: (e, m) => {
        const schema = schemas.schemaOf(e) as { properties?: Record<string, unknown> } | undefined;
        return properties.has(`${e}\u0000${m}`) || schema?.properties?.[m] !== undefined || METRICS.some((x) => x.event === e && x.measure === m);
      },
    };
  }

  const check = async (project: string, body: unknown): Promise<RuleInput> => validateRule(body, deps.service, await catalog(project), deps.config.alertMinIntervalMs);

  async function withStatus(project: string, rules: AlertRule[]) {
    const states = new Map((await alerts.states(project)).map((s) => [s.rule_id, s]));
    return rules.map((r) => ({ ...r, status: status(states.get(r.id)) }));
  }

  async function existing(project: string, id: string): Promise<AlertRule> {
    const rule = await alerts.getRule(project, id);
    if (!rule) throw notFound(id);
    return rule;
  }

  // Rules

  route(app, deps, 'get', `${BASE}/rules`, read, async ({ caller }) => ({ value: { rules: await withStatus(caller.project, await alerts.listRules(caller.project)) } }));

  route(app, deps, 'get', `${BASE}/rules/export`, read, async ({ caller }) => {
    const rules = await alerts.listRules(caller.project);
    return { value: { project: caller.project, exported_at: Date.now(), rules } };
  });

  route(app, deps, 'get', `${BASE}/rules/:id`, { ...read, pathParams: 1 }, async ({ caller, path }) => {
    const [rule] = await withStatus(caller.project, [await existing(caller.project, path[0])]);
    return { value: rule };
  });

  route(app, deps, 'post', `${BASE}/rules`, change, async ({ caller, body }) => {
    const input = await check(caller.project, body);
    const now = Date.now();
    const rule: AlertRule = { id: newId(), project: caller.project, ...input, created_at: now, updated_at: now, created_by: caller.subject, updated_by: caller.subject };
    await alerts.putRule(rule);
    await alerts.audit(caller.project, { at: now, actor: caller.subject, action: 'create', rule_id: rule.id, before: null, after: rule });
    return { status: 201, value: rule };
  });

  route(app, deps, 'put', `${BASE}/rules/:id`, { ...change, pathParams: 1 }, async ({ caller, body, path }) => {
    const before = await existing(caller.project, path[0]);
    const input = await check(caller.project, body);
    const now = Date.now();
    const after: AlertRule = { ...before, channels: undefined, ...input, updated_at: now, updated_by: caller.subject };
    if (after.channels === undefined) delete after.channels;
    await alerts.putRule(after);
    await alerts.audit(caller.project, { at: now, actor: caller.subject, action: 'update', rule_id: after.id, before, after });
    return { value: after };
  });

  route(app, deps, 'del', `${BASE}/rules/:id`, { ...change, body: false, pathParams: 1 }, async ({ caller, path }) => {
    const before = await existing(caller.project, path[0]);
    await alerts.deleteRule(caller.project, before.id);
    await alerts.audit(caller.project, { at: Date.now(), actor: caller.subject, action: 'delete', rule_id: before.id, before, after: null });
    return { value: { deleted: before.id } };
  });

  route(app, deps, 'post', `${BASE}/rules/import`, change, async ({ caller, body }) => {
    const list = Array.isArray(body) ? body : (body as { rules?: unknown } | undefined)?.rules;
    if (!Array.isArray(list)) throw invalid([{ path: '/rules', message: 'is required: the list of rules (the body of GET /api/v1/alerts/rules/export)' }]);
    if (list.length > MAX_IMPORT) throw invalid([{ path: '/rules', message: `at most ${MAX_IMPORT} rules in one import` }]);
    const cat = await catalog(caller.project);
    const problems: Problem[] = [];
    const inputs: { id?: string; input: RuleInput }[] = [];
    list.forEach((doc, i) => {
      try {
        const id = (doc as { id?: unknown } | null)?.id;
        if (id !== undefined && (typeof id !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(id))) problems.push({ path: `/rules/${i}/id`, message: 'must be letters, digits, - or _ (at most 64)' });
        inputs.push({ id: typeof id === 'string' ? id : undefined, input: validateRule(doc, deps.service, cat, deps.config.alertMinIntervalMs) });
      } catch (err) {
        const e = err as SluiceError;
        for (const p of (e.details?.problems as Problem[] | undefined) ?? [{ path: '', message: e.message }]) problems.push({ path: `/rules/${i}${p.path}`, message: p.message });
      }
    });
    if (problems.length > 0) throw invalid(problems);
    // Everything is valid: only now is anything written.
    const now = Date.now();
    const out: AlertRule[] = [];
    for (const { id, input } of inputs) {
      const before = id ? await alerts.getRule(caller.project, id) : null;
      const rule: AlertRule = {
        id: id ?? newId(), project: caller.project, ...input,
        created_at: before?.created_at ?? now, created_by: before?.created_by ?? caller.subject, updated_at: now, updated_by: caller.subject,
      };
      await alerts.putRule(rule);
      await alerts.audit(caller.project, { at: now, actor: caller.subject, action: 'import', rule_id: rule.id, before, after: rule });
      out.push(rule);
    }
    return { value: { imported: out.length, rules: out } };
  });

  route(app, deps, 'get', `${BASE}/audit`, read, async ({ caller, params }) => {
    const limit = Number(params.get('limit') ?? 100);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw badParam('limit', 'an integer from 1 to 1000');
    return { value: { entries: await alerts.auditLog(caller.project, params.get('rule') ?? undefined, limit) } };
  });

  // History

  route(app, deps, 'get', `${BASE}/history`, read, async ({ caller, params }) => {
    const limit = Number(params.get('limit') ?? 100);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw badParam('limit', 'an integer from 1 to 1000');
    const severity = params.get('severity') ?? undefined;
    if (severity !== undefined && !SEVERITIES.includes(severity as Severity)) throw badParam('severity', SEVERITIES.join(', '));
    const state = params.get('state') ?? undefined;
    if (state !== undefined && !TRANSITIONS.includes(state as Transition)) throw badParam('state', TRANSITIONS.join(', '));
    const cursor = params.get('cursor');
    const events = await alerts.history(caller.project, {
      rule: params.get('rule') ?? undefined,
      severity: severity as Severity | undefined,
      state: state as Transition | undefined,
      from: instant(params, 'from'),
      to: instant(params, 'to'),
      before: cursor ? decodeCursor(cursor) : undefined,
      limit: limit + 1,
    });
    const page = events.slice(0, limit);
    const last = page[page.length - 1];
    return { value: { events: page, next_cursor: events.length > limit && last ? encodeCursor(last.at, last.id) : null } };
  });

  route(app, deps, 'get', `${BASE}/active`, read, async ({ caller }) => ({ value: { alerts: await activeAlerts(alerts, caller.project) } }));

  async function acknowledge(project: string, id: string, by: string): Promise<void> {
    const rule = await existing(project, id);
    const s = await alerts.state(project, id);
    if (s.state !== 'firing') throw new SluiceError('SLUICE_E_CONFLICT', `alert rule "${id}" is ${s.state}, not firing: nothing to acknowledge`);
    if (s.acknowledged) return;
    await alerts.putState({ ...s, acknowledged: true });
    await recordTransition(alerts, notifier(), deps.log, rule, { state: 'acknowledged', value: s.value, message: `acknowledged by ${by}`, notify: false, by });
  }

  route(app, deps, 'post', `${BASE}/acknowledge`, handle, async ({ caller, body }) => {
    const ids = (body as { ids?: unknown } | undefined)?.ids;
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > 1000 || !ids.every((i) => typeof i === 'string')) {
      throw invalid([{ path: '/ids', message: 'is required: a list of 1 to 1000 alert rule ids' }]);
    }
    const results: { id: string; acknowledged: boolean; error?: string }[] = [];
    for (const id of ids as string[]) {
      try {
        await acknowledge(caller.project, id, caller.subject);
        results.push({ id, acknowledged: true });
      } catch (err) {
        results.push({ id, acknowledged: false, error: (err as Error).message });
      }
    }
    return { value: { results } };
  });

  route(app, deps, 'post', `${BASE}/:id/acknowledge`, { ...handle, pathParams: 1 }, async ({ caller, path }) => {
    await acknowledge(caller.project, path[0], caller.subject);
    return { value: { id: path[0], acknowledged: true } };
  });

  route(app, deps, 'post', `${BASE}/:id/resolve`, { ...handle, pathParams: 1 }, async ({ caller, path }) => {
    const rule = await existing(caller.project, path[0]);
    const s = await alerts.state(caller.project, rule.id);
    if (s.state === 'ok') throw new SluiceError('SLUICE_E_CONFLICT', `alert rule "${rule.id}" is not pending or firing: nothing to resolve`);
    const now = Date.now();
    const announced = s.state === 'firing' && s.last_notified >= s.since && s.last_notified > 0;
    await alerts.putState({ ...s, state: 'ok', since: now, acknowledged: false });
    await recordTransition(alerts, notifier(), deps.log, rule, { state: 'resolved', value: s.value, message: `resolved by ${caller.subject}`, notify: announced, by: caller.subject, at: now });
    return { value: { id: rule.id, state: 'ok' } };
  });
}

/** Routes for registerNotFound's 405 answers. */
export const ALERT_ROUTES: Record<string, string[]> = {
  [`${BASE}/rules`]: ['GET', 'POST'],
  [`${BASE}/rules/export`]: ['GET'],
  [`${BASE}/rules/import`]: ['POST'],
  [`${BASE}/audit`]: ['GET'],
  [`${BASE}/history`]: ['GET'],
  [`${BASE}/active`]: ['GET'],
  [`${BASE}/acknowledge`]: ['POST'],
};
