import { randomUUID } from 'node:crypto';
import uWS from 'uWebSockets.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../core/config.js';
import { closeListen, listen } from '../core/http-util.js';
import type { KeyRecord } from '../core/keys.js';
import { createMetrics } from '../core/metrics.js';
import { RateLimiter } from '../core/rate-limit.js';
import type { IngestRequest } from '../ingest/pipeline.js';
import { registerWebSocket } from '../ingest/ws.js';
import { startInProcess, type InProcess } from './helpers/sluice.js';
import { until } from './helpers/until.js';
import { connectWs, wsUrl, type Ack, type WsClient } from './helpers/ws-client.js';

let s: InProcess;
const open: WsClient[] = [];

beforeAll(async () => {
  s = await startInProcess();
});
afterAll(async () => {
  for (const c of open) await c.close().catch(() => undefined);
  await s?.stop();
});

async function connect(query = '', headers: Record<string, string> = { Authorization: `Bearer ${s.writeKey}` }): Promise<WsClient> {
  const c = await connectWs(wsUrl(s.ingestUrl, query), headers);
  open.push(c);
  return c;
}

async function stored(where: string, params: Record<string, unknown> = {}): Promise<number> {
  const rows = await s.store.rows<{ n: string }>(`SELECT count() AS n FROM sluice.events WHERE ${where}`, params);
  return Number(rows[0].n);
}

describe('WebSocket ingest: connecting', () => {
  it('accepts the key in the Authorization header', async () => {
    const c = await connect();
    c.send({ event: 'ws_auth_header' });
    const [ack] = await c.waitAcks(1);
    expect(ack).toEqual({ seq: 1, accepted: 1, duplicates: 0, rejected: [] });
    expect(await stored(`event = 'ws_auth_header' AND source = 'ws'`)).toBe(1);
  });

  it('accepts the key as ?key=', async () => {
    const c = await connect(`?key=${encodeURIComponent(s.writeKey)}`, {});
    c.send({ event: 'ws_auth_query' });
    const [ack] = await c.waitAcks(1);
    expect(ack).toEqual({ seq: 1, accepted: 1, duplicates: 0, rejected: [] });
    expect(await stored(`event = 'ws_auth_query'`)).toBe(1);
  });

  it('refuses a bad key at upgrade with 401', async () => {
    const err = await connect('', { Authorization: 'Bearer sk_not_a_real_key' }).then(
      () => null,
      (e: { status?: number; body?: string }) => e,
    );
    expect(err?.status).toBe(401);
    expect(JSON.parse(err!.body!).error.code).toBe('SLUICE_E_UNAUTHORIZED');

    const noKey = await connect('', {}).then(
      () => null,
      (e: { status?: number }) => e,
    );
    expect(noKey?.status).toBe(401);
  });

  it('refuses a read key at upgrade with 403', async () => {
    const err = await connect(`?key=${encodeURIComponent(s.readKey)}`, {}).then(
      () => null,
      (e: { status?: number }) => e,
    );
    expect(err?.status).toBe(403);
  });

  it('refuses an unknown ack mode at upgrade with 400', async () => {
    const err = await connect('?ack=later').then(
      () => null,
      (e: { status?: number }) => e,
    );
    expect(err?.status).toBe(400);
  });
});

