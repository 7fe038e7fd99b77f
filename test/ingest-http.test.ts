// HTTP ingestion end to end: body formats, acks, partial batches and the rejects table,
// rollups against a computation done here, metrics, health, and keys through the admin API.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROPERTY_VALUES_SAMPLE_FILTER, PROPERTY_VALUES_SAMPLING } from '../schema/property-values-sql.js';
import { METRICS } from '../schema/metrics.js';
import { admin, gzip, metricValue, percentileLinear, pick, poll, prng, scrape } from './helpers/ingest-checks.js';
import { postEvents, startInProcess, type InProcess } from './helpers/sluice.js';

let s: InProcess;
beforeAll(async () => {
  s = await startInProcess();
});
afterAll(async () => {
  await s?.stop();
});

interface StoredEvent {
  project_id: string;
  event: string;
  event_id: string;
  ts: number;
  received: number;
  user_id: string;
  session_id: string;
  correlation_id: string;
  source: string;
  properties: Record<string, unknown>;
}

/** Stored events of one session (each test marks its events with its own session_id). */
async function eventsOfSession(session: string): Promise<StoredEvent[]> {
  const rows = await s.store.rows<Record<string, string>>(
    `SELECT project_id, event, toString(event_id) AS event_id, toUnixTimestamp64Milli(timestamp) AS ts,
       toUnixTimestamp64Milli(received_at) AS received, user_id, session_id, correlation_id, source,
       toJSONString(properties) AS props
     FROM sluice.events WHERE session_id = {s:String} ORDER BY correlation_id`,
    { s: session },
  );
  return rows.map((r) => ({
    project_id: r.project_id,
    event: r.event,
    event_id: r.event_id,
    ts: Number(r.ts),
    received: Number(r.received),
    user_id: r.user_id,
    session_id: r.session_id,
    correlation_id: r.correlation_id,
    source: r.source,
    properties: JSON.parse(r.props) as Record<string, unknown>,
  }));
}

const marker = (name: string): string => `${name}-${crypto.randomBytes(4).toString('hex')}`;

function orderProps(n: number): Record<string, unknown> {
  return {
    order_id: `o-${n}`,
    revenue: 120.5 + n,
    currency: 'EUR',
    payment_method: 'card',
    category: 'shoes',
    items: [
      { product_id: 'p1', quantity: 2, price: 30.25, tags: ['red', 'sale'] },
      { product_id: 'p2', quantity: 1, price: 60 },
    ],
    meta: { campaign: { id: 'c9', channel: 'email', weights: [0.5, 1.5] }, placed_at: '2026-11-21T10:00:00.123Z', gift: false },
  };
}

function expectUuidV7Near(id: string, from: number, to: number): void {
  expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const ms = parseInt(id.replace(/-/g, '').slice(0, 12), 16);
  expect(ms).toBeGreaterThanOrEqual(from);
  expect(ms).toBeLessThanOrEqual(to);
}

