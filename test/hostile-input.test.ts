// Hostile and broken input on the HTTP ingest surface: every request gets a definite answer,
// one bad event costs only itself, limits hold, and the server stays up and keeps storing.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gzip, poll } from './helpers/ingest-checks.js';
import { postEvents, startInProcess, type InProcess } from './helpers/sluice.js';

let s: InProcess;
let url: string;
beforeAll(async () => {
  s = await startInProcess({
    maxBodyBytes: '64KiB',
    maxEventsPerRequest: '100',
    maxStringLength: '1000',
    maxPropertyDepth: '4',
    maxProperties: '50',
    rateLimitEvents: '200',
    rateLimitBurst: '1',
  });
  url = `${s.ingestUrl}/v1/events`;
});
afterAll(async () => {
  await s?.stop();
});

/** Each test sends with its own key, so the rate limit of one never touches another. */
async function freshKey(): Promise<string> {
  return (await s.sluice.keys.createKey('default', 'write')).key;
}

const marker = (name: string): string => `${name}-${crypto.randomBytes(4).toString('hex')}`;

async function storedCount(session: string): Promise<number> {
  const [r] = await s.store.rows<{ n: string | number }>(`SELECT count() AS n FROM sluice.events WHERE session_id = {s:String}`, { s: session });
  return Number(r.n);
}

/** Per-event rejections that must reach the rejects table: a text its raw column contains, the reason, how many. */
const expectedRejects: { text: string; reason: string; count: number }[] = [];

type Rejected = { index: number; reason: string; errors: { path: string; message: string }[] };
const summary = (rejected: Rejected[]) => rejected.map((r) => [r.index, r.reason, r.errors[0]?.path]);