describe('WebSocket ingest: frames', () => {
  it('answers every frame shape, echoing seq or numbering frames', async () => {
    const c = await connect();
    c.send({ event: 'ws_shape', properties: { shape: 'object' } });
    c.send([
      { event: 'ws_shape', properties: { shape: 'array' } },
      { event: 'ws_shape', properties: { shape: 'array' } },
    ]);
    c.send('{"event":"ws_shape","properties":{"shape":"ndjson"}}\n{"event":"ws_shape","properties":{"shape":"ndjson"}}\n{"event":"ws_shape","properties":{"shape":"ndjson"}}\n');
    c.send({ seq: 7, events: [1, 2, 3, 4].map(() => ({ event: 'ws_shape', properties: { shape: 'seq' } })) });
    c.send({ events: [{ event: 'ws_shape', properties: { shape: 'no_seq' } }] });
    const acks = await c.waitAcks(5);
    expect(acks).toEqual([
      { seq: 1, accepted: 1, duplicates: 0, rejected: [] },
      { seq: 2, accepted: 2, duplicates: 0, rejected: [] },
      { seq: 3, accepted: 3, duplicates: 0, rejected: [] },
      { seq: 7, accepted: 4, duplicates: 0, rejected: [] },
      { seq: 5, accepted: 1, duplicates: 0, rejected: [] },
    ]);
    const rows = await s.store.rows<{ shape: string; n: string }>(
      `SELECT toString(properties.shape) AS shape, count() AS n FROM sluice.events WHERE event = 'ws_shape' GROUP BY shape ORDER BY shape`,
    );
    expect(rows.map((r) => [r.shape, Number(r.n)])).toEqual([
      ['array', 2],
      ['ndjson', 3],
      ['no_seq', 1],
      ['object', 1],
      ['seq', 4],
    ]);
  });

  it('answers the index and paths of a bad event and stores its neighbours', async () => {
    const c = await connect();
    c.send({
      seq: 1,
      events: [
        { event: 'ws_bad_frame', user_id: 'a' },
        { event: 'ws_bad_frame', user_id: 'b', timestamp: 'yesterday' },
        { event: 'ws_bad_frame', user_id: 'c' },
        { event: 'ws_bad_frame', user_id: 'd', extra: true },
      ],
    });
    const [ack] = await c.waitAcks(1);
    expect(ack.seq).toBe(1);
    expect(ack.accepted).toBe(2);
    expect(ack.duplicates).toBe(0);
    expect(ack.rejected!.map((r) => r.index)).toEqual([1, 3]);
    expect(ack.rejected![0].errors.map((e) => e.path)).toContain('/timestamp');
    expect(ack.rejected![1].errors.length).toBeGreaterThan(0);
    const users = await s.store.rows<{ user_id: string }>(`SELECT user_id FROM sluice.events WHERE event = 'ws_bad_frame' ORDER BY user_id`);
    expect(users.map((r) => r.user_id)).toEqual(['a', 'c']);
  });

  it('answers an unreadable frame with an error and keeps the connection', async () => {
    const c = await connect();
    c.send('this is not json');
    c.send({ event: 'ws_after_garbage' });
    const acks = await c.waitAcks(2);
    expect(acks[0].seq).toBe(1);
    expect(acks[0].error?.code).toBe('SLUICE_E_BAD_REQUEST');
    expect(acks[1]).toEqual({ seq: 2, accepted: 1, duplicates: 0, rejected: [] });
  });

  it('deduplicates an event_id repeated in a later frame', async () => {
    const c = await connect();
    const id = randomUUID();
    c.send({ seq: 1, events: [{ event: 'ws_dedup', event_id: id }] });
    c.send({ seq: 2, events: [{ event: 'ws_dedup', event_id: id }, { event: 'ws_dedup' }] });
    const acks = await c.waitAcks(2);
    expect(acks).toEqual([
      { seq: 1, accepted: 1, duplicates: 0, rejected: [] },
      { seq: 2, accepted: 1, duplicates: 1, rejected: [] },
    ]);
    expect(await stored(`event_id = {id:UUID}`, { id })).toBe(1);
    expect(await stored(`event = 'ws_dedup'`)).toBe(2);
  });

  it('with ?ack=spooled answers once spooled and stores the events', async () => {
    const c = await connect(`?ack=spooled&key=${encodeURIComponent(s.writeKey)}`, {});
    c.send({ seq: 3, events: Array.from({ length: 50 }, (_, i) => ({ event: 'ws_spooled', properties: { i } })) });
    const [ack] = await c.waitAcks(1);
    expect(ack).toEqual({ seq: 3, accepted: 50, duplicates: 0, rejected: [] });
    await until(async () => (await stored(`event = 'ws_spooled'`)) === 50, 'spooled events stored');
    expect(await stored(`event = 'ws_spooled'`)).toBe(50);
  });
});