describe('POST /v1/events body formats', () => {
  it('stores one JSON object intact, with the client event_id and an ISO timestamp', async () => {
    const session = marker('single');
    const id = crypto.randomUUID();
    const timestamp = new Date(Date.now() - 2 * 86_400_000).toISOString(); // ms precision, e.g. ...T08:30:00.123Z
    const ev = { event: 'order', timestamp, event_id: id.toUpperCase(), user_id: 'u-single', session_id: session, correlation_id: 'req-1', properties: orderProps(1) };
    const r = await postEvents(`${s.ingestUrl}/v1/events`, s.writeKey, JSON.stringify(ev));
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    const rows = await eventsOfSession(session);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ project_id: 'default', event: 'order', event_id: id, ts: Date.parse(ev.timestamp), user_id: 'u-single', session_id: session, correlation_id: 'req-1', source: 'http' });
    expect(rows[0].properties).toEqual(ev.properties);
  });

  it('stores a JSON array: epoch-ms timestamps kept, missing timestamp = receive time, missing event_id = UUIDv7', async () => {
    const session = marker('array');
    const epoch = Date.now() - 3_600_000 + 7;
    const clientId = crypto.randomUUID();
    const events = [
      { event: 'api_request', timestamp: epoch, event_id: clientId, user_id: 42, session_id: session, correlation_id: 'a0', properties: { endpoint: '/checkout', method: 'POST', status: 201, duration_ms: 12.75, headers: { 'x-trace': ['t1', 't2'] } } },
      { event: 'page_view', user_id: 'u-array', session_id: session, correlation_id: 'a1', properties: { path: '/pricing', duration_ms: 5300, ab: { variant: 'B', seen: [1, 2, 3] } } },
      { event: 'custom_thing', session_id: session, correlation_id: 'a2', properties: { deep: { a: { b: { c: 'x' } } } } },
    ];
    const t0 = Date.now();
    const r = await postEvents(`${s.ingestUrl}/v1/events`, s.writeKey, JSON.stringify(events));
    const t1 = Date.now();
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ accepted: 3, duplicates: 0, rejected: [] });
    const rows = await eventsOfSession(session);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatchObject({ event: 'api_request', ts: epoch, event_id: clientId, user_id: '42', correlation_id: 'a0' });
    expect(rows[0].properties).toEqual(events[0].properties);
    for (const row of rows.slice(1)) {
      expect(row.ts).toBe(row.received);
      expect(row.ts).toBeGreaterThanOrEqual(t0);
      expect(row.ts).toBeLessThanOrEqual(t1);
      expectUuidV7Near(row.event_id, t0, t1);
    }
    expect(rows[1]).toMatchObject({ event: 'page_view', user_id: 'u-array' });
    expect(rows[1].properties).toEqual(events[1].properties);
    expect(rows[2]).toMatchObject({ event: 'custom_thing', user_id: '', correlation_id: 'a2' });
    expect(rows[2].properties).toEqual(events[2].properties);
  });

  it('stores NDJSON, and gzip-encoded JSON and NDJSON', async () => {
    const cases: { name: string; body: (evs: object[]) => string | Buffer; headers: Record<string, string> }[] = [
      { name: 'ndjson', body: (evs) => evs.map((e) => JSON.stringify(e)).join('\n') + '\n', headers: { 'Content-Type': 'application/x-ndjson' } },
      { name: 'gzip-json', body: (evs) => gzip(JSON.stringify(evs)), headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' } },
      { name: 'gzip-ndjson', body: (evs) => gzip(evs.map((e) => JSON.stringify(e)).join('\n')), headers: { 'Content-Type': 'application/x-ndjson', 'Content-Encoding': 'gzip' } },
    ];
    for (const c of cases) {
      const session = marker(c.name);
      const iso = new Date(Date.now() - 5 * 60_000).toISOString();
      const epoch = Date.now() - 10 * 60_000;
      const ids = [crypto.randomUUID(), crypto.randomUUID()];
      const events = [
        { event: 'order', timestamp: iso, event_id: ids[0], user_id: `${c.name}-u1`, session_id: session, correlation_id: 'c0', properties: orderProps(2) },
        { event: 'ticket', timestamp: epoch, event_id: ids[1], user_id: `${c.name}-u2`, session_id: session, correlation_id: 'c1', properties: { ticket_id: 't1', channel: 'chat', agent: 'ana', satisfaction: 4, tags: { lang: 'de', vip: true } } },
        { event: 'booking', user_id: `${c.name}-u3`, session_id: session, correlation_id: 'c2', properties: { booking_id: 'b1', venue_type: 'hotel', value: 410.1, guests: 2 } },
      ];
      const t0 = Date.now();
      const r = await postEvents(`${s.ingestUrl}/v1/events`, s.writeKey, c.body(events), c.headers);
      const t1 = Date.now();
      expect(r.status, c.name).toBe(200);
      expect(r.body, c.name).toEqual({ accepted: 3, duplicates: 0, rejected: [] });
      const rows = await eventsOfSession(session);
      expect(rows, c.name).toHaveLength(3);
      expect(rows[0], c.name).toMatchObject({ event: 'order', ts: Date.parse(iso), event_id: ids[0], user_id: `${c.name}-u1`, correlation_id: 'c0' });
      expect(rows[1], c.name).toMatchObject({ event: 'ticket', ts: epoch, event_id: ids[1], user_id: `${c.name}-u2`, correlation_id: 'c1' });
      expect(rows[2], c.name).toMatchObject({ event: 'booking', user_id: `${c.name}-u3`, correlation_id: 'c2' });
      expectUuidV7Near(rows[2].event_id, t0, t1);
      expect(rows[2].ts).toBe(rows[2].received);
      rows.forEach((row, i) => expect(row.properties, `${c.name} #${i}`).toEqual(events[i].properties));
    }
  });

  it('a repeated client event_id is a duplicate and stored once', async () => {
    const session = marker('dup');
    const ev = { event: 'page_view', event_id: crypto.randomUUID(), session_id: session, properties: { path: '/a' } };
    const first = await postEvents(`${s.ingestUrl}/v1/events`, s.writeKey, JSON.stringify(ev));
    const second = await postEvents(`${s.ingestUrl}/v1/events`, s.writeKey, JSON.stringify([ev, { ...ev, event_id: crypto.randomUUID() }]));
    expect(first.body).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    expect(second.status).toBe(200);
    expect(second.body).toEqual({ accepted: 1, duplicates: 1, rejected: [] });
    expect(await eventsOfSession(session)).toHaveLength(2);
  });
});

