// The real Segment and PostHog Node SDKs pointed at Sluice: what they send must arrive intact.
import crypto from 'node:crypto';
import { Analytics } from '@segment/analytics-node';
import { PostHog } from 'posthog-node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { messageIdToEventId } from '../ingest/compat-segment.js';
import { gzip, poll } from './helpers/ingest-checks.js';
import { startInProcess, type InProcess } from './helpers/sluice.js';

let s: InProcess;
beforeAll(async () => {
  s = await startInProcess();
});
afterAll(async () => {
  await s?.stop();
});

interface Stored {
  event: string;
  event_id: string;
  ts: number;
  user_id: string;
  session_id: string;
  source: string;
  project_id: string;
  properties: Record<string, unknown>;
}

async function eventsOf(userPrefix: string): Promise<Stored[]> {
  const rows = await s.store.rows<Record<string, string>>(
    `SELECT project_id, event, toString(event_id) AS event_id, toUnixTimestamp64Milli(timestamp) AS ts, user_id, session_id, source,
       toJSONString(properties) AS props
     FROM sluice.events WHERE startsWith(user_id, {p:String}) ORDER BY timestamp, event`,
    { p: userPrefix },
  );
  return rows.map((r) => ({
    project_id: r.project_id,
    event: r.event,
    event_id: r.event_id,
    ts: Number(r.ts),
    user_id: r.user_id,
    session_id: r.session_id,
    source: r.source,
    properties: JSON.parse(r.props) as Record<string, unknown>,
  }));
}

const tag = (name: string): string => `${name}-${crypto.randomBytes(3).toString('hex')}-`;

/** A Segment client that records every HTTP answer it gets. */
function segmentClient(writeKey: string, flushAt = 2) {
  const analytics = new Analytics({ writeKey, host: s.ingestUrl, path: '/v1/batch', flushAt, flushInterval: 200, maxRetries: 2 });
  const responses: { status: number; url: string }[] = [];
  const errors: unknown[] = [];
  analytics.on('http_response', (r) => responses.push({ status: r.status, url: r.url }));
  analytics.on('error', (e) => errors.push(e));
  return { analytics, responses, errors };
}