describe('WebSocket ingest: a client that floods', () => {
  it('answers every frame, drops none, and the server stays responsive', async () => {
    const FRAMES = 300;
    const PER_FRAME = 200;
    const pad = 'x'.repeat(40);
    const flood = await connect();
    for (let f = 0; f < FRAMES; f++) {
      flood.send({ seq: f, events: Array.from({ length: PER_FRAME }, (_, i) => ({ event: 'ws_flood', user_id: `u${i % 17}`, properties: { f, i, pad } })) });
    }

    // While the flood is being worked through, health checks and another client are answered.
    const health: { status: number; floodAcks: number }[] = [];
    const other = await connect();
    other.send({ event: 'ws_flood_neighbour' });
    while (flood.acks.length < FRAMES) {
      const status = await fetch(`${s.ingestUrl}/healthz`).then((r) => r.status, () => 0);
      health.push({ status, floodAcks: flood.acks.length });
      await new Promise((r) => setTimeout(r, 50));
      if (health.length > 6000) break; // bounded: at most ~5 minutes
    }
    const acks = await flood.waitAcks(FRAMES, 120_000);
    expect(acks.length).toBe(FRAMES);
    expect(acks.map((a) => a.seq)).toEqual(Array.from({ length: FRAMES }, (_, f) => f));
    expect(acks.every((a: Ack) => a.accepted === PER_FRAME && a.duplicates === 0 && a.rejected?.length === 0)).toBe(true);
    expect(await stored(`event = 'ws_flood'`)).toBe(FRAMES * PER_FRAME);
    const perFrame = await s.store.rows<{ n: string; frames: string }>(
      `SELECT count() AS n, uniqExact(toString(properties.f)) AS frames FROM sluice.events WHERE event = 'ws_flood'`,
    );
    expect(Number(perFrame[0].frames)).toBe(FRAMES);

    const [neighbour] = await other.waitAcks(1);
    expect(neighbour).toEqual({ seq: 1, accepted: 1, duplicates: 0, rejected: [] });
    expect(health.length).toBeGreaterThan(0);
    expect(health.filter((h) => h.floodAcks < FRAMES).every((h) => h.status === 200)).toBe(true);
  });
});

describe('WebSocket backpressure (the endpoint alone, its pipeline held)', () => {
  it('stops reading a socket whose frames pile up, and reads on once they are answered', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const calls: number[] = [];
    const app = uWS.App();
    registerWebSocket(app, '/v1/ws', {
      config: loadConfig({}, { maxBodyBytes: '1MiB' }),
      metrics: createMetrics(),
      limiter: new RateLimiter(0, 1),
      authenticate: async (): Promise<KeyRecord> => ({ id: 'k1', project_id: 'default', kind: 'write' }),
      pipeline: {
        ingest: async (req: IngestRequest) => {
          calls.push(req.items.length);
          await gate;
          return { accepted: req.items.length, duplicates: 0, rejected: [] };
        },
        close: () => undefined,
      },
    });
    const l = await listen(app, '127.0.0.1', 0);
    try {
      const c = await connectWs(`ws://127.0.0.1:${l.port}/v1/ws`, { Authorization: 'Bearer k' });
      open.push(c);
      const FRAMES = 200;
      const frame = JSON.stringify({ events: [{ event: 'bp', properties: { pad: 'p'.repeat(256 * 1024) } }] });
      for (let i = 0; i < FRAMES; i++) c.send(frame);
      const total = FRAMES * frame.length;

      // Wait until the server stops taking bytes: with the pipeline held, a server that keeps
      // reading would take all of them.
      let last = -1;
      let steady = 0;
      await until(() => {
        const buffered = c.ws.bufferedAmount;
        steady = buffered === last ? steady + 1 : 0;
        last = buffered;
        return buffered === 0 || steady >= 10;
      }, 'the client send buffer to settle', 60_000, 100);
      expect(c.acks.length).toBe(0);
      expect(calls.length).toBeLessThanOrEqual(16);
      // The kernel buffers a few MB; everything else stays with the client.
      expect(c.ws.bufferedAmount).toBeGreaterThan(total / 2);

      release();
      const acks = await c.waitAcks(FRAMES, 60_000);
      expect(acks.map((a) => a.seq)).toEqual(Array.from({ length: FRAMES }, (_, i) => i + 1));
      expect(acks.every((a) => a.accepted === 1)).toBe(true);
      expect(calls.length).toBe(FRAMES);
      expect(c.ws.bufferedAmount).toBe(0);
    } finally {
      closeListen(l);
    }
  });
});