describe('acks', () => {
  it('ack=spooled answers before the insert; the event is stored shortly after', async () => {
    const session = marker('spooled');
    const r = await postEvents(`${s.ingestUrl}/v1/events?ack=spooled`, s.writeKey, JSON.stringify({ event: 'page_view', session_id: session, properties: { path: '/spooled' } }));
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    const rows = await poll(() => eventsOfSession(session), (x) => x.length === 1);
    expect(rows).toHaveLength(1);
    expect(rows[0].properties).toEqual({ path: '/spooled' });
  });

  it('ack=bogus is a 400 and stores nothing', async () => {
    const session = marker('bogus');
    const r = await postEvents(`${s.ingestUrl}/v1/events?ack=bogus`, s.writeKey, JSON.stringify({ event: 'page_view', session_id: session, properties: { path: '/x' } }));
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('SLUICE_E_BAD_REQUEST');
    expect(r.body.error.message).toContain('ack');
    expect(await eventsOfSession(session)).toHaveLength(0);
  });
});

interface RejectRow {
  reason: string;
  event: string;
  errors: string;
  raw: string;
  source: string;
  project_id: string;
}

async function rejectsContaining(text: string): Promise<RejectRow[]> {
  return s.store.rows<RejectRow>(
    `SELECT project_id, source, reason, event, errors, raw FROM sluice.rejects WHERE position(raw, {t:String}) > 0 ORDER BY reason, raw`,
    { t: text },
  );
}

