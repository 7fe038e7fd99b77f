import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Page, Request, WebSocket as PageSocket } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rootPath } from '../core/paths.js';
// The plugins' own test ids, as their unit tests use them.
import { selectors as datasourceSelectors } from '../grafana-plugin/datasource/src/components/selectors.js';
import { selectors as funnelSelectors } from '../grafana-plugin/funnel-panel/src/selectors.js';
import { ARTIFACTS, launchChromium, startPluginPage, type Browser, type PluginPage } from './helpers/browser.js';
import { ingestSeed, SEED_SPAN_MS, type SeedEvent } from './helpers/grafana-seed.js';
import { ask, ingestAll, records } from './helpers/query.js';
import { startInProcess, type InProcess } from './helpers/sluice.js';
import { until } from './helpers/until.js';

// The Grafana plugins in Chromium, against a real Sluice seeded with the dashboards' data. No
// Grafana server: grafana-plugin/browser-test mounts the plugins' real module.ts with
// @grafana/ui and emulates Grafana's data-source proxy from the plugin.json routes, so the
// browser never holds the key. Every number read from the page is compared with what the query
// API answers the test directly, for the very document the plugin sent.

const QUERY_PATH = '/api/datasources/proxy/uid/sluice/sluice/api/v1/query';
const HOUR = 3_600_000;
const DASHBOARD_DIR = rootPath('grafana-plugin', 'provisioning', 'dashboards');

const qs = datasourceSelectors.queryEditor;
const funnelIds = funnelSelectors.funnelPanel;

let s: InProcess;
let web: PluginPage;
let browser: Browser;
let seed: SeedEvent[];
let now: number;
// The seed's whole span, as absolute instants so the page and the test ask the same range.
let from: number;
let to: number;

beforeAll(async () => {
  s = await startInProcess({ liveIntervalMs: '500ms', alertMinIntervalMs: '1s' });
  now = Date.now();
  seed = await ingestSeed(s, s.writeKey, now);
  from = now - SEED_SPAN_MS - HOUR;
  to = now + HOUR;
  // Vite, Chromium and an alert for the dashboards' annotations are started side by side.
  const [page, chromium, alert] = await Promise.allSettled([startPluginPage({ queryUrl: s.queryUrl, readKey: s.readKey }), launchChromium(), fireAlert()]);
  // Whatever started is kept for afterAll to stop, even when another part failed.
  if (page.status === 'fulfilled') web = page.value;
  if (chromium.status === 'fulfilled') browser = chromium.value;
  for (const started of [chromium, page, alert]) if (started.status === 'rejected') throw started.reason;
  fs.mkdirSync(ARTIFACTS, { recursive: true });
}, 180_000);

const ALERT_RULE = 'Too few API requests';

