// The OpenAPI document is valid OpenAPI 3.1, carries the very schema that validates queries,
// lists only routes that exist, and every query example in docs/api.md runs.
import fs from 'node:fs';
import http from 'node:http';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rootPath } from '../core/paths.js';
import { QUERY_SCHEMA } from '../query/dsl-schema.js';
import { ask, ingestAll } from './helpers/query.js';
import { startInProcess, type InProcess } from './helpers/sluice.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;
const examples = [...fs.readFileSync(rootPath('docs', 'api.md'), 'utf8').matchAll(/```json query\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]) as Record<string, unknown>);

let s: InProcess;
let doc: any;
beforeAll(async () => {
  s = await startInProcess({ queryRateLimit: '0' });
  const now = Date.now();
  await ingestAll(s, s.writeKey, [
    { event: 'api_request', timestamp: now - 60_000, user_id: 'u1', properties: { endpoint: '/a', method: 'GET', status: 200, duration_ms: 12 } },
    { event: 'page_view', timestamp: now - 50_000, user_id: 'u1', properties: { path: '/product/1' } },
    { event: 'order', timestamp: now - 40_000, user_id: 'u1', properties: { order_id: 'o1', revenue: 10, currency: 'EUR', category: 'shoes', payment_method: 'card', items: [{ product_id: 'p1', quantity: 2, price: 5 }] } },
  ]);
  doc = await (await fetch(`${s.queryUrl}/api/v1/openapi.json`)).json();
});
afterAll(async () => s?.stop());

/** The HTTP status a WebSocket upgrade without credentials gets (101 if it were let in). */
function upgradeStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' } });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      resolve(101);
    });
    req.on('error', reject);
  });
}

describe('OpenAPI document', () => {
  it('is valid OpenAPI 3.1', async () => {
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(doc.openapi).toBe('3.1.0');
  });

  it('carries the query schema that validates requests and the event schemas', () => {
    const { $id: _id, ...schema } = QUERY_SCHEMA as Record<string, unknown>;
    expect(doc.components.schemas.Query).toEqual(JSON.parse(JSON.stringify(schema)));
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['Event', 'Properties_order', 'Properties_api_request', 'Answer', 'Error']));
    const ajv = new Ajv2020({ strict: false });
    addFormats(ajv);
    const validate = ajv.compile(doc.components.schemas.Query);
    expect(validate({ kind: 'timeseries', event: 'x', range: '7d' })).toBe(true);
    expect(validate({ kind: 'timeseries', event: 'x', range: '8 days' })).toBe(false);
  });

  it('lists only routes that exist', async () => {
    for (const [path, methods] of Object.entries<Record<string, any>>(doc.paths)) {
      for (const method of Object.keys(methods)) {
        const server: string = methods[method].servers?.[0]?.url ?? '';
        const base = server.endsWith(':8080') ? s.ingestUrl : s.queryUrl;
        if (server.startsWith('ws:')) {
          expect(await upgradeStatus(`${base}${path}`), path).toBe(401);
          continue;
        }
        const res = await fetch(`${base}${path.replace('{id}', 'nope')}`, { method: method.toUpperCase(), body: ['post', 'put'].includes(method) ? '{}' : undefined });
        expect(res.status, `${method} ${path}`).not.toBe(404);
        expect(res.status, `${method} ${path}`).not.toBe(405);
        await res.arrayBuffer();
      }
    }
  });

  it('every query example in docs/api.md is valid and runs', async () => {
    expect(examples.length).toBeGreaterThanOrEqual(8);
    expect(new Set(examples.map((e) => e.kind))).toEqual(new Set(['timeseries', 'breakdown', 'percentiles', 'funnel', 'retention', 'events', 'forecast', 'anomalies']));
    for (const example of examples) {
      const res = await ask(s.queryUrl, s.readKey, example);
      expect(res.status, `${JSON.stringify(example)} -> ${JSON.stringify(res.body)}`).toBe(200);
      expect(res.body.rows.length, JSON.stringify(example)).toBeGreaterThan(0);
    }
  });
});
