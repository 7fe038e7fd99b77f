import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LIVE_CHANNEL, LiveBus, type Landed } from '../core/live-bus.js';
import { createLogger } from '../core/logger.js';
import { createProjectWithKey } from './helpers/admin.js';
import { startRedis, type RedisHandle } from './helpers/redis.js';
import { postEvents, spawnSluice, startInProcess, type Child, type InProcess } from './helpers/sluice.js';
import { until } from './helpers/until.js';
import { connectWs, type WsClient } from './helpers/ws-client.js';

// Live subscriptions against a real embedded ClickHouse; events go through the real ingest
// endpoint and are stored before it answers. Time is only ever waited for, never asserted on.
const INTERVAL_MS = 500;
// One interval, the feed's coalescing and a re-query, with room for a loaded machine.
const QUIET_MS = INTERVAL_MS * 4 + 1000;

let s: InProcess;
const open: WsClient[] = [];

beforeAll(async () => {
  // A small bound on unsent bytes, so that a client that stops reading is closed soon.
  s = await startInProcess({ liveIntervalMs: `${INTERVAL_MS}ms`, wsMaxBackpressureBytes: '256KiB' });
});
afterEach(async () => {
  for (const c of open.splice(0)) await c.close().catch(() => undefined);
});
afterAll(async () => {
  await s?.stop();
});

interface Frame {
  type: 'result' | 'error';
  id: string | null;
  answer?: { columns: { name: string }[]; rows: unknown[][]; meta: Record<string, unknown> };
  error?: { code: string; message: string; problems?: { path: string; message: string }[] };
}

const liveUrl = (base: string, query = '') => `${base.replace(/^http/, 'ws')}/api/v1/live${query}`;

async function connect(query = '', headers: Record<string, string> = { Authorization: `Bearer ${s.readKey}` }, base = s.queryUrl): Promise<WsClient> {
  const c = await connectWs(liveUrl(base, query), headers);
  open.push(c);
  return c;
}

const frames = (c: WsClient, id?: string | null, type?: Frame['type']): Frame[] =>
  (c.acks as unknown as Frame[]).filter((f) => (id === undefined || f.id === id) && (type === undefined || f.type === type));
const results = (c: WsClient, id: string) => frames(c, id, 'result');

/** Sum of the `count` column of an answer. */
function total(f: Frame): number {
  const col = f.answer!.columns.findIndex((c) => c.name === 'count');
  return f.answer!.rows.reduce((n, row) => n + Number(row[col]), 0);
}

async function waitFrame(c: WsClient, pick: (fs: Frame[]) => Frame | undefined, what: string, timeoutMs = 30_000): Promise<Frame> {
  return until(() => pick(c.acks as unknown as Frame[]), () => `${what}; frames so far: ${JSON.stringify(c.acks).slice(0, 800)}`, timeoutMs, 20);
}

const countQuery = (event: string) => ({ kind: 'timeseries', event, range: '1h', interval: '1m', aggregations: ['count'] });

async function ingest(event: string, n: number, key = s.writeKey, base = s.ingestUrl): Promise<void> {
  const res = await postEvents(`${base}/v1/events?ack=stored`, key, JSON.stringify(Array.from({ length: n }, (_, i) => ({ event, user_id: `u${i}` }))));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body.accepted).toBe(n);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const unique = (name: string) => `${name}_${randomUUID().slice(0, 8)}`;