describe('malformed bodies', () => {
  it('a malformed JSON body is a 400 naming the JSON problem', async () => {
    const key = await freshKey();
    for (const body of ['{"event": "x",', '[{"event":"a"},]', '', '{"event":"a"} {"event":"b"}']) {
      const r = await postEvents(url, key, body);
      expect(r.status, body).toBe(400);
      expect(r.body.error.code).toBe('SLUICE_E_BAD_REQUEST');
      expect(r.body.error.message, body).toMatch(/not valid JSON: .+/);
    }
    const r = await postEvents(url, key, '{"event": tru}');
    expect(r.body.error.message).toMatch(/JSON.*(Unexpected|position|token)/i);
  });

  it('NDJSON with one bad line rejects that line as invalid_json and stores the others', async () => {
    const key = await freshKey();
    const session = marker('ndjson-bad');
    const bad = `{"event":"broken","session_id":"${session}"`;
    const body = [JSON.stringify({ event: 'ok_a', session_id: session }), bad, JSON.stringify({ event: 'ok_b', session_id: session })].join('\n');
    const r = await postEvents(url, key, body, { 'Content-Type': 'application/x-ndjson' });
    expect(r.status).toBe(200);
    expect(r.body.accepted).toBe(2);
    expect(summary(r.body.rejected)).toEqual([[1, 'invalid_json', '']]);
    expect(r.body.rejected[0].errors[0].message.length).toBeGreaterThan(0);
    expect(await storedCount(session)).toBe(2);
    expectedRejects.push({ text: bad, reason: 'invalid_json', count: 1 });
  });

  it('NDJSON lines that are only valid when joined are each rejected', async () => {
    const key = await freshKey();
    const session = marker('ndjson-join');
    const body = `{"event":"a","session_id":"${session}","properties":{"x":[1\n2]}},{"event":"b","session_id":"${session}"}`;
    const r = await postEvents(url, key, body, { 'Content-Type': 'application/x-ndjson' });
    expect(r.status).toBe(400);
    expect(summary(r.body.rejected)).toEqual([
      [0, 'invalid_json', ''],
      [1, 'invalid_json', ''],
    ]);
    expect(await storedCount(session)).toBe(0);
    expectedRejects.push({ text: session, reason: 'invalid_json', count: 2 });
  });

  it('invalid UTF-8 in one NDJSON line rejects that line as invalid_utf8 and stores the others', async () => {
    const key = await freshKey();
    const session = marker('utf8-line');
    const body = Buffer.concat([
      Buffer.from(`${JSON.stringify({ event: 'ok_a', session_id: session })}\n`),
      Buffer.from(`{"event":"bad","session_id":"${session}","properties":{"s":"`),
      Buffer.from([0xff, 0xfe, 0xc3]),
      Buffer.from(`"}}\n${JSON.stringify({ event: 'ok_b', session_id: session })}\n`),
    ]);
    const r = await postEvents(url, key, body, { 'Content-Type': 'application/x-ndjson' });
    expect(r.status).toBe(200);
    expect(r.body.accepted).toBe(2);
    expect(summary(r.body.rejected)).toEqual([[1, 'invalid_utf8', '']]);
    expect(await storedCount(session)).toBe(2);
    expectedRejects.push({ text: `"session_id":"${session}","properties"`, reason: 'invalid_utf8', count: 1 });
  });

  it('invalid UTF-8 in a JSON body is a 400', async () => {
    const key = await freshKey();
    const session = marker('utf8-json');
    const body = Buffer.concat([Buffer.from(`[{"event":"a","session_id":"${session}","properties":{"s":"`), Buffer.from([0xc0, 0xaf]), Buffer.from('"}}]')]);
    const r = await postEvents(url, key, body);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('SLUICE_E_BAD_REQUEST');
    expect(r.body.error.message).toMatch(/UTF-8/);
    expect(await storedCount(session)).toBe(0);
  });

  it('deep nesting is refused without hurting the neighbours or the server', async () => {
    const key = await freshKey();
    const session = marker('deep');
    const ok = JSON.stringify({ event: 'ok', session_id: session });
    // 5000 levels of {"a": inside properties.
    const deepObject = `{"event":"deep","session_id":"${session}","properties":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`;
    const r1 = await postEvents(url, key, `[${deepObject},${ok}]`);
    expect(r1.status).toBe(200);
    expect(r1.body.accepted).toBe(1);
    expect(summary(r1.body.rejected)).toEqual([[0, 'limit_exceeded', '/properties/a/a/a/a']]);
    // 30000 levels of arrays as a whole item: too deep to serialize again.
    const r2 = await postEvents(url, key, `[${'['.repeat(30_000)}${']'.repeat(30_000)},${ok}]`);
    expect(r2.status).toBe(200);
    expect(r2.body.accepted).toBe(1);
    expect(summary(r2.body.rejected)).toEqual([[0, 'invalid_envelope', '']]);
    // 10000 levels in one NDJSON line (60 KB).
    const deepLine = `{"event":"deep","session_id":"${session}","properties":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`;
    const r3 = await postEvents(url, key, `${deepLine}\n${ok}\n`, { 'Content-Type': 'application/x-ndjson' });
    expect(r3.status).toBe(200);
    expect(summary(r3.body.rejected)).toEqual([[0, 'limit_exceeded', '/properties/a/a/a/a']]);
    // Only deep: nothing valid.
    const r4 = await postEvents(url, key, deepObject);
    expect(r4.status).toBe(400);
    expect(r4.body.rejected[0].reason).toBe('limit_exceeded');
    expect(await storedCount(session)).toBe(3);
    expect((await fetch(`${s.ingestUrl}/healthz`)).status).toBe(200);
    expectedRejects.push({ text: `{"event":"deep","session_id":"${session}"`, reason: 'limit_exceeded', count: 3 });
    expectedRejects.push({ text: '[not serializable: nested too deeply]', reason: 'invalid_envelope', count: 1 });
  });
});