describe('partial batches', () => {
  it('stores the valid events, names each rejected one by index, reason and field, and quarantines it', async () => {
    const session = marker('partial');
    const now = Date.now();
    const events: Record<string, unknown>[] = [
      { event: 'order', session_id: session, correlation_id: 'p0', properties: { order_id: 'o1', revenue: 10, currency: 'EUR' } },
      { event: 'order', session_id: session, correlation_id: 'p1', properties: { order_id: 'o2', revenue: 'x', currency: 'EUR' } },
      { event: 'api_request', session_id: session, correlation_id: 'p2', properties: { endpoint: '/a', method: 'GET', status: 200, duration_ms: 3 } },
      { event: 'api_request', session_id: session, correlation_id: 'p3', properties: { endpoint: '/a', method: 'GET', duration_ms: 3 } },
      { event: 'page_view', session_id: session, correlation_id: 'p4', colour: 'blue', properties: { path: '/' } },
      { event: 'page_view', session_id: session, correlation_id: 'p5', timestamp: now + 3_600_000, properties: { path: '/' } },
      { event: 'page_view', session_id: session, correlation_id: 'p6', timestamp: new Date(now - 31 * 86_400_000).toISOString(), properties: { path: '/' } },
      { event: 'ticket', session_id: session, correlation_id: 'p7', properties: { ticket_id: 't', channel: 'email' } },
    ];
    const r = await postEvents(`${s.ingestUrl}/v1/events`, s.writeKey, JSON.stringify(events));
    expect(r.status).toBe(200);
    expect(r.body.accepted).toBe(3);
    expect(r.body.duplicates).toBe(0);
    const rejected = r.body.rejected as { index: number; reason: string; errors: { path: string; message: string }[] }[];
    expect(rejected.map((x) => [x.index, x.reason])).toEqual([
      [1, 'invalid_properties'],
      [3, 'invalid_properties'],
      [4, 'invalid_envelope'],
      [5, 'timestamp_out_of_range'],
      [6, 'timestamp_out_of_range'],
    ]);
    const paths = (i: number) => rejected.find((x) => x.index === i)!.errors.map((e) => e.path);
    expect(paths(1)).toContain('/properties/revenue');
    expect(paths(3)).toContain('/properties/status');
    expect(paths(4)).toContain('/colour');
    expect(paths(5)).toEqual(['/timestamp']);
    expect(paths(6)).toEqual(['/timestamp']);
    for (const x of rejected) for (const e of x.errors) expect(e.message.length).toBeGreaterThan(0);

    const stored = await eventsOfSession(session);
    expect(stored.map((e) => e.correlation_id)).toEqual(['p0', 'p2', 'p7']);

    const rows = await poll(() => rejectsContaining(session), (x) => x.length === 5, 20_000);
    expect(rows).toHaveLength(5);
    const byCorrelation = new Map(rows.map((row) => [(JSON.parse(row.raw) as { correlation_id: string }).correlation_id, row]));
    for (const x of rejected) {
      const row = byCorrelation.get(`p${x.index}`)!;
      expect(row, `reject of #${x.index}`).toBeDefined();
      expect(row).toMatchObject({ project_id: 'default', source: 'http', reason: x.reason, event: events[x.index].event });
      expect(JSON.parse(row.raw)).toEqual(events[x.index]);
      expect(JSON.parse(row.errors)).toEqual(x.errors);
    }
  });

  it('answers 400 with the same body shape when nothing is valid', async () => {
    const session = marker('none');
    const events = [
      { event: 'order', session_id: session, properties: { order_id: 'o', revenue: 'x', currency: 'EUR' } },
      { event: '', session_id: session },
    ];
    const r = await postEvents(`${s.ingestUrl}/v1/events`, s.writeKey, JSON.stringify(events));
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ accepted: 0, duplicates: 0 });
    expect(r.body.rejected.map((x: { index: number; reason: string }) => [x.index, x.reason])).toEqual([
      [0, 'invalid_properties'],
      [1, 'invalid_envelope'],
    ]);
    expect(r.body.rejected[1].errors.map((e: { path: string }) => e.path)).toContain('/event');
    const rows = await poll(() => rejectsContaining(session), (x) => x.length === 2, 20_000);
    expect(rows.map((x) => x.reason).sort()).toEqual(['invalid_envelope', 'invalid_properties']);
    expect(await eventsOfSession(session)).toHaveLength(0);
  });
});

// ---- rollups ----------------------------------------------------------------------------

interface GenEvent {
  event: string;
  timestamp: number;
  user_id?: string;
  properties: Record<string, unknown>;
}