describe('live queries: results', () => {
  it('answers at once, then again with the new count after events land', async () => {
    const event = unique('live_count');
    const c = await connect();
    c.send({ type: 'subscribe', id: 'q1', query: countQuery(event) });
    const first = await waitFrame(c, (fs) => fs.find((f) => f.id === 'q1' && f.type === 'result'), 'the first result');
    expect(total(first)).toBe(0);
    expect(first.answer!.columns.map((col) => col.name)).toEqual(['time', 'count']);

    await ingest(event, 7);
    const fresh = await waitFrame(c, (fs) => fs.find((f) => f.id === 'q1' && f.type === 'result' && total(f) === 7), 'a result counting 7 events');
    expect(fresh.answer!.meta.cache).toBe('miss');
    expect(frames(c, 'q1', 'error')).toEqual([]);

    await ingest(event, 3);
    await waitFrame(c, (fs) => fs.find((f) => f.id === 'q1' && f.type === 'result' && total(f) === 10), 'a result counting 10 events');
  });

  it('does not re-query for events of another project or another event', async () => {
    const event = unique('live_quiet');
    const project = unique('live_other').toLowerCase();
    const otherKey = await createProjectWithKey(s.queryUrl, project);
    const c = await connect();
    c.send({ type: 'subscribe', id: 'q', query: countQuery(event) });
    await waitFrame(c, (fs) => fs.find((f) => f.id === 'q' && f.type === 'result'), 'the first result');

    await ingest(event, 5, otherKey); // same event name, other project
    await ingest(unique('live_unrelated'), 5); // same project, other event
    await sleep(QUIET_MS);
    expect(results(c, 'q')).toHaveLength(1);

    // The feed works: the subscription's own events do cause a re-query.
    await ingest(event, 2);
    const fresh = await waitFrame(c, (fs) => fs.find((f) => f.id === 'q' && f.type === 'result' && total(f) === 2), 'a result counting 2 events');
    expect(results(c, 'q').indexOf(fresh)).toBe(1);
  });

  it('re-queries a funnel when one of its step events lands, and kind events without event on any event', async () => {
    const [a, b] = [unique('live_step_a'), unique('live_step_b')];
    const c = await connect();
    c.send({ type: 'subscribe', id: 'funnel', query: { kind: 'funnel', steps: [{ event: a }, { event: b }], range: '24h' } });
    c.send({ type: 'subscribe', id: 'raw', query: { kind: 'events', range: '1h', limit: 5 } });
    await waitFrame(c, (fs) => (results(c, 'funnel').length >= 1 && results(c, 'raw').length >= 1 ? fs[0] : undefined), 'both first results');

    await ingest(b, 1);
    const funnel = await waitFrame(c, () => results(c, 'funnel')[1], 'a funnel re-query');
    const users = funnel.answer!.columns.findIndex((col) => col.name === 'users');
    expect(funnel.answer!.rows.map((r) => r[users])).toEqual([0, 0]); // b without a converts no one
    const raw = await waitFrame(c, () => results(c, 'raw')[1], 'an events re-query');
    const name = raw.answer!.columns.findIndex((col) => col.name === 'event');
    expect(raw.answer!.rows.map((r) => r[name])).toContain(b);
  });

  it('a burst of 20 ingests within one interval causes at most 2 re-queries', async () => {
    const event = unique('live_burst');
    const c = await connect();
    c.send({ type: 'subscribe', id: 'b', query: countQuery(event), interval: '5s' });
    await waitFrame(c, (fs) => fs.find((f) => f.id === 'b' && f.type === 'result'), 'the first result');

    for (let i = 0; i < 20; i++) await ingest(event, 1);
    await waitFrame(c, (fs) => fs.find((f) => f.id === 'b' && f.type === 'result' && total(f) === 20), 'a result counting all 20 events', 60_000);
    await sleep(5000 + QUIET_MS); // a trailing re-query would come within one more interval
    const requeries = results(c, 'b').length - 1;
    expect(requeries).toBeGreaterThanOrEqual(1);
    expect(requeries).toBeLessThanOrEqual(2);
    expect(total(results(c, 'b').at(-1)!)).toBe(20);
  });
});