describe('invalid events', () => {
  it('strings over the limit, too many keys and long envelope fields are rejected with the path', async () => {
    const key = await freshKey();
    const session = marker('limits');
    const events = [
      { event: 'long', session_id: session, properties: { desc: 'x'.repeat(1001) } },
      { event: 'long_nested', session_id: session, properties: { a: { b: ['ok', 'y'.repeat(2000)] } } },
      { event: 'many_keys', session_id: session, properties: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i])) },
      { event: 'long_user', session_id: session, user_id: 'u'.repeat(201) },
      { event: 'e'.repeat(201), session_id: session },
      { event: 'at_limit', session_id: session, properties: { desc: 'x'.repeat(1000), ...Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`k${i}`, i])) } },
    ];
    const r = await postEvents(url, key, JSON.stringify(events));
    expect(r.status).toBe(200);
    expect(r.body.accepted).toBe(1);
    expect(summary(r.body.rejected)).toEqual([
      [0, 'limit_exceeded', '/properties/desc'],
      [1, 'limit_exceeded', '/properties/a/b/1'],
      [2, 'limit_exceeded', '/properties'],
      [3, 'invalid_envelope', '/user_id'],
      [4, 'invalid_envelope', '/event'],
    ]);
    expect(await storedCount(session)).toBe(1);
    expectedRejects.push({ text: session, reason: 'limit_exceeded', count: 3 });
    expectedRejects.push({ text: session, reason: 'invalid_envelope', count: 2 });
  });

  it('wrong types are rejected with the field named', async () => {
    const key = await freshKey();
    const session = marker('types');
    const events: unknown[] = [
      { event: 123, session_id: session },
      { event: 'p', session_id: session, properties: 'str' },
      { event: 'p', session_id: session, properties: [1, 2] },
      { event: 'p', session_id: session, timestamp: true },
      { event: 'p', session_id: session, event_id: 'not-a-uuid' },
      { event: 'api_request', session_id: session, properties: { endpoint: '/a', method: 'GET', status: '200', duration_ms: 1 } },
      { event: 'p', session_id: session, user_id: { id: 1 } },
      { event: 'p', session_id: session, timestamp: -5 },
      { event: 'p', session_id: session, timestamp: '2026-13-45T00:00:00Z' },
      { event: 'ok', session_id: session },
    ];
    const r = await postEvents(url, key, JSON.stringify(events));
    expect(r.status).toBe(200);
    expect(r.body.accepted).toBe(1);
    expect(summary(r.body.rejected)).toEqual([
      [0, 'invalid_envelope', '/event'],
      [1, 'invalid_envelope', '/properties'],
      [2, 'invalid_envelope', '/properties'],
      [3, 'invalid_envelope', '/timestamp'],
      [4, 'invalid_envelope', '/event_id'],
      [5, 'invalid_properties', '/properties/status'],
      [6, 'invalid_envelope', '/user_id'],
      [7, 'invalid_envelope', '/timestamp'],
      [8, 'invalid_envelope', '/timestamp'],
    ]);
    // Items that are not objects at all.
    const r2 = await postEvents(url, key, JSON.stringify([null, 42, 'event', [], { event: 'ok', session_id: session }]));
    expect(r2.status).toBe(200);
    expect(summary(r2.body.rejected).map(([i, reason]) => [i, reason])).toEqual([0, 1, 2, 3].map((i) => [i, 'invalid_envelope']));
    const r3 = await postEvents(url, key, '42');
    expect(r3.status).toBe(400);
    expect(await storedCount(session)).toBe(2);
    expectedRejects.push({ text: session, reason: 'invalid_envelope', count: 8 });
    expectedRejects.push({ text: session, reason: 'invalid_properties', count: 1 });
  });

  it('far-future timestamps are out of range', async () => {
    const key = await freshKey();
    const session = marker('future');
    const now = Date.now();
    const events = [
      { event: 'f', session_id: session, timestamp: '9999-12-31T23:59:59Z' },
      { event: 'f', session_id: session, timestamp: 1e15 },
      { event: 'f', session_id: session, timestamp: 1e300 },
      { event: 'f', session_id: session, timestamp: now + 6 * 60_000 },
      { event: 'f', session_id: session, timestamp: new Date(now + 10 * 60_000).toISOString().replace('Z', '+00:00') },
      { event: 'ok', session_id: session, timestamp: now + 60_000 },
    ];
    const r = await postEvents(url, key, JSON.stringify(events));
    expect(r.status).toBe(200);
    expect(r.body.accepted).toBe(1);
    expect(summary(r.body.rejected)).toEqual([0, 1, 2, 3, 4].map((i) => [i, 'timestamp_out_of_range', '/timestamp']));
    expect(await storedCount(session)).toBe(1);
    expectedRejects.push({ text: session, reason: 'timestamp_out_of_range', count: 5 });
  });

  it('values ClickHouse cannot store are rejected alone and do not block later inserts', async () => {
    const key = await freshKey();
    const session = marker('unstorable');
    const events = [
      { event: 'sur', session_id: session, properties: { s: 'a\ud800b' } },
      { event: 'sur', session_id: session, properties: { ['k\udfff']: 1 } },
      { event: 'sur', session_id: session, user_id: '\udc00' },
      { event: 'bigint', session_id: session, properties: { n: 1e20 } },
      { event: 'bigint', session_id: session, properties: { list: [1, -(2 ** 64)] } },
      { event: 'dots', session_id: session, properties: { 'a.b': 1, a: { b: 2 } } },
      { event: 'dots', session_id: session, properties: { items: [{ 'k.l': 1, k: { l: 'x' } }] } },
      { event: 'ok', session_id: session, properties: { pair: '😀', n: 2 ** 63, f: 1e21, 'a.b': 1, a: { c: 2 }, nul: 'a\u0000b' } },
    ];
    // ack=stored: the answer waits for the insert, so a poisoned batch would time out with 503.
    const r = await postEvents(url, key, JSON.stringify(events));
    expect(r.status).toBe(200);
    expect(r.body.accepted).toBe(1);
    expect(summary(r.body.rejected)).toEqual([
      [0, 'invalid_utf8', '/properties/s'],
      [1, 'invalid_utf8', '/properties/k\udfff'],
      [2, 'invalid_utf8', '/user_id'],
      [3, 'limit_exceeded', '/properties/n'],
      [4, 'limit_exceeded', '/properties/list/1'],
      [5, 'invalid_properties', '/properties/a/b'],
      [6, 'invalid_properties', '/properties/items/0/k/l'],
    ]);
    const [row] = await s.store.rows<{ p: string }>(`SELECT toJSONString(properties) AS p FROM sluice.events WHERE session_id = {s:String}`, { s: session });
    expect(JSON.parse(row.p)).toMatchObject({ pair: '😀', nul: 'a\u0000b', f: 1e21 });
    // A rejected event whose name is cut inside a surrogate pair still reaches the rejects table.
    const cut = await postEvents(url, key, JSON.stringify({ event: `${'e'.repeat(199)}😀${session}`, session_id: session }));
    expect(cut.status).toBe(400);
    expectedRejects.push({ text: session, reason: 'invalid_utf8', count: 3 });
    expectedRejects.push({ text: session, reason: 'limit_exceeded', count: 2 });
    expectedRejects.push({ text: session, reason: 'invalid_properties', count: 2 });
    expectedRejects.push({ text: session, reason: 'invalid_envelope', count: 1 });
    const later = await postEvents(url, key, JSON.stringify({ event: 'later', session_id: session }));
    expect(later.status).toBe(200);
    expect(await storedCount(session)).toBe(2);
  });
});