const round = (x: number, digits = 2): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** A known, seeded set of events over the last few hours. */
function generateEvents(): GenEvent[] {
  const rand = prng(20261121);
  const end = Date.now() - 2 * 60_000;
  const ts = () => end - Math.floor(rand() * 4 * 3_600_000);
  const users = Array.from({ length: 37 }, (_, i) => `ru${i}`);
  const user = () => (rand() < 0.05 ? undefined : pick(rand, users));
  const maybe = <T>(p: number, v: () => T): T | undefined => (rand() < p ? v() : undefined);
  const out: GenEvent[] = [];
  const add = (event: string, props: Record<string, unknown>) => {
    const properties = Object.fromEntries(Object.entries(props).filter(([, v]) => v !== undefined));
    out.push({ event, timestamp: ts(), user_id: user(), properties });
  };
  for (let i = 0; i < 900; i++) {
    const checkout = rand() < 0.6;
    add('api_request', {
      endpoint: checkout ? '/checkout' : pick(rand, ['/search', '/users/:id', '/cart']),
      method: checkout && rand() < 0.85 ? 'GET' : pick(rand, ['GET', 'POST', 'DELETE']),
      status: rand() < 0.8 ? pick(rand, [200, 201, 204]) : pick(rand, [301, 404, 429, 500, 503]),
      duration_ms: round(40 + 460 * rand()),
      service: 'web',
    });
  }
  for (let i = 0; i < 300; i++) {
    add('order', {
      order_id: `ro-${i}`,
      revenue: round(5 + 295 * rand()),
      currency: 'EUR',
      category: pick(rand, ['shoes', 'bags', 'hats']),
      collection: maybe(0.8, () => pick(rand, ['summer-2026', 'basics'])),
      payment_method: pick(rand, ['card', 'paypal', 'apple_pay', 'klarna']),
      discount_code: maybe(0.3, () => pick(rand, ['WELCOME10', 'VIP'])),
      items: [{ product_id: `p${i % 7}`, quantity: 1 + Math.floor(rand() * 3), price: round(5 + 50 * rand()) }],
    });
  }
  for (let i = 0; i < 200; i++) {
    add('ml_job', {
      job_id: `j-${i}`,
      pipeline: pick(rand, ['train', 'embed', 'infer']),
      provider: pick(rand, ['openai', 'anthropic', 'self_hosted']),
      status: pick(rand, ['succeeded', 'failed', 'cancelled']),
      duration_ms: maybe(0.9, () => round(1000 + 60_000 * rand())),
      cost_usd: maybe(0.7, () => round(2 * rand(), 4)),
    });
  }
  for (let i = 0; i < 200; i++) {
    add('ticket', {
      ticket_id: `t-${i}`,
      channel: pick(rand, ['email', 'chat', 'phone']),
      agent: maybe(0.85, () => pick(rand, ['ana', 'bo', 'cy'])),
      first_response_ms: maybe(0.8, () => Math.floor(1000 + 3_600_000 * rand())),
      resolution_ms: maybe(0.6, () => Math.floor(60_000 + 86_400_000 * rand())),
      satisfaction: maybe(0.5, () => 1 + Math.floor(5 * rand())),
    });
  }
  for (let i = 0; i < 150; i++) {
    add('booking', {
      booking_id: `b-${i}`,
      venue_type: pick(rand, ['hotel', 'apartment', 'tour']),
      season: maybe(0.75, () => pick(rand, ['low', 'high', 'peak'])),
      value: round(50 + 1950 * rand()),
    });
  }
  return out;
}

interface Agg {
  n: number;
  sum: number;
  min: number;
  max: number;
}

const BUCKET_MS = { rollup_1m: 60_000, rollup_1h: 3_600_000, rollup_1d: 86_400_000 } as const;
type RollupTable = keyof typeof BUCKET_MS;

/** What each rollup table must hold, computed from the generated events and the metric definitions. */
function expectedRollup(events: GenEvent[], table: RollupTable): Map<string, Agg> {
  const out = new Map<string, Agg>();
  const add = (key: string, v: number | null) => {
    const a = out.get(key) ?? { n: 0, sum: 0, min: Infinity, max: -Infinity };
    a.n++;
    if (v !== null) {
      a.sum += v;
      a.min = Math.min(a.min, v);
      a.max = Math.max(a.max, v);
    }
    out.set(key, a);
  };
  for (const e of events) {
    const bucket = Math.floor(e.timestamp / BUCKET_MS[table]) * (BUCKET_MS[table] / 1000);
    add([bucket, e.event, '', '', '', '', ''].join('|'), null);
    for (const m of METRICS.filter((x) => x.event === e.event)) {
      const v = e.properties[m.measure];
      if (typeof v !== 'number') continue;
      const dims = [0, 1, 2, 3].map((i) => {
        const d = m.dimensions[i];
        if (!d) return '';
        const raw = e.properties[d.property ?? d.name];
        if (raw === undefined) return '';
        if (d.derive === 'status_class') return `${Math.floor(Number(raw) / 100)}xx`;
        return String(raw).slice(0, 256);
      });
      add([bucket, e.event, m.measure, ...dims].join('|'), v);
    }
  }
  return out;
}

async function actualRollup(project: string, table: RollupTable): Promise<Map<string, Agg>> {
  const rows = await s.store.rows<Record<string, string | number>>(
    `SELECT toUnixTimestamp(bucket) AS b, event, metric, d1, d2, d3, d4,
       sum(events) AS n, sum(value_sum) AS sum, min(value_min) AS min, max(value_max) AS max
     FROM sluice.${table} WHERE project_id = {p:String}
     GROUP BY b, event, metric, d1, d2, d3, d4`,
    { p: project },
  );
  return new Map(rows.map((r) => [[r.b, r.event, r.metric, r.d1, r.d2, r.d3, r.d4].join('|'), { n: Number(r.n), sum: Number(r.sum), min: Number(r.min), max: Number(r.max) }]));
}

