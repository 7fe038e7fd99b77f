// Alert rules end to end on the embedded engine: events ingested through the real endpoint,
// rules through the real API, evaluation by the engine the process runs (every 1 s).
import crypto from 'node:crypto';
import http from 'node:http';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertStore } from '../query/alerts/store.js';
import type { AlertRule } from '../query/alerts/types.js';
import { seededRng } from './helpers/events.js';
import { ingestAll } from './helpers/query.js';
import { startInProcess, type InProcess } from './helpers/sluice.js';
import { until } from './helpers/until.js';

const SECRET = 'alerts-test-secret-of-enough-length';
const ADMIN = 'test-admin-token';
let s: InProcess;
let viewer: string;

beforeAll(async () => {
  s = await startInProcess({ alertMinIntervalMs: '1s', queryRateLimit: '0', jwtSecret: SECRET, queryMaxConcurrent: '64' });
  viewer = await new SignJWT({ role: 'viewer', projects: ['default'] }).setSubject('viewer-user').setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('1h').sign(new TextEncoder().encode(SECRET));
});
afterAll(async () => s?.stop());

async function call(method: string, path: string, body?: unknown, key: string | null = ADMIN, project = 'default'): Promise<{ status: number; body: any }> {
  const sep = path.includes('?') ? '&' : '?';
  const res = await fetch(`${s.queryUrl}/api/v1/alerts${path}${sep}project=${project}`, {
    method,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function createRule(rule: object): Promise<AlertRule> {
  const res = await call('POST', '/rules', rule);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as AlertRule;
}

async function history(ruleId: string): Promise<any[]> {
  const res = await call('GET', `/history?rule=${ruleId}&limit=1000`, undefined, s.readKey);
  expect(res.status).toBe(200);
  return (res.body.events as any[]).reverse();
}

const states = async (ruleId: string): Promise<string[]> => (await history(ruleId)).map((e) => e.state);
const ruleStatus = async (ruleId: string): Promise<any> => (await call('GET', `/rules/${ruleId}`, undefined, s.readKey)).body.status;

/** Waits until at least `n` more evaluations of the rule have run. */
async function evaluations(ruleId: string, n: number): Promise<void> {
  const start = (await ruleStatus(ruleId)).evaluations as number;
  await until(async () => (await ruleStatus(ruleId)).evaluations >= start + n, `${n} evaluations of ${ruleId}`, 60_000, 200);
}

/** Rules that watch the current minute's bucket need the test to stay inside one minute. */
async function earlyInMinute(): Promise<void> {
  const second = new Date().getUTCSeconds();
  if (second > 25) await new Promise((r) => setTimeout(r, (61 - second) * 1000));
}

const requests = (endpoint: string, durations: number[], at = Date.now()) =>
  durations.map((d, i) => ({ event: 'api_request', timestamp: at - i, user_id: `u${i % 7}`, properties: { endpoint, method: 'GET', status: 200, duration_ms: d } }));

const watch = (endpoint: string, aggregation = 'avg') => ({
  kind: 'timeseries', event: 'api_request', measure: aggregation === 'count' ? undefined : 'duration_ms', aggregations: [aggregation],
  range: '1h', interval: '1m', filters: [{ property: 'endpoint', op: 'eq', value: endpoint }],
});

describe('threshold alerts', () => {
  it('a step change goes pending, fires once, and resolves when the data recovers', async () => {
    await earlyInMinute();
    const rule = await createRule({ name: 'slow /step', query: watch('/step'), condition: { type: 'threshold_above', value: 100 }, severity: 'critical', every: '1s', for: '2s', cooldown: '1h' });
    await evaluations(rule.id, 2);
    expect(await states(rule.id)).toEqual([]);

    await ingestAll(s, s.writeKey, requests('/step', [500, 600, 700]));
    await until(async () => (await states(rule.id)).includes('firing'), 'firing', 30_000, 200);
    await evaluations(rule.id, 4);
    const firing = await history(rule.id);
    expect(firing.map((e) => e.state)).toEqual(['pending', 'firing']);
    expect(firing[1].value).toBe(600);
    expect(firing[1].threshold).toBe(100);
    expect(firing[1].query).toEqual(rule.query);
    expect(firing[1].at - firing[0].at).toBeGreaterThanOrEqual(2000);
    const active = (await call('GET', '/active', undefined, s.readKey)).body.alerts as any[];
    expect(active.find((a) => a.rule_id === rule.id)).toMatchObject({ state: 'firing', severity: 'critical', value: 600 });

    // Recovery: many fast requests in the same minute bring the bucket's average under 100.
    await ingestAll(s, s.writeKey, requests('/step', Array.from({ length: 100 }, () => 1)));
    await until(async () => (await states(rule.id)).includes('resolved'), 'resolved', 30_000, 200);
    await evaluations(rule.id, 2);
    expect(await states(rule.id)).toEqual(['pending', 'firing', 'resolved']);
    expect((await ruleStatus(rule.id)).state).toBe('ok');
    await call('DELETE', `/rules/${rule.id}`);
  });

  it('repeats after the cooldown while firing, not once acknowledged; resolves by hand', async () => {
    await earlyInMinute();
    const rule = await createRule({ name: 'slow /cool', query: watch('/cool'), condition: { type: 'threshold_above', value: 100 }, every: '1s', cooldown: '3s' });
    await ingestAll(s, s.writeKey, requests('/cool', [900]));
    await until(async () => (await states(rule.id)).filter((x) => x === 'firing').length >= 2, 'a reminder after the cooldown', 30_000, 200);
    const [first, second] = (await history(rule.id)).filter((e) => e.state === 'firing');
    expect(second.at - first.at).toBeGreaterThanOrEqual(3000);

    const ack = await call('POST', `/${rule.id}/acknowledge`, {}, s.readKey);
    expect(ack.status, JSON.stringify(ack.body)).toBe(200);
    const firedBefore = (await states(rule.id)).filter((x) => x === 'firing').length;
    await evaluations(rule.id, 5); // more than the cooldown
    const after = await history(rule.id);
    expect(after.filter((e) => e.state === 'firing').length).toBe(firedBefore);
    expect(after.at(-1)).toMatchObject({ state: 'acknowledged', by: s.readKey ? expect.any(String) : undefined });
    expect((await ruleStatus(rule.id)).acknowledged).toBe(true);
    expect((await call('POST', `/${rule.id}/acknowledge`, {}, s.readKey)).status).toBe(200);

    const resolved = await call('POST', `/${rule.id}/resolve`, {}, s.readKey);
    expect(resolved.status).toBe(200);
    expect((await history(rule.id)).some((e) => e.state === 'resolved' && e.by)).toBe(true);
    await call('DELETE', `/rules/${rule.id}`);
    expect((await call('POST', `/${rule.id}/resolve`, {}, s.readKey)).status).toBe(404);
  });
});

describe('notifications', () => {
  it('firing and resolving go out through the rule\'s channel, and the outcome is kept with the event', async () => {
    const secret = 'alerts-webhook-secret-0123456789';
    const received: { body: any; signature: string; valid: boolean }[] = [];
    const receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const signature = String(req.headers['x-sluice-signature'] ?? '');
        const valid = signature === `sha256=${crypto.createHmac('sha256', secret).update(raw).digest('hex')}`;
        received.push({ body: JSON.parse(raw.toString('utf8')), signature, valid });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;
      const put = await fetch(`${s.queryUrl}/api/v1/alerts/channels?project=default`, { method: 'PUT', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify({ webhook: { url, secret } }) });
      expect(put.status, await put.text()).toBe(200);
      await earlyInMinute();
      const rule = await createRule({ name: 'hooked', query: watch('/hook', 'count'), condition: { type: 'threshold_above', value: 1 }, every: '1s', cooldown: '1h', channels: ['webhook'] });
      await ingestAll(s, s.writeKey, requests('/hook', [1, 2, 3]));
      await until(() => received.length >= 1, 'the firing delivery', 30_000, 100);
      expect(received[0].valid).toBe(true);
      const fired = (await history(rule.id)).find((e) => e.state === 'firing');
      expect(fired.notifications).toEqual([expect.objectContaining({ channel: 'webhook', outcome: 'delivered', attempts: 1 })]);

      expect((await call('POST', `/${rule.id}/resolve`, {}, s.readKey)).status).toBe(200);
      await until(() => received.length >= 2, 'the resolve delivery', 30_000, 100);
      const resolved = (await history(rule.id)).find((e) => e.state === 'resolved');
      expect(resolved.notifications).toEqual([expect.objectContaining({ channel: 'webhook', outcome: 'delivered' })]);
      await call('DELETE', `/rules/${rule.id}`);
    } finally {
      receiver.close();
    }
  });
});

describe('rate_of_change and no_data', () => {
  it('rate_of_change compares the range with the window before it', async () => {
    const now = Date.now();
    await ingestAll(s, s.writeKey, [...requests('/roc', Array(10).fill(5), now - 90 * 60_000), ...requests('/roc', Array(30).fill(5), now - 10 * 60_000)]);
    const rule = await createRule({
      name: 'traffic /roc tripled',
      query: { kind: 'breakdown', event: 'api_request', aggregations: ['count'], range: '1h', filters: [{ property: 'endpoint', op: 'eq', value: '/roc' }] },
      condition: { type: 'rate_of_change', value: 150 },
      every: '1s',
    });
    await until(async () => (await states(rule.id)).includes('firing'), 'rate_of_change firing', 30_000, 200);
    const fired = (await history(rule.id)).find((e) => e.state === 'firing');
    expect(fired.value).toBeCloseTo(200, 6);
    expect(fired.threshold).toBe(150);
    await call('DELETE', `/rules/${rule.id}`);
  });

  it('no_data fires on an empty window and resolves when events arrive', async () => {
    await earlyInMinute();
    const rule = await createRule({ name: 'silent /quiet', query: watch('/quiet', 'count'), condition: { type: 'no_data' }, every: '1s' });
    await until(async () => (await states(rule.id)).includes('firing'), 'no_data firing', 30_000, 200);
    await ingestAll(s, s.writeKey, requests('/quiet', [3]));
    await until(async () => (await states(rule.id)).includes('resolved'), 'no_data resolved', 30_000, 200);
    expect(await states(rule.id)).toEqual(['firing', 'resolved']);
    await call('DELETE', `/rules/${rule.id}`);
  });

  it('anomaly fires on a spike in the latest bucket, not on ordinary variation', async () => {
    const HOUR = 3_600_000;
    const to = Math.floor(Date.now() / HOUR) * HOUR;
    const from = to - 48 * HOUR;
    const series = (endpoint: string, spike: number) =>
      Array.from({ length: 48 }, (_, h) => requests(endpoint, Array((h === 47 ? spike : 4 + (h % 3))).fill(10), from + h * HOUR + 60_000)).flat();
    await ingestAll(s, s.writeKey, [...series('/spiky', 60), ...series('/steady', 5)]);
    const rule = (endpoint: string) => ({
      name: `anomaly ${endpoint}`, every: '1s', condition: { type: 'anomaly' },
      query: { kind: 'timeseries', event: 'api_request', aggregations: ['count'], from: new Date(from).toISOString(), to: new Date(to).toISOString(), interval: '1h', filters: [{ property: 'endpoint', op: 'eq', value: endpoint }] },
    });
    const spiky = await createRule(rule('/spiky'));
    const steady = await createRule(rule('/steady'));
    await until(async () => (await states(spiky.id)).includes('firing'), 'anomaly firing', 30_000, 200);
    expect((await history(spiky.id)).find((e) => e.state === 'firing').value).toBe(60);
    await evaluations(steady.id, 3);
    expect(await states(steady.id)).toEqual([]);
    expect((await ruleStatus(steady.id)).last_error).toBeNull();
    const notSeries = await call('POST', '/rules', { ...rule('/x'), query: { kind: 'breakdown', event: 'api_request', aggregations: ['count'], range: '1h' } });
    expect(notSeries.body.error.problems).toEqual([expect.objectContaining({ path: '/condition/type' })]);
    for (const r of [spiky, steady]) await call('DELETE', `/rules/${r.id}`);
  });

  it('anomaly on seasonal data: the daily peak alone does not fire, a burst on top of it does', async () => {
    const HOUR = 3_600_000;
    const HOURS = 9 * 24;
    const to = Math.floor(Date.now() / HOUR) * HOUR;
    const from = to - HOURS * HOUR;
    // Poisson counts around a daily cycle whose peak falls in the latest hour (a fixed seed, so
    // the series is the same each run): against the days before, a peak of ~70 is ordinary;
    // 60 more on top of it is not.
    const rng = seededRng(1);
    const poisson = (mean: number): number => {
      const limit = Math.exp(-mean);
      let k = 0;
      for (let p = rng(); p > limit; p *= rng()) k++;
      return k;
    };
    const counts = Array.from({ length: HOURS }, (_, h) => poisson(40 + 30 * Math.cos((2 * Math.PI * (h - (HOURS - 1))) / 24)));
    const hourly = (h: number): number => counts[h];
    const series = (endpoint: string, extra: number) =>
      Array.from({ length: HOURS }, (_, h) => requests(endpoint, Array(hourly(h) + (h === HOURS - 1 ? extra : 0)).fill(10), from + h * HOUR + 30 * 60_000)).flat();
    await ingestAll(s, s.writeKey, [...series('/seasonal-peak', 0), ...series('/seasonal-burst', 60)]);
    const rule = (endpoint: string) => ({
      name: `seasonal ${endpoint}`, every: '1s', condition: { type: 'anomaly' }, severity: 'warning',
      query: { kind: 'timeseries', event: 'api_request', aggregations: ['count'], from: new Date(from).toISOString(), to: new Date(to).toISOString(), interval: '1h', filters: [{ property: 'endpoint', op: 'eq', value: endpoint }] },
    });
    const peak = await createRule(rule('/seasonal-peak'));
    const burst = await createRule(rule('/seasonal-burst'));
    await until(async () => (await states(burst.id)).includes('firing'), 'anomaly on the burst firing', 60_000, 200);
    expect((await history(burst.id)).find((e) => e.state === 'firing').value).toBe(hourly(HOURS - 1) + 60);
    await evaluations(peak.id, 3);
    expect((await ruleStatus(peak.id)).last_error).toBeNull();
    expect((await ruleStatus(peak.id)).value).toBe(hourly(HOURS - 1));
    expect(await states(peak.id)).toEqual([]);
    for (const r of [peak, burst]) await call('DELETE', `/rules/${r.id}`);
  });

  it('the built-in rejected-event rate and ingest lag are watched over a trailing window', async () => {
    const res = await fetch(`${s.ingestUrl}/v1/events?ack=stored`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.writeKey}`, 'content-type': 'application/json' },
      body: JSON.stringify([{ event: 'api_request', properties: { endpoint: '/rej' } }, ...requests('/rej', Array(200).fill(1), Date.now() - 120_000)]),
    });
    expect(((await res.json()) as { rejected: unknown[] }).rejected.length).toBe(1);
    const rejected = await createRule({ name: 'rejects', query: { kind: 'system', metric: 'rejected_rate', window: '10m' }, condition: { type: 'threshold_above', value: 0 }, every: '1s' });
    const lag = await createRule({ name: 'lag', query: { kind: 'system', metric: 'ingest_lag_ms', window: '10m' }, condition: { type: 'threshold_above', value: 60_000 }, every: '1s' });
    await until(async () => (await states(rejected.id)).includes('firing') && (await states(lag.id)).includes('firing'), 'system rules firing', 30_000, 200);
    const rate = (await history(rejected.id)).find((e) => e.state === 'firing').value;
    expect(rate).toBeGreaterThan(0);
    expect(rate).toBeLessThan(1);
    expect((await history(lag.id)).find((e) => e.state === 'firing').value).toBeGreaterThanOrEqual(60_000);
    for (const r of [rejected, lag]) await call('DELETE', `/rules/${r.id}`);
  });

  it('a rule whose query fails records the error and another rule still fires', async () => {
    // A rule that was valid once and no longer is (written past validation).
    const broken: AlertRule = {
      id: 'broken-rule', project: 'default', name: 'broken', query: { kind: 'timeseries', event: 'api_request', range: '8 days' } as never,
      condition: { type: 'threshold_above', value: 1 }, severity: 'info', every: '1s', for: '0s', cooldown: '1h', enabled: true,
      created_at: 0, updated_at: 0, created_by: 'test', updated_by: 'test',
    };
    await new AlertStore(s.store).putRule(broken);
    const good = await createRule({ name: 'busy /fine', query: { kind: 'breakdown', event: 'api_request', aggregations: ['count'], range: '1h', filters: [{ property: 'endpoint', op: 'eq', value: '/fine' }] }, condition: { type: 'threshold_above', value: 2 }, every: '1s' });
    await ingestAll(s, s.writeKey, requests('/fine', [1, 2, 3, 4]));
    await until(async () => (await states(good.id)).includes('firing'), 'the good rule firing', 30_000, 200);
    const st = await until(async () => {
      const b = await ruleStatus('broken-rule');
      return b.last_error ? b : null;
    }, 'the error on the broken rule');
    expect(st.last_error).toMatch(/range/);
    expect(st.state).toBe('ok');
    await call('DELETE', '/rules/broken-rule');
    await call('DELETE', `/rules/${good.id}`);
  });
});

describe('rules API', () => {
  it('names every problem with its JSON Pointer', async () => {
    const res = await call('POST', '/rules', {
      query: { kind: 'timeseries', event: 'no_such_event', aggregations: ['avg', 'p95'], measure: 'duration_ms', range: '1h' },
      condition: { type: 'threshold_above', value: 'high' }, severity: 'urgent', every: '500ms', for: 'soon', channels: ['pager'], colour: 'red',
    });
    expect(res.status).toBe(400);
    const paths = (res.body.error.problems as { path: string }[]).map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['/name', '/query/event', '/query/aggregations', '/condition/value', '/severity', '/every', '/for', '/channels/0', '/colour']));

    const dsl = await call('POST', '/rules', { name: 'x', query: { kind: 'timeseries', event: 'api_request', range: '8 days' }, condition: { type: 'threshold_above', value: 1 }, every: '1s' });
    expect(dsl.status).toBe(400);
    expect(dsl.body.error.problems.map((p: { path: string }) => p.path)).toContain('/query/range');

    const measure = await call('POST', '/rules', { name: 'x', query: { kind: 'timeseries', event: 'api_request', measure: 'no_such_measure', aggregations: ['avg'], range: '1h' }, condition: { type: 'threshold_above', value: 1 }, every: '1s' });
    expect(measure.body.error.problems).toEqual([expect.objectContaining({ path: '/query/measure' })]);

    const events = await call('POST', '/rules', { name: 'x', query: { kind: 'events', event: 'api_request', range: '1h' }, condition: { type: 'no_data' }, every: '1s' });
    expect(events.body.error.problems).toEqual([expect.objectContaining({ path: '/query/kind' })]);

    const system = await call('POST', '/rules', { name: 'x', query: { kind: 'system', metric: 'disk' }, condition: { type: 'threshold_above', value: 1 }, every: '1s' });
    expect(system.body.error.problems).toEqual([expect.objectContaining({ path: '/query/metric' })]);
    const ok = await call('POST', '/rules', { name: 'rejects', query: { kind: 'system', metric: 'rejected_rate', window: '5m' }, condition: { type: 'threshold_above', value: 0.5 }, every: '1s' });
    expect(ok.status).toBe(201);
    await call('DELETE', `/rules/${ok.body.id}`);
  });

  it('keeps an audit log of every change with before and after', async () => {
    const rule = await createRule({ name: 'audited', query: watch('/audit', 'count'), condition: { type: 'threshold_above', value: 10 }, every: '1m', enabled: false });
    const put = await call('PUT', `/rules/${rule.id}`, { name: 'audited', query: watch('/audit', 'count'), condition: { type: 'threshold_above', value: 20 }, every: '1m', enabled: false });
    expect(put.status).toBe(200);
    expect(put.body.condition.value).toBe(20);
    expect((await call('DELETE', `/rules/${rule.id}`)).status).toBe(200);
    expect((await call('GET', `/rules/${rule.id}`, undefined, s.readKey)).status).toBe(404);
    const audit = (await call('GET', `/audit?rule=${rule.id}`, undefined, s.readKey)).body.entries as any[];
    expect(audit.map((e) => e.action)).toEqual(['delete', 'update', 'create']);
    expect(audit[2]).toMatchObject({ actor: 'admin-token', before: null, after: { condition: { value: 10 } } });
    expect(audit[1]).toMatchObject({ before: { condition: { value: 10 } }, after: { condition: { value: 20 } } });
    expect(audit[0]).toMatchObject({ before: { condition: { value: 20 } }, after: null });
  });

  it('exports and imports rules as JSON; an import with one bad rule writes nothing', async () => {
    const a = await createRule({ name: 'export a', query: watch('/exp', 'count'), condition: { type: 'threshold_above', value: 10 }, every: '1m', enabled: false, channels: ['slack'] });
    const b = await createRule({ name: 'export b', query: { kind: 'funnel', steps: [{ event: 'page_view' }, { event: 'order' }], range: '24h' }, condition: { type: 'threshold_below', value: 0.1 }, every: '5m', severity: 'info', enabled: false });
    const everything = (await call('GET', '/rules/export', undefined, s.readKey)).body;
    expect(everything.rules.map((r: AlertRule) => r.id)).toEqual(expect.arrayContaining([a.id, b.id]));
    // Only this test's rules: others come and go while it runs.
    const exported = { ...everything, rules: everything.rules.filter((r: AlertRule) => r.id === a.id || r.id === b.id) };

    const made = await fetch(`${s.queryUrl}/api/v1/admin/projects`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}` }, body: JSON.stringify({ id: 'alerts-import' }) });
    expect(made.status).toBe(201);
    const bad = await call('POST', '/rules/import', { rules: [...exported.rules, { name: 'bad', query: watch('/x'), condition: { type: 'threshold_above' } }] }, ADMIN, 'alerts-import');
    expect(bad.status).toBe(400);
    expect(bad.body.error.problems).toEqual([expect.objectContaining({ path: `/rules/${exported.rules.length}/condition/value` })]);
    expect((await call('GET', '/rules', undefined, ADMIN, 'alerts-import')).body.rules).toEqual([]);

    const imported = await call('POST', '/rules/import', exported, ADMIN, 'alerts-import');
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    const again = (await call('GET', '/rules/export', undefined, ADMIN, 'alerts-import')).body.rules as AlertRule[];
    const strip = ({ project: _p, created_at: _c, updated_at: _u, created_by: _cb, updated_by: _ub, ...r }: AlertRule) => r;
    const sort = (rs: AlertRule[]) => rs.map(strip).sort((x, y) => x.id.localeCompare(y.id));
    expect(sort(again)).toEqual(sort(exported.rules));
    expect(again.every((r) => r.project === 'alerts-import')).toBe(true);
    const audit = (await call('GET', '/audit', undefined, ADMIN, 'alerts-import')).body.entries as any[];
    expect(audit.filter((e) => e.action === 'import').length).toBe(exported.rules.length);
    for (const r of [a, b]) await call('DELETE', `/rules/${r.id}`);
  });

  it('checks roles on every endpoint', async () => {
    const rule = await createRule({ name: 'roles', query: watch('/roles', 'count'), condition: { type: 'threshold_above', value: 10 }, every: '1m', enabled: false });
    const body = { name: 'r', query: watch('/roles', 'count'), condition: { type: 'threshold_above', value: 1 }, every: '1m' };
    const endpoints: [string, string, unknown, 'analyst' | 'admin'][] = [
      ['GET', '/rules', undefined, 'analyst'],
      ['GET', `/rules/${rule.id}`, undefined, 'analyst'],
      ['GET', '/rules/export', undefined, 'analyst'],
      ['GET', '/audit', undefined, 'analyst'],
      ['GET', '/history', undefined, 'analyst'],
      ['GET', '/active', undefined, 'analyst'],
      ['POST', `/${rule.id}/acknowledge`, {}, 'analyst'],
      ['POST', `/${rule.id}/resolve`, {}, 'analyst'],
      ['POST', '/acknowledge', { ids: [rule.id] }, 'analyst'],
      ['POST', '/rules', body, 'admin'],
      ['PUT', `/rules/${rule.id}`, body, 'admin'],
      ['DELETE', `/rules/${rule.id}`, undefined, 'admin'],
      ['POST', '/rules/import', { rules: [] }, 'admin'],
    ];
    for (const [method, path, b, role] of endpoints) {
      const what = `${method} ${path}`;
      expect((await call(method, path, b, null)).status, what).toBe(401);
      expect((await call(method, path, b, viewer)).status, what).toBe(403);
      const asAnalyst = await call(method, path, b, s.readKey);
      if (role === 'admin') expect(asAnalyst.status, what).toBe(403);
      else expect([200, 409], what).toContain(asAnalyst.status);
    }
    // Not firing: acknowledge and resolve say so; the bulk form answers per id.
    expect((await call('POST', `/${rule.id}/acknowledge`, {}, s.readKey)).status).toBe(409);
    expect((await call('POST', '/acknowledge', { ids: [rule.id, 'nope'] }, s.readKey)).body.results).toEqual([
      expect.objectContaining({ id: rule.id, acknowledged: false }),
      expect.objectContaining({ id: 'nope', acknowledged: false }),
    ]);
    expect((await call('POST', '/acknowledge', { ids: 'x' }, s.readKey)).status).toBe(400);
    expect((await call('GET', '/history?state=exploded', undefined, s.readKey)).status).toBe(400);
    await call('DELETE', `/rules/${rule.id}`);
  });

  it('pages history newest first with filters', async () => {
    const all = (await call('GET', '/history?limit=1000', undefined, s.readKey)).body.events as any[];
    expect(all.length).toBeGreaterThan(3);
    for (let i = 1; i < all.length; i++) expect(all[i - 1].at).toBeGreaterThanOrEqual(all[i].at);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = (await call('GET', `/history?limit=2${cursor ? `&cursor=${cursor}` : ''}`, undefined, s.readKey)).body;
      seen.push(...page.events.map((e: any) => e.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual(all.map((e) => e.id));
    const firing = (await call('GET', '/history?state=firing&severity=critical', undefined, s.readKey)).body.events as any[];
    expect(firing.length).toBeGreaterThan(0);
    expect(firing.every((e) => e.state === 'firing' && e.severity === 'critical')).toBe(true);
    const future = (await call('GET', `/history?from=${new Date(Date.now() + 3_600_000).toISOString()}`, undefined, s.readKey)).body.events;
    expect(future).toEqual([]);
  });
});