describe('live queries: many at once', () => {
  it('subscriptions beyond the caller\'s concurrent-query limit still get their first answer soon, not an interval later', async () => {
    const event = unique('many');
    await ingest(event, 3);
    const c = await connect();
    // 12 at once against SLUICE_QUERY_MAX_CONCURRENT (4): the rest are refused by the gate at
    // first and must be tried again shortly; with a one-hour interval, waiting for the next
    // interval would mean no answer within this test.
    const ids = Array.from({ length: 12 }, (_, i) => `m${i}`);
    for (const id of ids) c.send({ type: 'subscribe', id, query: countQuery(event), interval: '1h' });
    await until(() => ids.every((id) => results(c, id).length === 1) || undefined, () => `first answers: ${ids.map((id) => results(c, id).length).join(',')}`, 30_000, 50);
    for (const id of ids) expect(total(results(c, id)[0])).toBe(3);
    expect(frames(c, undefined, 'error')).toEqual([]);
  });
});

describe('live queries: protocol errors', () => {
  it('answers a bad query with an error naming the problem, and the socket stays usable', async () => {
    const c = await connect();
    c.send({ type: 'subscribe', id: 'bad', query: { kind: 'timeseries', aggregations: ['p95'] } });
    const err = await waitFrame(c, (fs) => fs.find((f) => f.id === 'bad'), 'an error frame');
    expect(err.type).toBe('error');
    expect(err.error!.code).toBe('SLUICE_E_BAD_QUERY');
    expect(err.error!.problems).toEqual(expect.arrayContaining([
      expect.objectContaining({ path: '/event' }),
      expect.objectContaining({ path: '/aggregations/0', message: expect.stringContaining('measure') }),
    ]));

    c.send('{not json');
    c.send({ type: 'subscribe', id: 'slow', query: countQuery('x'), interval: 'soon' });
    c.send({ type: 'watch', id: 'w' });
    c.send({ type: 'unsubscribe', id: 'never' });
    await waitFrame(c, (fs) => (fs.length >= 5 ? fs[4] : undefined), 'four more error frames');
    expect(frames(c, null, 'error')[0].error!.code).toBe('SLUICE_E_BAD_REQUEST');
    expect(frames(c, 'slow')[0].error!.message).toContain('interval');
    expect(frames(c, 'w')[0].error!.code).toBe('SLUICE_E_BAD_REQUEST');
    expect(frames(c, 'never')[0].error!.code).toBe('SLUICE_E_NOT_FOUND');
    expect(s.sluice.live!.stats().subscriptions).toBe(0);

    c.send({ type: 'subscribe', id: 'good', query: countQuery(unique('live_after_error')) });
    const ok = await waitFrame(c, (fs) => fs.find((f) => f.id === 'good'), 'a result after the errors');
    expect(ok.type).toBe('result');
  });

  it('allows at most 50 subscriptions per connection', async () => {
    const c = await connect();
    for (let i = 0; i < 51; i++) c.send({ type: 'subscribe', id: `s${i}`, query: countQuery(unique('live_many')), interval: '1m' });
    const refused = await waitFrame(c, (fs) => fs.find((f) => f.id === 's50'), 'an answer to the 51st');
    expect(refused.type).toBe('error');
    expect(refused.error!.message).toContain('50');
    expect(s.sluice.live!.stats().subscriptions).toBe(50);
  });
});