describe('Segment: @segment/analytics-node', () => {
  it('track, page and identify arrive intact through /v1/batch', async () => {
    const u = tag('seg');
    const t = Date.now() - 60_000;
    const orderProps = { order_id: 'o-1', revenue: 99.9, currency: 'USD', payment_method: 'paypal', items: [{ product_id: 'p1', quantity: 1, price: 99.9 }] };
    const { analytics, responses, errors } = segmentClient(s.writeKey, 2);
    analytics.track({ userId: `${u}1`, event: 'order', properties: orderProps, timestamp: new Date(t), messageId: `${u}msg-track` });
    analytics.track({ anonymousId: `${u}anon`, event: 'signup_started', properties: { plan: 'pro', step: { n: 1 } }, timestamp: new Date(t + 1) });
    analytics.page({ userId: `${u}1`, category: 'Docs', name: 'Pricing', properties: { path: '/pricing', url: 'https://example.com/pricing', title: 'Pricing' }, timestamp: new Date(t + 2) });
    analytics.identify({ userId: `${u}1`, traits: { email: 'a@example.com', plan: 'pro', address: { city: 'Berlin' } }, timestamp: new Date(t + 3) });
    await analytics.closeAndFlush({ timeout: 30_000 });
    expect(errors).toEqual([]);
    expect(responses.length).toBeGreaterThanOrEqual(2); // flushAt 2: more than one batch
    for (const r of responses) {
      expect(r.status).toBe(200);
      expect(new URL(r.url).pathname).toBe('/v1/batch');
    }

    const rows = await eventsOf(u);
    expect(rows.map((r) => [r.event, r.user_id])).toEqual([
      ['order', `${u}1`],
      ['signup_started', `${u}anon`],
      ['page_view', `${u}1`],
      ['$identify', `${u}1`],
    ]);
    for (const [i, r] of rows.entries()) {
      expect(r.ts).toBe(t + i);
      expect(r.source).toBe('segment');
      expect(r.project_id).toBe('default');
    }
    expect(rows[0].properties).toEqual(orderProps);
    expect(rows[0].event_id).toBe(messageIdToEventId(`${u}msg-track`));
    expect(rows[0].event_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(rows[1].properties).toEqual({ plan: 'pro', step: { n: 1 } });
    expect(rows[2].properties).toEqual({ path: '/pricing', url: 'https://example.com/pricing', title: 'Pricing', category: 'Docs', name: 'Pricing' });
    expect(rows[3].properties).toEqual({ email: 'a@example.com', plan: 'pro', address: { city: 'Berlin' } });
    // SDK-made message ids (node-next-<ms>-<uuid>) map to stable ids too.
    expect(new Set(rows.map((r) => r.event_id)).size).toBe(4);
  });

  it('maps a messageId to a stable event_id: sending it again is a duplicate', async () => {
    const u = tag('segdup');
    const messageId = `${u}stable`;
    const t = Date.now() - 30_000;
    for (let round = 0; round < 2; round++) {
      const { analytics, responses, errors } = segmentClient(s.writeKey, 1);
      analytics.track({ userId: `${u}1`, event: 'checkout', properties: { round }, timestamp: new Date(t), messageId });
      await analytics.closeAndFlush({ timeout: 30_000 });
      expect(errors).toEqual([]);
      expect(responses.map((r) => r.status)).toEqual([200]);
    }
    // The same message through the raw API answers "duplicate".
    const res = await fetch(`${s.ingestUrl}/v1/batch`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Basic ${Buffer.from(`${s.writeKey}:`).toString('base64')}` },
      body: JSON.stringify({ batch: [{ type: 'track', event: 'checkout', userId: `${u}1`, messageId, timestamp: new Date(t).toISOString() }] }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ success: true, accepted: 0, duplicates: 1, rejected: [] });
    const rows = await eventsOf(u);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ event: 'checkout', event_id: messageIdToEventId(messageId), properties: { round: 0 } });
  });

  it('a bad write key is refused and the SDK reports it', async () => {
    const u = tag('segbad');
    const { analytics, responses } = segmentClient('slw_not-a-key', 1);
    const failed: unknown[] = [];
    analytics.on('error', (e) => failed.push(e));
    analytics.track({ userId: `${u}1`, event: 'x' });
    await analytics.closeAndFlush({ timeout: 30_000 });
    expect(responses.map((r) => r.status)).toEqual([401]);
    expect(failed.length).toBe(1);
    expect(await eventsOf(u)).toHaveLength(0);
  });

  it('raw /v1/track with Basic auth, a UUID messageId and context fields', async () => {
    const u = tag('track');
    const messageId = crypto.randomUUID();
    const ts = new Date(Date.now() - 5_000).toISOString();
    const body = {
      type: 'track',
      event: 'api_request',
      userId: `${u}1`,
      messageId,
      timestamp: ts,
      properties: { endpoint: '/v1/things', method: 'GET', status: 200, duration_ms: 17.5, session_id: 'sess-9' },
      context: { requestId: 'req-123', library: { name: 'curl' } },
    };
    const auth = `Basic ${Buffer.from(`${s.writeKey}:`).toString('base64')}`;
    const res = await fetch(`${s.ingestUrl}/v1/track`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: auth }, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ success: true, accepted: 1, duplicates: 0, rejected: [] });
    const [row] = await eventsOf(u);
    expect(row).toMatchObject({ event: 'api_request', event_id: messageId, ts: Date.parse(ts), user_id: `${u}1`, session_id: 'sess-9', source: 'segment' });
    expect(row.properties).toEqual(body.properties);
    const [{ c }] = await s.store.rows<{ c: string }>(`SELECT correlation_id AS c FROM sluice.events WHERE user_id = {u:String}`, { u: `${u}1` });
    expect(c).toBe('req-123');

    // A message that fails its event schema is named in the answer, as Sluice's own API does.
    const bad = await fetch(`${s.ingestUrl}/v1/track`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: auth },
      body: JSON.stringify({ type: 'track', event: 'api_request', userId: `${u}2`, properties: { endpoint: '/x' } }),
    });
    expect(bad.status).toBe(400);
    const badBody = await bad.json();
    expect(badBody.rejected[0].reason).toBe('invalid_properties');
    // Wrong key in Basic auth: 401.
    const unauth = await fetch(`${s.ingestUrl}/v1/track`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Basic ${Buffer.from('slw_wrong:').toString('base64')}` },
      body: JSON.stringify({ type: 'track', event: 'x', userId: `${u}3` }),
    });
    expect(unauth.status).toBe(401);
    expect(await eventsOf(u)).toHaveLength(1);
  });
});

