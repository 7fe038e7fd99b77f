// The provisioned Grafana data source and dashboards (grafana-plugin/provisioning) against the
// plugins' manifests, the event schemas and the real query service: every panel query, with its
// variables set the way Grafana would, must answer with data from the seed, and from a rollup
// unless it needs raw events.
import fs from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KINDS } from '../query/types.js';
import { makeGrafanaSeed, ingestSeed, SEED_EVENTS, SEED_SPAN_MS, type SeedEvent } from './helpers/grafana-seed.js';
import { ask, records } from './helpers/query.js';
import { startInProcess, type InProcess } from './helpers/sluice.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const PROVISIONING = path.join(ROOT, 'grafana-plugin/provisioning');
const readJson = (p: string): any => JSON.parse(fs.readFileSync(path.join(ROOT, p), 'utf8'));
const DATASOURCE_PLUGIN = readJson('grafana-plugin/datasource/src/plugin.json');
const FUNNEL_PLUGIN = readJson('grafana-plugin/funnel-panel/src/plugin.json');
const DS = { type: DATASOURCE_PLUGIN.id as string, uid: 'sluice' };

/** `key: value` of a flat YAML line (comments and quotes dropped): enough for these small files. */
function yamlValues(text: string, key: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(?:- )?([\w.]+):\s*(.*?)\s*$/.exec(line.replace(/\s+#.*$/, ''));
    if (m && m[1] === key) out.push(m[2].replace(/^'(.*)'$|^"(.*)"$/, '$1$2'));
  }
  return out;
}
const yamlValue = (text: string, key: string): string | undefined => yamlValues(text, key)[0];

// Dashboards, as the file provider finds them.
const providerYml = fs.readFileSync(path.join(PROVISIONING, 'dashboards/sluice.yml'), 'utf8');
const DASHBOARD_DIR = (yamlValue(providerYml, 'path') ?? '').replace(/^\/etc\/grafana\/provisioning\//, '');
const DASHBOARD_FILES = fs.readdirSync(path.join(PROVISIONING, DASHBOARD_DIR)).filter((f) => f.endsWith('.json')).sort();
const dashboards: { file: string; json: any }[] = DASHBOARD_FILES.map((file) => ({ file, json: JSON.parse(fs.readFileSync(path.join(PROVISIONING, DASHBOARD_DIR, file), 'utf8')) }));

interface PanelTarget {
  dash: any;
  panel: any;
  target: any;
  name: string;
}
const panelTargets: PanelTarget[] = dashboards.flatMap(({ json }) => json.panels.flatMap((panel: any) => panel.targets.map((target: any) => ({ dash: json, panel, target, name: `${json.uid} / ${panel.title} / ${target.refId}` }))));
const queryVariables = dashboards.flatMap(({ json }) => json.templating.list.filter((v: any) => v.type === 'query').map((v: any) => ({ dash: json, v })));

/** Panels whose queries need raw events: array paths, funnels, and counts by a dimension of an event whose schema requires none of its rolled-up measures. */
const RAW = new Set([
  'sluice-system-health / 5xx by status', // status is not a rollup dimension
  'sluice-system-health / Errors by type', // error events have no metric
  'sluice-business / Top products by units sold', // items[] array path
  'sluice-business / Checkout funnel',
  'sluice-business / Discount granted by type', // discount_amount is not a rolled-up measure
  'sluice-business / Orders by currency', // currency is not a rollup dimension
  'sluice-ml-pipelines / Jobs',
  'sluice-ml-pipelines / Failed jobs',
  'sluice-ml-pipelines / Jobs by status',
  'sluice-ml-pipelines / Success rate',
  'sluice-ml-pipelines / Tokens in / out', // tokens are not rolled up
  'sluice-ml-pipelines / Cost and duration by model', // model is not a rollup dimension
  'sluice-ml-pipelines / Failures by provider and pipeline',
  'sluice-support / Tickets',
  'sluice-support / Ticket volume by channel',
  'sluice-support / Open vs resolved',
]);

const SCHEMAS: Record<string, any> = Object.fromEntries(
  fs
    .readdirSync(path.join(ROOT, 'schema/events'))
    .filter((f) => f.endsWith('.json'))
    .map((f) => [f.replace(/\.json$/, ''), readJson(`schema/events/${f}`)])
);
const DERIVED: Record<string, string[]> = { api_request: ['status_class'] };
const ENVELOPE = ['user_id', 'session_id', 'correlation_id'];

/** The JSON Schema of a property of an event (`items[].quantity` reaches into the line items). */
function propertySchema(event: string, property: string): any {
  const array = /^(\w+)\[\]\.(\w+)$/.exec(property);
  const props = SCHEMAS[event].properties;
  if (array) return props[array[1]]?.items?.properties?.[array[2]];
  return props[property];
}

/** `$name` and `${name}` references, Grafana's own `$__...` left out. */
function variableRefs(value: unknown): string[] {
  const text = JSON.stringify(value);
  return [...text.matchAll(/\$\{?(\w+)/g)].map((m) => m[1]).filter((n) => !n.startsWith('__'));
}

describe('provisioned data source', () => {
  const yml = fs.readFileSync(path.join(PROVISIONING, 'datasources/sluice.yml'), 'utf8');

  it('is the datasource plugin, uid sluice, through the proxy, with the URL and read key from the environment', () => {
    expect(yamlValue(yml, 'type')).toBe(DATASOURCE_PLUGIN.id);
    expect(yamlValue(yml, 'uid')).toBe('sluice');
    expect(yamlValue(yml, 'access')).toBe('proxy');
    expect(yamlValue(yml, 'url')).toBe('$SLUICE_QUERY_URL');
    expect(yamlValue(yml, 'readKey')).toBe('$SLUICE_READ_KEY');
    // Only one data source here, and no other file provisions another Sluice.
    expect(yamlValues(yml, 'type')).toHaveLength(1);
    expect(fs.readdirSync(path.join(PROVISIONING, 'datasources'))).toEqual(['sluice.yml']);
  });

  it("gives the plugin's proxy route every setting its templates read", () => {
    const route = DATASOURCE_PLUGIN.routes.find((r: any) => r.path === 'sluice');
    expect(route).toBeDefined();
    const text = JSON.stringify(route);
    const json = [...text.matchAll(/\.JsonData\.(\w+)/g)].map((m) => m[1]);
    const secure = [...text.matchAll(/\.SecureJsonData\.(\w+)/g)].map((m) => m[1]);
    expect(json).toEqual(['url']);
    expect(secure).toEqual(['readKey']);
    const block = (name: string): string => yml.slice(yml.indexOf(`${name}:`)).split('\n').slice(1).filter((l) => /^\s{6}\w/.test(l)).join('\n');
    for (const key of json) expect(yamlValue(block('jsonData'), key), `jsonData.${key}`).toBeTruthy();
    for (const key of secure) expect(yamlValue(block('secureJsonData'), key), `secureJsonData.${key}`).toBeTruthy();
  });
});

describe('provisioned dashboards: structure', () => {
  it('are the four dashboards, in folder Sluice, read from the directory the file provider names', () => {
    expect(yamlValue(providerYml, 'type')).toBe('file');
    expect(yamlValue(providerYml, 'folder')).toBe('Sluice');
    expect(DASHBOARD_DIR).toBe('dashboards/sluice');
    expect(DASHBOARD_FILES).toEqual(['business.json', 'ml-pipelines.json', 'support.json', 'system-health.json']);
  });

  it('have unique fixed uids and titles, a recent schema, tags, refresh and a relative time range', () => {
    const uids = dashboards.map((d) => d.json.uid);
    expect(new Set(uids).size).toBe(4);
    expect(new Set(dashboards.map((d) => d.json.title)).size).toBe(4);
    for (const { file, json } of dashboards) {
      expect(json.uid, file).toMatch(/^sluice-[a-z-]+$/);
      expect(json.schemaVersion, file).toBeGreaterThanOrEqual(39);
      expect(json.tags, file).toContain('sluice');
      expect(json.refresh, file).toMatch(/^\d+[sm]$/);
      expect(['now-24h', 'now-7d'], file).toContain(json.time.from);
      expect(json.time.to, file).toBe('now');
    }
  });

  it('query Sluice in every panel and target; panel ids unique, panels inside the grid', () => {
    expect(panelTargets.length).toBeGreaterThan(40);
    for (const { json } of dashboards) {
      const ids = json.panels.map((p: any) => p.id);
      expect(new Set(ids).size, json.uid).toBe(ids.length);
      for (const p of json.panels) {
        expect(p.datasource, `${json.uid} / ${p.title}`).toEqual(DS);
        expect(p.targets.length, `${json.uid} / ${p.title}`).toBeGreaterThan(0);
        for (const t of p.targets) expect(t.datasource, `${json.uid} / ${p.title}`).toEqual(DS);
        expect(p.gridPos.x + p.gridPos.w, `${json.uid} / ${p.title}`).toBeLessThanOrEqual(24);
      }
    }
  });

  it('define every variable their targets use; query variables and ad-hoc filters use Sluice', () => {
    for (const { json } of dashboards) {
      const names = json.templating.list.map((v: any) => v.name);
      const used = new Set(json.panels.flatMap((p: any) => variableRefs(p.targets)));
      expect(used.size, json.uid).toBeGreaterThan(0);
      for (const name of used) expect(names, `${json.uid}: $${name}`).toContain(name);
      const adhoc = json.templating.list.filter((v: any) => v.type === 'adhoc');
      expect(adhoc.map((v: any) => v.datasource), json.uid).toEqual([DS]);
      for (const v of json.templating.list.filter((x: any) => x.type === 'query')) {
        expect(v.datasource, `${json.uid}: ${v.name}`).toEqual(DS);
        expect(['events', 'properties', 'measures', 'values'], `${json.uid}: ${v.name}`).toContain(v.query.target);
        if (v.query.target === 'values') expect(propertySchema(v.query.event, v.query.property), `${json.uid}: ${v.name}`).toBeDefined();
      }
      const alerts = json.annotations.list.filter((a: any) => a.datasource?.uid === 'sluice');
      expect(alerts, json.uid).toHaveLength(1);
      expect(alerts[0].datasource).toEqual(DS);
      // The datasource answers annotation targets of this query type from the alert history.
      expect(alerts[0].target.queryType, json.uid).toBe('alert_history');
    }
    expect(dashboards.find((d) => d.json.uid === 'sluice-system-health')?.json.templating.list.find((v: any) => v.name === 'endpoint')).toMatchObject({ multi: true, includeAll: true, query: { target: 'values', event: 'api_request', property: 'endpoint' } });
  });

  it('ask only for kinds, events, measures and properties that exist', () => {
    for (const { name, panel, target } of panelTargets) {
      expect(KINDS, name).toContain(target.kind);
      if (panel.type === FUNNEL_PLUGIN.id) expect(target.kind, name).toBe('funnel');
      const steps: { event: string; filters?: any[] }[] = target.kind === 'funnel' ? target.steps : [{ event: target.event, filters: target.filters }];
      for (const step of steps) {
        expect([...SEED_EVENTS], name).toContain(step.event);
        const known = (property: string): boolean => ENVELOPE.includes(property) || (DERIVED[step.event] ?? []).includes(property) || propertySchema(step.event, property) !== undefined;
        // Custom events (the checkout steps) have no schema: they are only funnel steps here.
        if (!SCHEMAS[step.event]) {
          expect(target.kind, name).toBe('funnel');
          continue;
        }
        for (const f of step.filters ?? []) expect(known(f.property), `${name}: filter ${f.property}`).toBe(true);
        if (target.kind === 'funnel') continue;
        for (const g of target.group_by ?? []) expect(known(g), `${name}: group_by ${g}`).toBe(true);
        if (target.measure) expect(['number', 'integer'], `${name}: measure ${target.measure}`).toContain(propertySchema(target.event, target.measure)?.type);
      }
    }
  });

  it('show the funnel in the funnel panel and the forecast with one aggregation', () => {
    const funnels = panelTargets.filter((t) => t.target.kind === 'funnel');
    expect(funnels.map((t) => t.panel.type)).toEqual([FUNNEL_PLUGIN.id]);
    expect(funnels[0].target.steps.map((s: any) => s.event)).toEqual(['page_view', 'add_to_cart', 'checkout_started', 'order']);
    const forecasts = panelTargets.filter((t) => t.target.kind === 'forecast');
    expect(forecasts).toHaveLength(1);
    expect(forecasts[0].target.aggregations).toHaveLength(1);
  });
});

describe('seed', () => {
  const now = Date.parse('2026-11-22T06:00:00Z');
  const seed = makeGrafanaSeed(now);

  it('is deterministic, a few thousand events in the six hours before now, of every type the dashboards read', () => {
    expect(makeGrafanaSeed(now)).toEqual(seed);
    expect(seed.length).toBeGreaterThan(2000);
    expect(seed.length).toBeLessThan(10_000);
    expect(new Set(seed.map((e) => e.event_id)).size).toBe(seed.length);
    expect(Math.min(...seed.map((e) => e.timestamp))).toBeGreaterThanOrEqual(now - SEED_SPAN_MS);
    expect(Math.max(...seed.map((e) => e.timestamp))).toBeLessThan(now);
    expect([...new Set(seed.map((e) => e.event))].sort()).toEqual([...SEED_EVENTS].sort());
  });

  it('is valid against the event schemas', () => {
    const ajv = new Ajv2020({ strict: false });
    const validators = Object.fromEntries(Object.entries(SCHEMAS).map(([name, schema]) => [name, ajv.compile(schema)]));
    for (const e of seed.filter((x) => validators[x.event])) {
      const ok = validators[e.event](e.properties);
      expect(ok, `${e.event} ${JSON.stringify(validators[e.event].errors)}`).toBe(true);
    }
  });

  it('has users at every checkout step, orders with line items, discounts and two currencies', () => {
    const users = (event: string, test: (e: SeedEvent) => boolean = () => true): number => new Set(seed.filter((e) => e.event === event && test(e)).map((e) => e.user_id)).size;
    const counts = [users('page_view', (e) => String(e.properties.path).startsWith('/products/')), users('add_to_cart'), users('checkout_started'), users('order')];
    expect(counts[3]).toBeGreaterThan(20);
    for (let i = 1; i < counts.length; i++) expect(counts[i]).toBeLessThan(counts[i - 1]);
    const orders = seed.filter((e) => e.event === 'order');
    expect(orders.every((o) => Array.isArray(o.properties.items) && (o.properties.items as unknown[]).length > 0)).toBe(true);
    expect(orders.some((o) => o.properties.discount_code)).toBe(true);
    expect(new Set(orders.map((o) => o.properties.currency))).toEqual(new Set(['EUR', 'USD']));
  });
});

describe('provisioned dashboards against the query service', () => {
  let s: InProcess;
  const options = new Map<string, string[]>();
  const optionKey = (dash: any, name: string): string => `${dash.uid}/${name}`;

  async function metaList(query: any): Promise<string[]> {
    const params = new URLSearchParams();
    if (query.event) params.set('event', query.event);
    let route: string = query.target;
    if (query.target === 'values') params.set('property', query.property);
    if (query.target === 'measures') route = 'properties';
    const res = await fetch(`${s.queryUrl}/api/v1/meta/${route}?${params}`, { headers: { authorization: `Bearer ${s.readKey}` } });
    expect(res.status).toBe(200);
    const body: any = await res.json();
    if (query.target === 'values') return body.values.map(String);
    if (query.target === 'events') return body.events.map((e: any) => e.name);
    return body.properties.filter((p: any) => query.target !== 'measures' || p.measure).map((p: any) => p.name);
  }

  beforeAll(async () => {
    s = await startInProcess({ queryRateLimit: '0' });
    const started = Date.now();
    await ingestSeed(s, s.writeKey, started);
    // A few thousand events are stored within seconds; a slow store would slow every browser test.
    expect(Date.now() - started).toBeLessThan(10_000);
    for (const { dash, v } of queryVariables) options.set(optionKey(dash, v.name), await metaList(v.query));
  });
  afterAll(async () => s?.stop());

  it('answers every query variable with values', () => {
    expect(queryVariables.length).toBeGreaterThanOrEqual(5);
    for (const { dash, v } of queryVariables) expect(options.get(optionKey(dash, v.name)), `${dash.uid}: ${v.name}`).not.toHaveLength(0);
    expect(options.get('sluice-system-health/endpoint')?.sort()).toEqual(['/cart', '/checkout', '/orders/:id', '/products/:slug', '/recommendations', '/search']);
  });

  it('answers the alert-history annotation query for the read key', async () => {
    const res = await fetch(`${s.queryUrl}/api/v1/alerts/history?limit=10`, { headers: { authorization: `Bearer ${s.readKey}` } });
    expect(res.status).toBe(200);
    expect(Array.isArray(((await res.json()) as any).events)).toBe(true);
  });

  /** A variable's values as Grafana sets them: the current selection, All meaning every option. */
  function variableValues(dash: any, name: string): string[] {
    const v = dash.templating.list.find((x: any) => x.name === name);
    const all = options.get(optionKey(dash, name)) ?? [];
    const current = v.current?.value === undefined ? [] : [v.current.value].flat();
    if (current.length === 0) return all.slice(0, 1);
    return current.includes('$__all') ? all : current;
  }

  // A fixed interval in place of Grafana's $__interval (which depends on the panel's width).
  const AUTO_INTERVAL: Record<string, string> = { '24h': '5m', '7d': '1h' };
  const BUCKETED = ['timeseries', 'forecast', 'anomalies'];

  /** The DSL document the datasource sends for a target, with the dashboard's range as `range`. */
  function toDsl(dash: any, target: any): Record<string, unknown> {
    const { refId: _r, datasource: _d, hide: _h, interval, ...fields } = target;
    const range = String(dash.time.from).replace(/^now-/, '');
    const interpolate = (filters: any[] | undefined): any[] | undefined =>
      filters?.map((f) => {
        const m = typeof f.value === 'string' ? /^\$\{?(\w+)\}?$/.exec(f.value) : null;
        if (!m) return f;
        const values = variableValues(dash, m[1]);
        // A multi-value variable in an eq filter becomes `in`, as the datasource sends it.
        return f.op === 'eq' && values.length !== 1 ? { ...f, op: 'in', value: values } : { ...f, value: values[0] };
      });
    const doc: Record<string, unknown> = { ...fields, range, timezone: 'UTC' };
    if (fields.filters) doc.filters = interpolate(fields.filters);
    if (fields.steps) doc.steps = fields.steps.map((st: any) => (st.filters ? { ...st, filters: interpolate(st.filters) } : st));
    if (interval === 'auto' && BUCKETED.includes(fields.kind)) doc.interval = AUTO_INTERVAL[range];
    else if (interval && interval !== 'auto') doc.interval = interval;
    expect(variableRefs(doc), JSON.stringify(doc)).toEqual([]);
    return doc;
  }

  it.each(panelTargets.map((t) => [t.name, t] as const))('%s answers with data', async (_name, { dash, panel, target, name }) => {
    const doc = toDsl(dash, target);
    const { status, body } = await ask(s.queryUrl, s.readKey, doc);
    expect(status, `${name}: ${JSON.stringify(body).slice(0, 400)}`).toBe(200);
    expect(body.rows.length, name).toBeGreaterThan(0);
    const rows = records(body);
    const numbers = (column: string): number[] => rows.map((r) => r[column]).filter((v) => v !== null && v !== undefined).map(Number);
    if (target.kind === 'funnel') {
      expect(rows.map((r) => r.step)).toEqual(target.steps.map((_: unknown, i: number) => i + 1));
      for (const r of rows) expect(r.users, `${name}: step ${r.step}`).toBeGreaterThan(0);
    } else if (target.kind === 'forecast') {
      expect(numbers('value').some((v) => v > 0), name).toBe(true);
      expect(numbers('forecast').length, name).toBe(target.horizon);
    } else if ((target.aggregations ?? ['count']).includes('count')) {
      expect(numbers('count').reduce((a, b) => a + b, 0), name).toBeGreaterThan(0);
    } else {
      const measured = body.columns.filter((c: any) => c.type === 'number' && !/_(previous|change)$/.test(c.name)).map((c: any) => c.name);
      expect(measured.length, name).toBeGreaterThan(0);
      for (const column of measured) expect(numbers(column).some((v) => v > 0), `${name}: ${column}`).toBe(true);
    }
    const raw = RAW.has(`${dash.uid} / ${panel.title}`);
    if (raw) expect(body.meta.source, name).toBe('events');
    else expect(body.meta.source, name).toMatch(/^rollup_/);
  });

  it('lists only panels that exist as needing raw events', () => {
    const titles = new Set(panelTargets.map((t) => `${t.dash.uid} / ${t.panel.title}`));
    for (const r of RAW) expect(titles, r).toContain(r);
  });
});
