// Meta endpoints for editors: event names with counts, property keys, top values — from the
// rollups, scoped to the caller's project.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestAll } from './helpers/query.js';
import { startInProcess, type InProcess } from './helpers/sluice.js';

let s: InProcess;
const TAGS = ['red', 'green', 'blue', 'cyan', 'magenta'];
const ENDPOINTS = ['/a', '/b', '/c'];

beforeAll(async () => {
  s = await startInProcess({ queryRateLimit: '0' });
  const now = Date.now();
  const events: object[] = [];
  for (let i = 0; i < 400; i++) {
    events.push({ event: 'widget', event_id: randomUUID(), timestamp: now - i * 1000, properties: { tag: TAGS[i % 5], size: i, nested: { deep: 1 } } });
  }
  for (let i = 0; i < 90; i++) {
    events.push({ event: 'api_request', timestamp: now - i * 1000, properties: { endpoint: ENDPOINTS[i % 3], method: 'GET', status: i % 10 === 0 ? 503 : 200, duration_ms: i } });
  }
  await ingestAll(s, s.writeKey, events);
});
afterAll(async () => s?.stop());

async function meta(path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${s.queryUrl}/api/v1/meta/${path}`, { headers: { authorization: `Bearer ${s.readKey}` } });
  return { status: res.status, body: await res.json() };
}

describe('meta endpoints', () => {
  it('lists event names with their counts, and the events that have a schema', async () => {
    const { status, body } = await meta('events');
    expect(status).toBe(200);
    expect(body.events.slice(0, 2)).toEqual([
      { name: 'widget', count: 400, has_schema: false },
      { name: 'api_request', count: 90, has_schema: true },
    ]);
    expect(body.events.map((e: any) => e.name)).toEqual(expect.arrayContaining(['order', 'ml_job', 'ticket']));
  });

  it('lists the properties of an event, with what rollups can answer', async () => {
    const widget = await meta('properties?event=widget');
    // objects (nested) are not in the top-values rollup
    expect(widget.body.properties.map((p: any) => p.name).sort()).toEqual(['size', 'tag']);
    const api = await meta('properties?event=api_request');
    const byName = Object.fromEntries(api.body.properties.map((p: any) => [p.name, p]));
    expect(byName.duration_ms).toMatchObject({ type: 'number', measure: true, rollup_dimension: false });
    expect(byName.endpoint).toMatchObject({ type: 'string', measure: false, rollup_dimension: true });
    expect(byName.status_class).toMatchObject({ rollup_dimension: true, derived: 'status_class' });
    expect(api.body.columns).toEqual(['user_id', 'session_id', 'correlation_id']);
  });

  it('lists the top values of a property, from the day rollup for dimensions and the top-values rollup otherwise', async () => {
    const endpoints = await meta('values?event=api_request&property=endpoint');
    expect(endpoints.body).toEqual({ event: 'api_request', property: 'endpoint', values: ['/a', '/b', '/c'], source: 'rollup_1d' });
    const classes = await meta('values?event=api_request&property=status_class');
    expect(classes.body.values).toEqual(['2xx', '5xx']);
    const tags = await meta('values?event=widget&property=tag');
    expect(tags.body.source).toBe('property_values');
    expect([...tags.body.values].sort()).toEqual([...TAGS].sort());
    const prefixed = await meta('values?event=widget&property=tag&prefix=gr');
    expect(prefixed.body.values).toEqual(['green']);
  });

  it('refuses missing or malformed parameters naming them', async () => {
    expect((await meta('properties')).body.error.message).toMatch(/\?event=/);
    expect((await meta('values?event=widget')).body.error.message).toMatch(/\?property=/);
    expect((await meta('events?days=0')).status).toBe(400);
  });
});