describe('compat routes: one bad message costs only itself', () => {
  const auth = () => ({ 'Content-Type': 'application/json', Authorization: `Basic ${Buffer.from(`${s.writeKey}:`).toString('base64')}` });
  const t = () => new Date(Date.now() - 1_000).toISOString();

  it('Segment /v1/batch: an unparseable timestamp or non-object properties reject that message only', async () => {
    const u = tag('segbadmsg');
    const batch = [
      { type: 'track', event: 'ok_1', userId: `${u}1`, timestamp: t() },
      { type: 'track', event: 'bad_ts', userId: `${u}1`, timestamp: 'not a date' },
      { type: 'track', event: 'bad_props', userId: `${u}1`, properties: 'oops' },
      { type: 'identify', userId: `${u}1`, traits: [1, 2] },
      { type: 'track', event: 'ok_2', userId: `${u}1`, properties: { a: 1 } },
    ];
    const res = await fetch(`${s.ingestUrl}/v1/batch`, { method: 'POST', headers: auth(), body: JSON.stringify({ batch }) });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.accepted).toBe(2);
    expect(body.rejected.map((r: { index: number; reason: string; errors: { path: string }[] }) => [r.index, r.reason, r.errors[0].path])).toEqual([
      [1, 'invalid_envelope', '/timestamp'],
      [2, 'invalid_envelope', '/properties'],
      [3, 'invalid_envelope', '/properties'],
    ]);
    expect((await eventsOf(u)).map((r) => r.event).sort()).toEqual(['ok_1', 'ok_2']);
  });

  it('PostHog /batch/: the same', async () => {
    const u = tag('phbadmsg');
    const batch = [
      { event: 'ok_1', distinct_id: `${u}1`, timestamp: t() },
      { event: 'bad_ts', distinct_id: `${u}1`, timestamp: '2026-13-45 nope' },
      { event: 'bad_props', distinct_id: `${u}1`, properties: ['x'] },
      { event: 'ok_2', distinct_id: `${u}1`, properties: { a: 1 } },
    ];
    const res = await fetch(`${s.ingestUrl}/batch/`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ api_key: s.writeKey, batch }) });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.accepted).toBe(2);
    expect(body.rejected.map((r: { index: number; reason: string; errors: { path: string }[] }) => [r.index, r.reason, r.errors[0].path])).toEqual([
      [1, 'invalid_envelope', '/timestamp'],
      [2, 'invalid_envelope', '/properties'],
    ]);
    expect((await eventsOf(u)).map((r) => r.event).sort()).toEqual(['ok_1', 'ok_2']);
  });
});