describe('live queries: a client that does not read', () => {
  it('is closed once its unsent answers pass the bound', async () => {
    const event = unique('live_unread');
    const c = await connect();
    // About 1 MB per answer: a minute bucket for every minute of 30 days.
    for (let i = 0; i < 20; i++) c.send({ type: 'subscribe', id: `big${i}`, query: { kind: 'timeseries', event, range: '30d', interval: '1m' } });
    await until(() => s.sluice.live!.stats().subscriptions === 20, '20 subscriptions', 10_000, 20);
    (c.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const gone = async () => {
      if (s.sluice.live!.stats().sockets === 0) return true;
      await ingest(event, 1); // more answers to send
      return false;
    };
    await until(gone, () => `the socket closed: ${JSON.stringify(s.sluice.live!.stats())}`, 90_000, 200);
    expect(s.sluice.live!.stats()).toEqual({ sockets: 0, subscriptions: 0, timers: 0 });
    c.ws.terminate(); // a paused client would wait out the closing handshake
  });
});

describe('live queries: access', () => {
  it('refuses the upgrade without a key (401) or with a write key (403)', async () => {
    await expect(connect('', {})).rejects.toMatchObject({ status: 401 });
    await expect(connect('', { Authorization: `Bearer ${s.writeKey}` })).rejects.toMatchObject({ status: 403 });
    await expect(connect(`?key=${encodeURIComponent(s.writeKey)}`, {})).rejects.toMatchObject({ status: 403 });
    await expect(connect(`?key=${encodeURIComponent(s.readKey)}&project=someone-else`, {})).rejects.toMatchObject({ status: 403 });
    const plain = await fetch(`${s.queryUrl}/api/v1/live`, { headers: { Authorization: `Bearer ${s.readKey}` } });
    expect(plain.status).toBe(400);
    expect(((await plain.json()) as Frame).error!.message).toContain('WebSocket');
  });

  it('takes the read key as ?key= or ?token=', async () => {
    for (const param of ['key', 'token']) {
      const c = await connect(`?${param}=${encodeURIComponent(s.readKey)}&project=default`, {});
      c.send({ type: 'subscribe', id: param, query: countQuery('live_auth') });
      expect((await waitFrame(c, (fs) => fs.find((f) => f.id === param), `a result over ?${param}=`)).type).toBe('result');
    }
  });
});

describe('live queries: nothing is left behind', () => {
  const idle = () => {
    const st = s.sluice.live!.stats();
    return st.sockets === 0 && st.subscriptions === 0 && st.timers === 0 && s.sluice.bus.listenerCount === 0 ? st : undefined;
  };

  it('unsubscribe and close free subscriptions, timers and the feed listener', async () => {
    await until(idle, () => `idle before the test: ${JSON.stringify(s.sluice.live!.stats())}`, 10_000, 20);
    const event = unique('live_cleanup');
    const c = await connect();
    for (const id of ['a', 'b', 'c']) c.send({ type: 'subscribe', id, query: countQuery(event), interval: '30s' });
    await waitFrame(c, () => (['a', 'b', 'c'].every((id) => results(c, id).length > 0) ? results(c, 'c')[0] : undefined), 'three first results');
    expect(s.sluice.live!.stats()).toEqual({ sockets: 1, subscriptions: 3, timers: 0 });
    expect(s.sluice.bus.listenerCount).toBe(1);

    // Events land: each subscription now waits out its 30 s interval on a timer.
    await ingest(event, 1);
    await until(() => s.sluice.live!.stats().timers === 3, () => `three timers: ${JSON.stringify(s.sluice.live!.stats())}`, 10_000, 20);

    c.send({ type: 'unsubscribe', id: 'a' });
    await until(() => s.sluice.live!.stats().subscriptions === 2, 'two subscriptions after unsubscribe', 10_000, 20);
    expect(s.sluice.live!.stats().timers).toBe(2);

    await c.close();
    await until(idle, () => `idle after close: ${JSON.stringify(s.sluice.live!.stats())}`, 10_000, 20);
  });

  it('unsubscribing the last subscription frees everything but the socket', async () => {
    const c = await connect();
    c.send({ type: 'subscribe', id: 'only', query: countQuery(unique('live_unsub')) });
    await waitFrame(c, (fs) => fs.find((f) => f.id === 'only'), 'the first result');
    c.send({ type: 'unsubscribe', id: 'only' });
    await until(() => s.sluice.live!.stats().subscriptions === 0, 'no subscriptions', 10_000, 20);
    expect(s.sluice.live!.stats()).toEqual({ sockets: 1, subscriptions: 0, timers: 0 });
    expect(s.sluice.bus.listenerCount).toBe(0);
  });
});

describe('live feed over Redis', () => {
  let redis: RedisHandle;
  const clients: Redis[] = [];
  const buses: LiveBus[] = [];
  const log = createLogger('silent');
  const client = () => {
    const r = new Redis(redis.url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: 1000 });
    r.on('error', () => undefined);
    clients.push(r);
    return r;
  };
  /** Every message on the channel, as the wire carries it. */
  async function tap(): Promise<{ p: Record<string, string[]>; t: number }[]> {
    const seen: { p: Record<string, string[]>; t: number }[] = [];
    const r = new Redis(redis.url);
    r.on('error', () => undefined);
    clients.push(r);
    r.on('message', (_channel: string, text: string) => seen.push(JSON.parse(text)));
    await r.subscribe(LIVE_CHANNEL);
    return seen;
  }

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    for (const b of buses) await b.close();
    for (const r of clients) r.disconnect();
    await redis?.stop();
  });

  it('carries one process bus to another, coalesced', async () => {
    const [a, b] = [new LiveBus(log, client()), new LiveBus(log, client())];
    buses.push(a, b);
    const atA: Landed[] = [];
    const atB: Landed[] = [];
    a.subscribe((l) => atA.push(l));
    b.subscribe((l) => atB.push(l));
    const wire = await tap();
    await until(async () => (await clients[0].pubsub('NUMSUB', LIVE_CHANNEL))[1] === 3 || undefined, 'both buses and the tap subscribed', 10_000, 20);

    // Many commits in a moment: one message.
    for (let i = 0; i < 50; i++) a.publish('p1', ['order']);
    a.publish('p2', ['ticket', 'order']);
    await until(() => atB.length >= 1, 'delivery to the other bus', 10_000, 20);
    expect(atB[0]).toEqual({ p1: ['order'], p2: ['ticket', 'order'] });
    await until(() => wire.length >= 1, 'the message on the wire', 10_000, 20);
    expect(wire[0]).toMatchObject({ p: { p1: ['order'], p2: ['ticket', 'order'] }, t: expect.any(Number) });

    // Commits spread over ~1.5 s: at most one message per 250 ms, nothing lost.
    const started = Date.now();
    for (let i = 0; i < 60; i++) {
      a.publish('p3', [`e${i}`]);
      await sleep(25);
    }
    const spreadMs = Date.now() - started;
    await until(() => atB.flatMap((l) => l.p3 ?? []).length === 60 || undefined, 'all 60 events at the other bus', 10_000, 20);
    const spreadMessages = atB.filter((l) => l.p3).length;
    expect(spreadMessages).toBeLessThanOrEqual(Math.ceil(spreadMs / 250) + 1);
    expect(spreadMessages).toBeLessThan(60);
    // The publishing process heard its own changes once each, not again through Redis.
    await sleep(300);
    expect(atA).toEqual(atB);
    expect(wire).toHaveLength(atB.length);
  });

  it('a commit in one Sluice process re-queries a live subscription held by another', async () => {
    const wire = await tap();
    let x: Child | undefined;
    let y: Child | undefined;
    try {
      const env = { REDIS_URL: redis.url, SLUICE_LIVE_INTERVAL: `${INTERVAL_MS}ms` };
      [x, y] = await Promise.all([spawnSluice({ env }), spawnSluice({ env })]);
      const event = unique('live_cross');
      const c = await connect('', { Authorization: `Bearer ${y.readKey}` }, y.queryUrl!);
      c.send({ type: 'subscribe', id: 'cross', query: countQuery(event) });
      await waitFrame(c, () => results(c, 'cross')[0], 'the first result at Y');

      await ingest(event, 4, x.writeKey, x.ingestUrl);
      // Y re-queries its own store: it has its own embedded ClickHouse, so the count there stays 0.
      // Instances sharing a ClickHouse server would see the 4 events in this answer.
      const again = await waitFrame(c, () => results(c, 'cross')[1], 'a re-query at Y after a commit at X');
      expect(total(again)).toBe(0);
      await until(() => wire.find((m) => m.p.default?.includes(event)), 'the commit on the wire', 10_000, 20);
    } finally {
      await Promise.all([x?.kill(), y?.kill()]);
    }
  });
});