describe('request limits', () => {
  it('a body over the limit is a 413, declared or chunked', async () => {
    const key = await freshKey();
    const session = marker('big');
    const big = JSON.stringify(Array.from({ length: 300 }, () => ({ event: 'big', session_id: session, properties: { s: 'x'.repeat(300) } })));
    expect(Buffer.byteLength(big)).toBeGreaterThan(64 * 1024);
    const declared = await postEvents(url, key, big);
    expect(declared.status).toBe(413);
    expect(declared.body.error.code).toBe('SLUICE_E_BODY_TOO_LARGE');

    const chunks = Buffer.from(big);
    const res = await fetch(url, {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: new ReadableStream({
        start(c) {
          for (let i = 0; i < chunks.length; i += 8192) c.enqueue(chunks.subarray(i, i + 8192));
          c.close();
        },
      }),
      duplex: 'half',
    } as RequestInit & { duplex: 'half' });
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe('SLUICE_E_BODY_TOO_LARGE');
    // A small chunked body is fine.
    const small = await fetch(url, {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: new ReadableStream({
        start(c) {
          c.enqueue(new TextEncoder().encode(`{"event":"chunked","session_id":`));
          c.enqueue(new TextEncoder().encode(`"${session}"}`));
          c.close();
        },
      }),
      duplex: 'half',
    } as RequestInit & { duplex: 'half' });
    expect(small.status).toBe(200);
    expect(await storedCount(session)).toBe(1);
  });

  it('more events than allowed in one request is a 413', async () => {
    const key = await freshKey();
    const session = marker('many');
    const events = (n: number) => Array.from({ length: n }, (_, i) => ({ event: 'many', session_id: session, properties: { i } }));
    const json = await postEvents(url, key, JSON.stringify(events(101)));
    expect(json.status).toBe(413);
    expect(json.body.error.code).toBe('SLUICE_E_TOO_MANY_EVENTS');
    const nd = await postEvents(url, key, events(101).map((e) => JSON.stringify(e)).join('\n'), { 'Content-Type': 'application/x-ndjson' });
    expect(nd.status).toBe(413);
    expect(nd.body.error.code).toBe('SLUICE_E_TOO_MANY_EVENTS');
    const segment = await postEvents(`${s.ingestUrl}/v1/batch`, key, JSON.stringify({ batch: events(101).map((e) => ({ type: 'track', ...e })) }));
    expect(segment.status).toBe(413);
    expect(await storedCount(session)).toBe(0);
    const exact = await postEvents(url, key, JSON.stringify(events(100)));
    expect(exact.status).toBe(200);
    expect(exact.body.accepted).toBe(100);
  });

  it('a gzip bomb is a 413; broken gzip is a 400', async () => {
    const key = await freshKey();
    const session = marker('bomb');
    const bomb = gzip(`[${' '.repeat(20 * 1024 * 1024)}{"event":"bomb","session_id":"${session}"}]`);
    expect(bomb.length).toBeLessThan(64 * 1024);
    const r = await postEvents(url, key, bomb, { 'Content-Encoding': 'gzip' });
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe('SLUICE_E_BODY_TOO_LARGE');
    const nd = await postEvents(url, key, gzip(`${JSON.stringify({ event: 'bomb', session_id: session })}\n`.repeat(5000)), { 'Content-Encoding': 'gzip', 'Content-Type': 'application/x-ndjson' });
    expect(nd.status).toBe(413);
    const broken = await postEvents(url, key, Buffer.from('this is not gzip'), { 'Content-Encoding': 'gzip' });
    expect(broken.status).toBe(400);
    expect(broken.body.error.message).toMatch(/gzip/);
    expect(await storedCount(session)).toBe(0);
  });

  it('an unknown Content-Type or Content-Encoding is a 415', async () => {
    const key = await freshKey();
    const body = JSON.stringify({ event: 'x' });
    for (const type of ['application/xml', 'text/csv', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded']) {
      const r = await postEvents(url, key, body, { 'Content-Type': type });
      expect(r.status, type).toBe(415);
      expect(r.body.error.code).toBe('SLUICE_E_UNSUPPORTED_TYPE');
    }
    for (const encoding of ['br', 'deflate', 'compress', 'gzip, gzip']) {
      const r = await postEvents(url, key, body, { 'Content-Encoding': encoding });
      expect(r.status, encoding).toBe(415);
      expect(r.body.error.code).toBe('SLUICE_E_UNSUPPORTED_TYPE');
    }
  });
});

describe('keys and rate limits', () => {
  it('a missing or bad key is a 401, a read key a 403', async () => {
    const body = JSON.stringify({ event: 'x' });
    const none = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    expect(none.status).toBe(401);
    expect((await none.json()).error.code).toBe('SLUICE_E_UNAUTHORIZED');
    for (const auth of ['Bearer ', 'Bearer slw_nope', `Bearer ${'k'.repeat(5000)}`, 'Token abc', `Basic ${Buffer.from('slw_nope:').toString('base64')}`, 'Basic %%%']) {
      const r = await postEvents(url, '', body, { Authorization: auth });
      expect(r.status, auth).toBe(401);
      expect(r.body.error.code).toBe('SLUICE_E_UNAUTHORIZED');
    }
    const read = await postEvents(url, s.readKey, body);
    expect(read.status).toBe(403);
    expect(read.body.error.code).toBe('SLUICE_E_FORBIDDEN');
    const readBasic = await postEvents(url, '', body, { Authorization: `Basic ${Buffer.from(`${s.readKey}:`).toString('base64')}` });
    expect(readBasic.status).toBe(403);
    const readPosthog = await postEvents(`${s.ingestUrl}/batch/`, '', JSON.stringify({ api_key: s.readKey, batch: [{ event: 'x', distinct_id: 'u' }] }), { Authorization: '' });
    expect(readPosthog.status).toBe(403);
  });

  it('a flood past the rate limit gets 429 with Retry-After and RateLimit-* headers, and passes again later', async () => {
    const key = await freshKey();
    const session = marker('flood');
    const body = JSON.stringify(Array.from({ length: 100 }, (_, i) => ({ event: 'flood', session_id: session, properties: { i } })));
    let limited: Awaited<ReturnType<typeof postEvents>> | null = null;
    let accepted = 0;
    for (let i = 0; i < 40 && !limited; i++) {
      const r = await postEvents(`${url}?ack=spooled`, key, body);
      if (r.status === 429) limited = r;
      else {
        expect(r.status).toBe(200);
        expect(r.headers.get('ratelimit-limit')).toBe('200');
        expect(Number(r.headers.get('ratelimit-remaining'))).toBeLessThan(200);
        accepted += r.body.accepted as number;
      }
    }
    expect(limited, 'no 429 within 40 requests').not.toBeNull();
    const h = limited!.headers;
    expect(limited!.body.error.code).toBe('SLUICE_E_RATE_LIMITED');
    const retryAfter = Number(h.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(h.get('ratelimit-limit')).toBe('200');
    expect(h.get('ratelimit-remaining')).toBe('0');
    expect(Number(h.get('ratelimit-reset'))).toBeGreaterThanOrEqual(1);
    // Another key is not limited by this one.
    expect((await postEvents(url, await freshKey(), JSON.stringify({ event: 'flood', session_id: session }))).status).toBe(200);

    await new Promise((r) => setTimeout(r, retryAfter * 1000 + 100));
    const again = await postEvents(url, key, JSON.stringify({ event: 'flood', session_id: session }));
    expect(again.status).toBe(200);
    const total = await poll(() => storedCount(session), (n) => n === accepted + 2);
    expect(total).toBe(accepted + 2);
  });
});

describe('afterwards', () => {
  it('the server is healthy, stores a valid event, and every rejected event is in sluice.rejects', async () => {
    expect((await fetch(`${s.ingestUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${s.ingestUrl}/readyz`)).status).toBe(200);
    const session = marker('final');
    const r = await postEvents(url, await freshKey(), JSON.stringify({ event: 'order', session_id: session, properties: { order_id: 'o', revenue: 1, currency: 'EUR' } }));
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    expect(await storedCount(session)).toBe(1);

    expect(expectedRejects.length).toBeGreaterThan(10);
    const counts = async () =>
      Promise.all(
        expectedRejects.map(async (e) => {
          const [row] = await s.store.rows<{ n: string | number }>(
            `SELECT count() AS n FROM sluice.rejects WHERE position(raw, {t:String}) > 0 AND reason = {r:String} AND project_id = 'default'`,
            { t: e.text, r: e.reason },
          );
          return Number(row.n);
        }),
      );
    const got = await poll(counts, (c) => c.every((n, i) => n >= expectedRejects[i].count), 20_000);
    expect(got.map((n, i) => ({ ...expectedRejects[i], got: n }))).toEqual(expectedRejects.map((e) => ({ ...e, got: e.count })));
  });
});