describe('rollups', () => {
  const project = 'rollups';
  let events: GenEvent[];

  beforeAll(async () => {
    await s.sluice.keys.createProject(project);
    const { key } = await s.sluice.keys.createKey(project, 'write');
    events = generateEvents();
    for (let i = 0; i < events.length; i += 500) {
      const body = events.slice(i, i + 500).map((e) => JSON.stringify(e)).join('\n');
      const r = await postEvents(`${s.ingestUrl}/v1/events`, key, body, { 'Content-Type': 'application/x-ndjson' });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ accepted: Math.min(500, events.length - i), duplicates: 0, rejected: [] });
    }
  });

  for (const table of Object.keys(BUCKET_MS) as RollupTable[]) {
    it(`${table}: count, sum, min and max per bucket, event, metric and dimensions match the events`, async () => {
      const want = expectedRollup(events, table);
      const got = await actualRollup(project, table);
      expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
      for (const [key, w] of want) {
        const g = got.get(key)!;
        expect(g.n, key).toBe(w.n);
        if (key.split('|')[2] === '') continue; // count rows carry no value
        expect(Math.abs(g.sum - w.sum), key).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(w.sum)));
        expect(g.min, key).toBe(w.min);
        expect(g.max, key).toBe(w.max);
      }
      // Every metric definition is exercised, and the count rows equal the events per type.
      const metricsSeen = new Set([...got.keys()].map((k) => k.split('|').slice(1, 3).join('.')));
      for (const m of METRICS) expect(metricsSeen, `${m.event}.${m.measure}`).toContain(`${m.event}.${m.measure}`);
      const counts = new Map<string, number>();
      for (const [key, g] of got) {
        const [, event, metric] = key.split('|');
        if (metric === '') counts.set(event, (counts.get(event) ?? 0) + g.n);
      }
      const truth = new Map<string, number>();
      for (const e of events) truth.set(e.event, (truth.get(e.event) ?? 0) + 1);
      expect(Object.fromEntries(counts)).toEqual(Object.fromEntries(truth));
    });
  }

  it('unique users from the rollups equal the true distinct counts', async () => {
    const truth = new Map<string, Set<string>>();
    for (const e of events) {
      const set = truth.get(e.event) ?? new Set<string>();
      if (e.user_id) set.add(e.user_id);
      truth.set(e.event, set);
    }
    for (const table of Object.keys(BUCKET_MS) as RollupTable[]) {
      const rows = await s.store.rows<{ event: string; u: string | number; um: string | number }>(
        `SELECT event, uniqCombined64MergeIf(users, metric = '') AS u, uniqCombined64Merge(users) AS um
         FROM sluice.${table} WHERE project_id = {p:String} GROUP BY event ORDER BY event`,
        { p: project },
      );
      const got = Object.fromEntries(rows.map((r) => [r.event, Number(r.u)]));
      expect(got, table).toEqual(Object.fromEntries([...truth].map(([ev, set]) => [ev, set.size])));
      // Merging the metric rows in changes nothing: they hold a subset of each event's users.
      for (const r of rows) expect(Number(r.um), `${table} ${r.event}`).toBe(Number(r.u));
    }
  });

  it('p50 and p95 from the merged quantile sketches are within 2% of the exact percentiles', async () => {
    // Exact percentiles by linear interpolation (rank q*(n-1)); the sketch guarantees 1% relative
    // accuracy, and the values are dense enough that interpolation adds well under 1%.
    const groups = [
      { label: 'api_request /checkout GET 2xx', where: `event = 'api_request' AND metric = 'duration_ms' AND d1 = '/checkout' AND d2 = 'GET' AND d3 = '2xx'`, values: events.filter((e) => e.event === 'api_request' && e.properties.endpoint === '/checkout' && e.properties.method === 'GET' && Number(e.properties.status) < 300).map((e) => e.properties.duration_ms as number) },
      { label: 'order revenue, all dimensions', where: `event = 'order' AND metric = 'revenue'`, values: events.filter((e) => e.event === 'order').map((e) => e.properties.revenue as number) },
    ];
    for (const g of groups) {
      expect(g.values.length, g.label).toBeGreaterThanOrEqual(250);
      const sorted = [...g.values].sort((a, b) => a - b);
      for (const table of Object.keys(BUCKET_MS) as RollupTable[]) {
        const [row] = await s.store.rows<{ q: number[] }>(
          `SELECT quantilesDDMerge(0.01, 0.5, 0.75, 0.9, 0.95, 0.99)(value_quantiles) AS q FROM sluice.${table} WHERE project_id = {p:String} AND ${g.where}`,
          { p: project },
        );
        for (const [level, idx] of [[0.5, 0], [0.95, 3]] as const) {
          const exact = percentileLinear(sorted, level);
          const sketch = Number(row.q[idx]);
          expect(Math.abs(sketch - exact) / exact, `${g.label} p${level * 100} in ${table}: sketch ${sketch} exact ${exact}`).toBeLessThanOrEqual(0.02);
        }
      }
    }
  });

  it('property_values lists the top values of a property', async () => {
    const orders = events.filter((e) => e.event === 'order');
    // The rollup reads a fixed sample of events (by a hash of event_id); which orders are in it
    // is read from the raw rows, and the expected lists are computed from the generated events.
    const sampled = new Set(
      (await s.store.rows<{ o: string }>(
        `SELECT toString(properties.order_id) AS o FROM sluice.events WHERE project_id = {p:String} AND event = 'order' AND ${PROPERTY_VALUES_SAMPLE_FILTER}`,
        { p: project },
      )).map((r) => r.o),
    );
    expect(sampled.size).toBeGreaterThan(orders.length / PROPERTY_VALUES_SAMPLING / 3);
    expect(sampled.size).toBeLessThan((orders.length / PROPERTY_VALUES_SAMPLING) * 3);
    for (const property of ['payment_method', 'collection', 'category']) {
      const [row] = await s.store.rows<{ v: string[]; hits: string | number }>(
        `SELECT arraySort(topKMerge(100)(top_values)) AS v, sum(hits) AS hits FROM sluice.property_values
         WHERE project_id = {p:String} AND event = 'order' AND property = {prop:String}`,
        { p: project, prop: property },
      );
      const seen = orders.filter((e) => e.properties[property] !== undefined && sampled.has(e.properties.order_id as string));
      expect(row.v, property).toEqual([...new Set(seen.map((e) => String(e.properties[property])))].sort());
      expect(Number(row.hits), property).toBe(seen.length);
    }
    const [nested] = await s.store.rows<{ n: string | number }>(
      `SELECT count() AS n FROM sluice.property_values WHERE project_id = {p:String} AND event = 'order' AND property = 'items'`,
      { p: project },
    );
    expect(Number(nested.n)).toBe(0);
  });
});