/** A rule that fires at its first evaluation, so alert history has an episode to annotate. */
async function fireAlert(): Promise<void> {
  const call = async (method: string, p: string, body?: unknown) => {
    const res = await fetch(`${s.queryUrl}/api/v1/alerts${p}${p.includes('?') ? '&' : '?'}project=default`, {
      method,
      headers: { authorization: 'Bearer test-admin-token', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  const rule = await call('POST', '/rules', {
    name: ALERT_RULE,
    query: { kind: 'timeseries', event: 'api_request', aggregations: ['count'], range: '24h', interval: '1d' },
    condition: { type: 'threshold_below', value: 1_000_000 },
    severity: 'warning',
    every: '1s',
    for: '0s',
  });
  expect(rule.status, JSON.stringify(rule.body)).toBe(201);
  await until(
    async () => (await call('GET', `/history?rule=${rule.body.id}`)).body.events?.some((e: any) => e.state === 'firing'),
    'the alert to fire',
    30_000,
    200,
  );
}

afterAll(async () => {
  await browser?.close();
  await web?.stop();
  await s?.stop();
});

/** A page of the harness, with what it sent to Sluice and what went wrong in it. */
interface Opened {
  page: Page;
  /** Query documents the plugin posted through the proxy, in order, with their answer's status. */
  sent: { doc: any; status?: number }[];
  sockets: PageSocket[];
  /** Messages the page sent on its WebSockets. */
  frames: any[];
  errors: string[];
  requests: Request[];
}

/** Every request any page made, and those that carried a key (there must be none). */
const seen = { requests: 0, withKey: [] as string[] };

async function open(hash: string): Promise<Opened> {
  const page = await browser.context.newPage();
  const opened: Opened = { page, sent: [], sockets: [], frames: [], errors: [], requests: [] };
  page.on('pageerror', (e) => opened.errors.push(e.message));
  page.on('request', (r) => {
    opened.requests.push(r);
    seen.requests++;
    const auth = r.headers().authorization;
    if (auth || r.url().includes(s.readKey) || (r.postData() ?? '').includes(s.readKey)) seen.withKey.push(`${r.method()} ${r.url()} ${auth ?? ''}`);
    if (new URL(r.url()).pathname === QUERY_PATH) opened.sent.push({ doc: JSON.parse(r.postData() ?? 'null') });
  });
  page.on('response', (r) => {
    if (new URL(r.url()).pathname !== QUERY_PATH) return;
    const entry = opened.sent.find((e) => e.status === undefined && JSON.stringify(e.doc) === r.request().postData());
    if (entry) entry.status = r.status();
  });
  page.on('websocket', (ws) => {
    opened.sockets.push(ws);
    ws.on('framesent', (f) => opened.frames.push(JSON.parse(String(f.payload))));
  });
  await page.goto(`${web.url}${hash}`, { timeout: 120_000 });
  return opened;
}

const q = (o: Record<string, unknown>) => encodeURIComponent(JSON.stringify(o));
const range = () => `from=${from}&to=${to}`;

/** Picks an option of one of @grafana/ui's comboboxes (options are `role=option` in a portal). */
async function pick(page: Page, testId: string, label: string, multi = false): Promise<void> {
  const input = page.getByTestId(testId);
  await input.click();
  await input.fill(label);
  await page
    .getByRole('option')
    .filter({ has: page.getByText(label, { exact: true }) })
    .first()
    .click({ timeout: 20_000 });
  // A multi-value picker stays open after a pick; Escape on a single one would clear it.
  if (multi) await page.keyboard.press('Escape');
}

/** Waits for the result panel to show the answer of the last document sent, and returns it. */
async function settled(o: Opened, what: string, want: (doc: any) => boolean = () => true): Promise<any> {
  return until(
    async () => {
      const last = o.sent.at(-1);
      if (!last || !want(last.doc) || last.status === undefined) return false;
      const state = await o.page.getByTestId('query-result').getAttribute('data-state');
      const pending = await o.page.evaluate(() => (window as any).__sluicePending as number);
      return (state === 'Done' || state === 'Error') && pending === 0 ? last.doc : false;
    },
    () => `${what}; sent so far: ${JSON.stringify(o.sent).slice(0, 1500)}; page errors: ${o.errors.join(' | ')}; vite: ${web.output().slice(-1500)}`,
    60_000,
    100,
  );
}

async function apiAnswer(doc: unknown): Promise<Record<string, any>[]> {
  const res = await ask(s.queryUrl, s.readKey, doc);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return records(res.body);
}

/** A number as the page shows it: `12,345`, `45.7%`, `3660`. */
function shownNumber(text: string): { value: number; decimals: number } {
  const clean = text.replace(/[,\s%]/g, '');
  const value = Number(clean);
  if (!Number.isFinite(value)) throw new Error(`not a number on the page: "${text}"`);
  return { value, decimals: (clean.split('.')[1] ?? '').length };
}

/** The page shows `expected` rounded to the decimals it shows. */
function expectShown(text: string, expected: number, what: string): void {
  const { value, decimals } = shownNumber(text);
  expect(Math.abs(value - expected), `${what}: shown "${text}", API ${expected}`).toBeLessThanOrEqual(0.5 * 10 ** -decimals + 1e-9);
}

/** Rows of the time-series legend table: name → { Total, Last * }. */
async function legend(page: Page): Promise<Record<string, Record<string, string>>> {
  return page.evaluate(() => {
    const out: Record<string, Record<string, string>> = {};
    for (const table of Array.from(document.querySelectorAll('[data-testid="query-result"] table, [data-testid="dashboard-panels"] table'))) {
      const heads = Array.from(table.querySelectorAll('thead th')).map((th) => th.textContent!.trim());
      for (const tr of Array.from(table.querySelectorAll('tbody tr'))) {
        const cells = Array.from(tr.querySelectorAll('td')).map((td) => td.textContent!.trim());
        out[cells[0]] = Object.fromEntries(heads.map((h, i) => [h, cells[i]]));
      }
    }
    return out;
  });
}

/** Rows of @grafana/ui's Table under the result panel: one object per row, by column header. */
async function table(page: Page): Promise<Record<string, string>[]> {
  return page.evaluate(() => {
    const root = document.querySelector('[data-testid="query-table"] [role="table"]');
    if (!root) return [];
    const heads = Array.from(root.querySelectorAll('[role="columnheader"]')).map((h) => h.textContent!.trim());
    return Array.from(root.querySelectorAll('[role="row"]'))
      .map((row) => Array.from(row.querySelectorAll('[role="cell"]')).map((c) => c.textContent!.trim()))
      .filter((cells) => cells.length === heads.length)
      .map((cells) => Object.fromEntries(heads.map((h, i) => [h, cells[i]])));
  });
}

interface PanelResult {
  title: string;
  type: string;
  refId: string;
  rows: number;
  error?: string;
  docs: unknown[];
  panelIndex: number;
}

/** Opens a provisioned dashboard and waits until every panel has run. */
async function openDashboard(name: string, vars = ''): Promise<Opened & { results: PanelResult[] }> {
  const o = await open(`#/dashboard/${name}${vars ? `?${vars}` : ''}`);
  await o.page.waitForFunction(() => (window as any).__sluiceDone === true, undefined, { timeout: 120_000 });
  const { results, error } = await o.page.evaluate(() => ({ results: (window as any).__sluiceResults as PanelResult[], error: (window as any).__sluiceError as string | undefined }));
  expect(error, name).toBeUndefined();
  expect(results.length, name).toBeGreaterThan(0);
  return { ...o, results };
}

/** A dashboard's panels, rows opened, in the order the page numbers them. */
function flatPanels(dashboard: { panels: any[] }): any[] {
  return dashboard.panels.flatMap((p) => (p.type === 'row' ? (p.panels ?? []) : [p]));
}

const sum = (rows: Record<string, any>[], col: string) => rows.reduce((n, r) => n + Number(r[col] ?? 0), 0);

describe('Grafana plugins in a browser', () => {
  it('query editor: kind, event, measure and aggregations picked in the UI; the legend and table show the API answer', async () => {
    const o = await open(`#/editor?${range()}`);
    await settled(o, 'the default query');
    await pick(o.page, qs.kind, 'Time series');
    await pick(o.page, qs.event, 'order');
    await pick(o.page, qs.measure, 'revenue');
    await pick(o.page, qs.aggregations, 'sum', true);
    const doc = await settled(o, 'count and sum of order revenue', (d) => d.event === 'order' && d.measure === 'revenue' && d.aggregations?.includes('sum'));
    expect(doc).toMatchObject({ kind: 'timeseries', event: 'order', measure: 'revenue', aggregations: ['count', 'sum'] });
    const api = await apiAnswer(doc);
    const orders = seed.filter((e) => e.event === 'order');
    expect(sum(api, 'count')).toBe(orders.length);
    const shown = await legend(o.page);
    expectShown(shown.count.Total, sum(api, 'count'), 'legend total of count');
    expectShown(shown.sum.Total, sum(api, 'sum'), 'legend total of sum');
    expectShown(shown.count['Last *'], Number(api.filter((r) => r.count !== null).at(-1)!.count), 'legend last count');

    // A breakdown by payment method: the table shows each group's numbers.
    await pick(o.page, qs.kind, 'Breakdown');
    await pick(o.page, qs.groupBy, 'payment_method', true);
    const byMethod = await settled(o, 'the breakdown by payment method', (d) => d.kind === 'breakdown' && d.group_by?.[0] === 'payment_method');
    const groups = await apiAnswer(byMethod);
    expect(groups.length).toBeGreaterThan(2);
    const rows = await table(o.page);
    expect(rows.map((r) => r.payment_method).sort()).toEqual(groups.map((g) => g.payment_method).sort());
    for (const g of groups) {
      const row = rows.find((r) => r.payment_method === g.payment_method)!;
      expectShown(row.count, g.count, `${g.payment_method} count`);
      expectShown(row.sum, g.sum, `${g.payment_method} revenue`);
    }

    // A filter added in the editor: currency = EUR.
    await o.page.getByTestId(qs.filterAdd('query')).click();
    await pick(o.page, qs.filterProperty('query', 0), 'currency');
    await pick(o.page, qs.filterValue('query', 0), 'EUR');
    const filtered = await settled(o, 'the breakdown of EUR orders', (d) => d.filters?.[0]?.value !== undefined);
    expect(filtered.filters).toEqual([{ property: 'currency', op: 'eq', value: 'EUR' }]);
    const eur = await apiAnswer(filtered);
    expect(sum(eur, 'count')).toBe(orders.filter((e) => e.properties.currency === 'EUR').length);
    const eurRows = await table(o.page);
    expect(eurRows.length).toBe(eur.length);
    for (const g of eur) expectShown(eurRows.find((r) => r.payment_method === g.payment_method)!.count, g.count, `EUR ${g.payment_method} count`);
    expect(o.errors).toEqual([]);
    await o.page.close();
  });

  it("Grafana's time-series panel fed by the datasource: legend totals per group equal the API answer", async () => {
    const query = { kind: 'timeseries', event: 'api_request', aggregations: ['count'], group_by: ['method'] };
    const o = await open(`#/editor?${range()}&query=${q(query)}`);
    const doc = await settled(o, 'requests by method');
    const api = await apiAnswer(doc);
    const methods = [...new Set(api.map((r) => r.method))];
    expect(methods.length).toBeGreaterThan(1);
    const shown = await until(async () => {
      const l = await legend(o.page);
      return methods.every((m) => l[m] ?? Object.keys(l).some((k) => k.includes(m))) ? l : false;
    }, 'a legend row per method', 20_000);
    for (const m of methods) {
      const key = shown[m] ? m : Object.keys(shown).find((k) => k.includes(m))!;
      const expected = sum(api.filter((r) => r.method === m), 'count');
      expect(expected).toBe(seed.filter((e) => e.event === 'api_request' && e.properties.method === m).length);
      expectShown(shown[key].Total, expected, `requests with method ${m}`);
    }
    await o.page.screenshot({ path: path.join(ARTIFACTS, 'timeseries-by-method.png') });
    await o.page.close();
  });

  it('funnel panel: steps built in the editor; users and conversions per step equal the API funnel answer', async () => {
    const o = await open(`#/editor?${range()}&type=sluice-funnel-panel&height=560&query=${q({ kind: 'timeseries', event: 'page_view' })}`);
    await settled(o, 'page views');
    // Switching to a funnel makes the event its first step and adds an empty second one.
    await pick(o.page, qs.kind, 'Funnel');
    const events = ['page_view', 'add_to_cart', 'checkout_started', 'order'];
    for (let i = 1; i < events.length; i++) {
      if (i >= 2) await o.page.getByTestId(qs.funnelAddStep).click();
      await pick(o.page, qs.funnelStepEvent(i), events[i]);
    }
    const doc = await settled(o, 'the checkout funnel', (d) => d.kind === 'funnel' && d.steps?.length === 4 && d.steps.every((x: any) => x.event));
    expect(doc.steps.map((x: any) => x.event)).toEqual(events);
    const api = await apiAnswer(doc);
    expect(api.map((r) => r.step)).toEqual([1, 2, 3, 4]);
    expect(api[0].users).toBeGreaterThan(api[3].users);
    for (const r of api) {
      expectShown(await o.page.getByTestId(funnelIds.users(r.step)).innerText(), r.users, `users at step ${r.step}`);
      if (r.step > 1) {
        expectShown(await o.page.getByTestId(funnelIds.conversionFromFirst(r.step)).innerText(), r.conversion_from_first * 100, `conversion from first at ${r.step}`);
        expectShown(await o.page.getByTestId(funnelIds.conversionFromPrevious(r.step)).innerText(), r.conversion_from_previous * 100, `conversion from previous at ${r.step}`);
        expectShown(await o.page.getByTestId(funnelIds.dropOff(r.step)).innerText(), api[r.step - 2].users - r.users, `users lost before ${r.step}`);
      }
    }
    await o.page.screenshot({ path: path.join(ARTIFACTS, 'funnel.png') });
    expect(o.errors).toEqual([]);
    await o.page.close();
  });

  it('other kinds: the table shows every number of the API answer (percentiles, retention, events, a time zone)', async () => {
    const cases: { query: Record<string, unknown>; tz?: string }[] = [
      { query: { kind: 'percentiles', event: 'api_request', measure: 'duration_ms', aggregations: ['p50', 'p95'], group_by: ['endpoint'] } },
      { query: { kind: 'retention', start_event: 'page_view', return_event: 'order', period: 'day', periods: 2 } },
      { query: { kind: 'events', event: 'ticket', limit: 5 } },
      { query: { kind: 'breakdown', event: 'ml_job', measure: 'cost_usd', aggregations: ['sum', 'avg'], group_by: ['provider'] }, tz: 'Europe/Paris' },
    ];
    for (const c of cases) {
      const o = await open(`#/editor?${range()}&type=table&tz=${c.tz ?? 'utc'}&query=${q(c.query)}`);
      const doc = await settled(o, `a ${c.query.kind} query`);
      expect(doc.kind).toBe(c.query.kind);
      if (c.tz) expect(doc.timezone).toBe(c.tz);
      const res = await ask(s.queryUrl, s.readKey, doc);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const api = records(res.body);
      expect(api.length, c.query.kind as string).toBeGreaterThan(0);
      const shown = await table(o.page);
      expect(shown.length, `${c.query.kind} rows`).toBe(api.length);
      const numbers = res.body.columns.filter((col: any) => col.type === 'number').map((col: any) => col.name);
      const strings = res.body.columns.filter((col: any) => col.type === 'string').map((col: any) => col.name);
      // Every number and text column of the answer is a column of the table, under its own name.
      expect(Object.keys(shown[0]), c.query.kind as string).toEqual(expect.arrayContaining([...numbers, ...strings]));
      api.forEach((row, i) => {
        for (const col of numbers) if (row[col] !== null) expectShown(shown[i][col], Number(row[col]), `${c.query.kind} row ${i} ${col}`);
        for (const col of strings) expect(shown[i][col], `${c.query.kind} row ${i} ${col}`).toBe(String(row[col] ?? ''));
      });
      expect(o.errors).toEqual([]);
      await o.page.close();
    }
  });

  it('config editor: the health check passes with the read key, names a refused key and an unreachable Sluice; the browser never sends a key', async () => {
    const good = await open('#/config');
    await good.page.getByTestId('config-test').click();
    const result = good.page.getByTestId('config-test-result');
    await result.waitFor({ timeout: 30_000 });
    expect(await result.getAttribute('data-status')).toBe('success');
    expect(await good.page.getByTestId('config-test-message').innerText()).toMatch(/Connected to Sluice/);

    const bad = await open('#/config?uid=sluice-wrong-key');
    await bad.page.getByTestId('config-test').click();
    const refused = bad.page.getByTestId('config-test-result');
    await refused.waitFor({ timeout: 30_000 });
    expect(await refused.getAttribute('data-status')).toBe('error');
    expect(await bad.page.getByTestId('config-test-message').innerText()).toMatch(/refused the read key/i);

    const down = await open('#/config?uid=sluice-unreachable');
    await down.page.getByTestId('config-test').click();
    const unreachable = down.page.getByTestId('config-test-result');
    await unreachable.waitFor({ timeout: 30_000 });
    expect(await unreachable.getAttribute('data-status')).toBe('error');
    expect(await down.page.getByTestId('config-test-message').innerText()).toMatch(/unreachable/i);
    await down.page.close();

    for (const r of [...good.requests, ...bad.requests]) {
      const headers = await r.allHeaders();
      expect(headers.authorization, r.url()).toBeUndefined();
      expect(r.url()).not.toContain(s.readKey);
    }
    await good.page.close();
    await bad.page.close();
  });

  it("a query Sluice refuses shows Sluice's own message in the panel", async () => {
    const o = await open(`#/editor?${range()}`);
    await settled(o, 'the default query');
    const raw = { kind: 'timeseries', event: 'order', aggregations: ['median'] };
    await o.page.getByTestId(qs.rawToggle).check({ force: true });
    const editor = o.page.getByTestId(qs.rawJson);
    await editor.waitFor();
    await editor.fill(JSON.stringify(raw));
    await editor.blur();
    const doc = await settled(o, 'the raw query', (d) => d.aggregations?.[0] === 'median');
    expect(o.sent.at(-1)!.status).toBe(400);
    const direct = await ask(s.queryUrl, s.readKey, doc);
    expect(direct.status).toBe(400);
    const message: string = direct.body.error.message;
    expect(message.length).toBeGreaterThan(0);
    const shown = await o.page.getByTestId('query-error').innerText();
    expect(shown).toContain(message);
    expect(shown).toContain(direct.body.error.code);
    await o.page.close();
  });

  it('live: new events raise the shown total to the API total; unsubscribing closes the socket', async () => {
    const query = { kind: 'timeseries', event: 'ticket', aggregations: ['count'], interval: '1m' };
    // A dashboard's usual relative range: the plugin subscribes with the same relative range.
    const o = await open(`#/live?from=now-7h&to=now&query=${q(query)}`);
    const socket = await until(() => o.sockets.find((w) => w.url().includes('/api/v1/live')), 'the live socket', 30_000);
    expect(socket.url()).toContain('/api/datasources/proxy/uid/sluice/sluice/api/v1/live');
    expect(socket.url()).not.toContain(s.readKey);
    let shown = NaN;
    const total = async () => (shown = Number(await o.page.getByTestId('live-total').innerText()));
    const tickets = seed.filter((e) => e.event === 'ticket');
    await until(async () => (await total()) === tickets.length, () => `the seeded total ${tickets.length}, shown ${shown}`, 30_000);
    expect(s.sluice.live!.stats().sockets).toBe(1);

    const fresh = tickets.slice(-7).map((e) => ({ ...e, event_id: randomUUID(), timestamp: Date.now() }));
    await ingestAll(s, s.writeKey, fresh);
    await until(async () => (await total()) === tickets.length + fresh.length, () => `the total to grow to ${tickets.length + fresh.length}, shown ${shown}`, 30_000);
    // The number shown is the API's answer for the document the plugin subscribed with.
    const subscribe = o.frames.find((m) => m.type === 'subscribe');
    expect(subscribe?.query).toMatchObject({ kind: 'timeseries', event: 'ticket', aggregations: ['count'] });
    // A relative dashboard range stays relative, so the live answer rolls with time.
    expect(subscribe.query.range, JSON.stringify(subscribe.query)).toBeDefined();
    expect(subscribe.query.from).toBeUndefined();
    expect(sum(await apiAnswer(subscribe.query), 'count')).toBe(await total());

    await o.page.getByTestId('live-unsubscribe').click();
    await until(() => socket.isClosed(), 'the page to close its live socket', 20_000);
    await until(() => s.sluice.live!.stats().sockets === 0, () => `Sluice to drop the socket: ${JSON.stringify(s.sluice.live!.stats())}`, 20_000);
    expect(s.sluice.live!.stats()).toEqual({ sockets: 0, subscriptions: 0, timers: 0 });
    await o.page.close();
  });

  it('template variables and ad-hoc filters change the numbers to the filtered answer', async () => {
    const query = { kind: 'breakdown', event: '$event', aggregations: ['count'], filters: [{ property: 'endpoint', op: 'eq', value: '$endpoint' }] };
    const count = (pred: (e: SeedEvent) => boolean) => seed.filter((e) => e.event === 'api_request' && pred(e)).length;
    const cases: { vars: string; expected: number; what: string }[] = [
      { vars: 'var-event=api_request&var-endpoint=/search', expected: count((e) => e.properties.endpoint === '/search'), what: 'one endpoint' },
      {
        vars: 'var-event=api_request&var-endpoint=/search&var-endpoint=/cart',
        expected: count((e) => e.properties.endpoint === '/search' || e.properties.endpoint === '/cart'),
        what: 'two endpoints',
      },
      {
        vars: `var-event=api_request&var-endpoint=/search&var-filters=${encodeURIComponent('region|=|us-east-1')}`,
        expected: count((e) => e.properties.endpoint === '/search' && e.properties.region === 'us-east-1'),
        what: 'one endpoint and an ad-hoc filter on region',
      },
    ];
    for (const c of cases) {
      const o = await open(`#/editor?${range()}&type=table&query=${q(query)}&${c.vars}`);
      const doc = await settled(o, c.what);
      expect(doc.event, c.what).toBe('api_request');
      const api = await apiAnswer(doc);
      expect(sum(api, 'count'), c.what).toBe(c.expected);
      const rows = await table(o.page);
      expect(rows.length, c.what).toBe(1);
      expectShown(rows[0].count, c.expected, c.what);
      await o.page.close();
    }
  });

  const dashboardFiles = fs.existsSync(DASHBOARD_DIR)
    ? fs.readdirSync(DASHBOARD_DIR, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json'))
    : [];
  const dashboards = dashboardFiles.map((f) => path.basename(f, '.json'));
  const dashboardJson = (name: string) => JSON.parse(fs.readFileSync(path.join(DASHBOARD_DIR, dashboardFiles[dashboards.indexOf(name)]), 'utf8'));

  it('there are provisioned dashboards to check', () => {
    expect(dashboards.length).toBeGreaterThan(0);
  });

  it.each(dashboards)('dashboard %s: every panel query answers data without error; stats and bars show the API numbers; alert annotations come', async (name) => {
    const o = await openDashboard(name);
    await o.page.getByTestId('dashboard-panels').screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
    const bad = o.results.filter((r) => r.error || r.rows === 0);
    expect(bad, JSON.stringify(bad, null, 1)).toEqual([]);
    const panels = flatPanels(dashboardJson(name));
    let checked = 0;
    for (const r of o.results.filter((x) => ['stat', 'bargauge', 'piechart'].includes(x.type))) {
      const panel = panels[r.panelIndex];
      const fields = panel.options?.reduceOptions?.fields as string | undefined;
      const pattern = fields ? new RegExp(fields.replace(/^\/(.*)\/\w*$/, '$1')) : /./;
      expect(r.docs.length, r.title).toBe(1);
      const api = await ask(s.queryUrl, s.readKey, r.docs[0]);
      expect(api.status, `${r.title}: ${JSON.stringify(api.body)}`).toBe(200);
      const numberColumns = api.body.columns.filter((c: any) => c.type === 'number' && pattern.test(c.name)).map((c: any) => c.name);
      expect(numberColumns.length, `${r.title}: columns ${JSON.stringify(api.body.columns)}`).toBeGreaterThan(0);
      const rows = records(api.body);
      // A stat reduces each picked field to its last value; bars show one value per row.
      const expected = r.type === 'stat'
        ? numberColumns.map((c: string) => rows.filter((x) => x[c] !== null).at(-1)?.[c])
        : rows.flatMap((x) => numberColumns.map((c: string) => x[c]));
      const texts = await o.page.evaluate(
        ([i, values]) => (values as number[]).map((v) => (window as any).__sluiceFormat(i, Number(v)) as string),
        [r.panelIndex, expected] as const,
      );
      const item = r.type === 'stat' ? 'stat-value' : 'bar-item';
      const shown = await o.page.locator(`[data-testid="dashboard-panel"][data-index="${r.panelIndex}"] [data-testid="${item}"]`).evaluateAll((els) =>
        els.map((e) => ({ text: e.getAttribute('data-text')!, visible: (e as HTMLElement).innerText.replace(/\s+/g, '') })),
      );
      expect(shown.map((x) => x.text).sort(), `${name} / ${r.title}`).toEqual([...texts].sort());
      for (const x of shown) expect(x.visible, `${name} / ${r.title}: "${x.text}" drawn`).toContain(x.text.replace(/\s+/g, ''));
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
    // The alert annotations: alert history through the datasource's annotation support.
    const annotations = await o.page.evaluate(() => (window as any).__sluiceAnnotations as { name: string; events: { title: string }[]; error?: string }[]);
    expect(annotations.length, name).toBeGreaterThan(0);
    for (const a of annotations) {
      expect(a.error, `${name} / ${a.name}`).toBeUndefined();
      expect(a.events.map((e) => e.title), `${name} / ${a.name}`).toContain(ALERT_RULE);
    }
    expect(o.errors).toEqual([]);
    await o.page.close();
  });

  it('dashboard variables and ad-hoc filters change what the business stats show', async () => {
    const orders = seed.filter((e) => e.event === 'order');
    const cases: { vars: string; expected: number }[] = [
      { vars: '', expected: orders.length },
      { vars: 'var-payment_method=card', expected: orders.filter((e) => e.properties.payment_method === 'card').length },
      {
        vars: 'var-payment_method=card&var-payment_method=paypal',
        expected: orders.filter((e) => ['card', 'paypal'].includes(e.properties.payment_method as string)).length,
      },
      {
        vars: `var-payment_method=card&var-filters=${encodeURIComponent('currency|=|EUR')}`,
        expected: orders.filter((e) => e.properties.payment_method === 'card' && e.properties.currency === 'EUR').length,
      },
    ];
    const panels = flatPanels(dashboardJson('business'));
    const index = panels.findIndex((p) => p.type === 'stat' && p.title === 'Orders');
    expect(index).toBeGreaterThanOrEqual(0);
    const counts: number[] = [];
    for (const c of cases) {
      const o = await openDashboard('business', c.vars);
      expect(o.results.filter((r) => r.error)).toEqual([]);
      // The variable's options come from the datasource's variable support: the seed's values.
      const variables = await o.page.evaluate(() => (window as any).__sluiceVariables as { name: string; options: string[] }[]);
      const methods = [...new Set(orders.map((e) => String(e.properties.payment_method)))].sort();
      expect(variables.find((v) => v.name === 'payment_method')?.options.slice().sort()).toEqual(methods);
      const text = await o.page.locator(`[data-testid="dashboard-panel"][data-index="${index}"] [data-testid="stat-value"]`).getAttribute('data-text');
      const want = await o.page.evaluate(([i, v]) => (window as any).__sluiceFormat(i, v) as string, [index, c.expected] as const);
      expect(text, c.vars || 'All').toBe(want);
      counts.push(c.expected);
      await o.page.close();
    }
    // The cases narrow the answer step by step: each filter did something.
    expect(new Set(counts).size).toBe(counts.length);
  });

  it('the light theme: the same dashboard drawn light, without errors', async () => {
    const o = await open(`?theme=light#/dashboard/${dashboards.includes('business') ? 'business' : dashboards[0]}`);
    await o.page.waitForFunction(() => (window as any).__sluiceDone === true, undefined, { timeout: 120_000 });
    const background = await o.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const [r, g, b] = background.match(/\d+/g)!.map(Number);
    expect((r + g + b) / 3, background).toBeGreaterThan(200);
    await o.page.getByTestId('dashboard-panels').screenshot({ path: path.join(ARTIFACTS, 'light-theme.png') });
    expect(o.errors).toEqual([]);
    await o.page.close();
  });

  it('no request from the browser carried a key: the emulated proxy added it from plugin.json', () => {
    expect(seen.requests).toBeGreaterThan(100);
    expect(seen.withKey).toEqual([]);
  });
});