describe('PostHog: posthog-node', () => {
  it('capture events arrive intact through /batch/ (gzip, api_key in the body)', async () => {
    const u = tag('ph');
    const t = Date.now() - 120_000;
    const errors: unknown[] = [];
    const ph = new PostHog(s.writeKey, { host: s.ingestUrl, flushAt: 2, flushInterval: 0, fetchRetryCount: 0 });
    ph.on('error', (e) => errors.push(e));
    const uuid = crypto.randomUUID();
    const orderProps = { order_id: 'ph-o1', revenue: 42.5, currency: 'EUR', category: 'bags', items: [{ product_id: 'b1', quantity: 2, price: 21.25 }] };
    ph.capture({ distinctId: `${u}1`, event: 'order', properties: orderProps, timestamp: new Date(t), uuid });
    ph.capture({ distinctId: `${u}2`, event: 'feature_used', properties: { feature: 'export', $session_id: 'ph-sess', nested: { a: [1, 2] } }, timestamp: new Date(t + 1) });
    ph.capture({ distinctId: `${u}1`, event: 'page_view', properties: { path: '/ph', title: 'PH' }, timestamp: new Date(t + 2) });
    await ph.shutdown(30_000);
    expect(errors).toEqual([]);

    const rows = await poll(() => eventsOf(u), (x) => x.length === 3, 10_000);
    expect(rows.map((r) => [r.event, r.user_id, r.ts])).toEqual([
      ['order', `${u}1`, t],
      ['feature_used', `${u}2`, t + 1],
      ['page_view', `${u}1`, t + 2],
    ]);
    for (const r of rows) {
      expect(r.source).toBe('posthog');
      expect(r.properties.$lib).toBe('posthog-node');
      expect(r.properties).not.toHaveProperty('distinct_id');
    }
    expect(rows[0].event_id).toBe(uuid);
    expect(rows[0].properties).toMatchObject(orderProps);
    expect(rows[1].properties).toMatchObject({ feature: 'export', nested: { a: [1, 2] } });
    expect(rows[1].session_id).toBe('ph-sess');
    expect(rows[2].properties).toMatchObject({ path: '/ph', title: 'PH' });
    // The SDK's own uuids (v7) are kept as event ids.
    expect(rows[1].event_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
  });

  it('re-sending the same PostHog uuid is a duplicate', async () => {
    const u = tag('phdup');
    const uuid = crypto.randomUUID();
    for (let round = 0; round < 2; round++) {
      const errors: unknown[] = [];
      const ph = new PostHog(s.writeKey, { host: s.ingestUrl, flushAt: 1, flushInterval: 0, fetchRetryCount: 0 });
      ph.on('error', (e) => errors.push(e));
      ph.capture({ distinctId: `${u}1`, event: 'clicked', properties: { round }, uuid });
      await ph.shutdown(30_000);
      expect(errors).toEqual([]);
    }
    const res = await fetch(`${s.ingestUrl}/batch/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
      body: gzip(JSON.stringify({ api_key: s.writeKey, batch: [{ event: 'clicked', distinct_id: `${u}1`, uuid, properties: {} }] })) as unknown as BodyInit,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ accepted: 0, duplicates: 1, rejected: [] });
    const rows = await eventsOf(u);
    expect(rows).toHaveLength(1);
    expect(rows[0].properties).toMatchObject({ round: 0 });
  });

  it('a PostHog client with a wrong api key gets 401 and stores nothing', async () => {
    const u = tag('phbad');
    const errors: unknown[] = [];
    const ph = new PostHog('slw_wrong', { host: s.ingestUrl, flushAt: 1, flushInterval: 0, fetchRetryCount: 0 });
    ph.on('error', (e) => errors.push(e));
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined); // the SDK logs the failed flush
    try {
      ph.capture({ distinctId: `${u}1`, event: 'clicked' });
      await ph.shutdown(30_000);
    } finally {
      quiet.mockRestore();
    }
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(String((errors[0] as { status?: number }).status ?? errors[0])).toContain('401');
    expect(await eventsOf(u)).toHaveLength(0);
  });
});