// ---- operations -------------------------------------------------------------------------

describe('metrics and health', () => {
  it('counts accepted and rejected events by the right amounts', async () => {
    const before = await scrape(s.ingestUrl);
    const session = marker('metrics');
    const events = [
      { event: 'page_view', session_id: session, properties: { path: '/1' } },
      { event: 'page_view', session_id: session, properties: { path: '/2' } },
      { event: 'page_view', session_id: session, properties: { path: '/3' } },
      { event: 'order', session_id: session, properties: { order_id: 'o', revenue: -1, currency: 'EUR' } },
      { event: 'page_view', session_id: session, timestamp: Date.now() + 86_400_000, properties: { path: '/4' } },
      { event: 'page_view', session_id: session, timestamp: Date.now() + 86_400_000, properties: { path: '/5' } },
    ];
    const r = await postEvents(`${s.ingestUrl}/v1/events`, s.writeKey, JSON.stringify(events));
    expect(r.status).toBe(200);
    expect(r.body.accepted).toBe(3);
    const after = await scrape(s.queryUrl); // one registry serves both ports
    const delta = (name: string, labels: Record<string, string>) => metricValue(after, name, labels) - metricValue(before, name, labels);
    expect(delta('sluice_events_accepted_total', { source: 'http' })).toBe(3);
    expect(delta('sluice_events_rejected_total', { reason: 'invalid_properties' })).toBe(1);
    expect(delta('sluice_events_rejected_total', { reason: 'timestamp_out_of_range' })).toBe(2);
    expect(delta('sluice_events_rejected_total', { reason: 'invalid_envelope' })).toBe(0);
    expect(after).toMatch(/^# TYPE sluice_events_rejected_total counter$/m);
  });

  it('answers /healthz and /readyz, 404 on unknown routes and 405 on a wrong method, with JSON errors', async () => {
    for (const base of [s.ingestUrl, s.queryUrl]) {
      const h = await fetch(`${base}/healthz`);
      expect(h.status).toBe(200);
      expect(await h.json()).toEqual({ status: 'ok' });
      const rd = await fetch(`${base}/readyz`);
      expect(rd.status).toBe(200);
      expect(await rd.json()).toEqual({ status: 'ready' });
      const nf = await fetch(`${base}/no/such/route`);
      expect(nf.status).toBe(404);
      expect(nf.headers.get('content-type')).toContain('application/json');
      expect((await nf.json()).error.code).toBe('SLUICE_E_NOT_FOUND');
    }
    const get = await fetch(`${s.ingestUrl}/v1/events`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect((await get.json()).error.code).toBe('SLUICE_E_METHOD');
  });
});

describe('admin API and keys', () => {
  it('creates a project and a write key, ingests with it, and revokes it', async () => {
    expect((await admin(s.queryUrl, 'POST', '/api/v1/admin/projects', { id: 'p2' })).status).toBe(201);
    expect((await admin(s.queryUrl, 'POST', '/api/v1/admin/projects', { id: 'p2' })).status).toBe(409);
    const created = await admin(s.queryUrl, 'POST', '/api/v1/admin/keys', { project: 'p2', kind: 'write' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ project: 'p2', kind: 'write' });
    const { id, key } = created.body as { id: string; key: string };

    const session = marker('p2');
    const ok = await postEvents(`${s.ingestUrl}/v1/events`, key, JSON.stringify({ event: 'page_view', session_id: session, properties: { path: '/p2' } }));
    expect(ok.status).toBe(200);
    expect(ok.body.accepted).toBe(1);
    const rows = await eventsOfSession(session);
    expect(rows.map((r) => r.project_id)).toEqual(['p2']);

    const readKey = await admin(s.queryUrl, 'POST', '/api/v1/admin/keys', { project: 'p2', kind: 'read' });
    expect(readKey.status).toBe(201);
    for (const k of [readKey.body.key as string, s.readKey]) {
      const forbidden = await postEvents(`${s.ingestUrl}/v1/events`, k, JSON.stringify({ event: 'page_view', session_id: session, properties: { path: '/r' } }));
      expect(forbidden.status).toBe(403);
      expect(forbidden.body.error.code).toBe('SLUICE_E_FORBIDDEN');
    }

    const del = await admin(s.queryUrl, 'DELETE', `/api/v1/admin/keys/${id}`);
    expect(del.status).toBe(204);
    const revoked = await postEvents(`${s.ingestUrl}/v1/events`, key, JSON.stringify({ event: 'page_view', session_id: session, properties: { path: '/revoked' } }));
    expect(revoked.status).toBe(401);
    expect(revoked.body.error.code).toBe('SLUICE_E_UNAUTHORIZED');
    // Still refused after the key cache has been reloaded from the table.
    await s.sluice.keys.refresh();
    const again = await postEvents(`${s.ingestUrl}/v1/events`, key, JSON.stringify({ event: 'page_view', session_id: session, properties: { path: '/revoked' } }));
    expect(again.status).toBe(401);
    expect(await eventsOfSession(session)).toHaveLength(1);
    expect((await admin(s.queryUrl, 'DELETE', `/api/v1/admin/keys/${crypto.randomUUID()}`)).status).toBe(404);
  });

  it('refuses a wrong or missing admin token with 401', async () => {
    const wrong = await admin(s.queryUrl, 'POST', '/api/v1/admin/projects', { id: 'p3' }, 'not-the-token');
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('SLUICE_E_UNAUTHORIZED');
    const none = await fetch(`${s.queryUrl}/api/v1/admin/projects`);
    expect(none.status).toBe(401);
    expect((await admin(s.queryUrl, 'POST', '/api/v1/admin/keys', { project: 'p2', kind: 'write' }, 'test-admin-tokeX')).status).toBe(401);
    const projects = await admin(s.queryUrl, 'GET', '/api/v1/admin/projects');
    expect(projects.body.projects).not.toContain('p3');
  });
});
