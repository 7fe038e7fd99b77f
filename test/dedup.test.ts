import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../core/clickhouse.js';
import { createProjectWithKey } from './helpers/admin.js';
import { openStore, postEvents, spawnSluice, startInProcess, tempDir, type Child, type InProcess } from './helpers/sluice.js';
import { until } from './helpers/until.js';

async function countById(store: Store, id: string, project?: string): Promise<number> {
  const rows = await store.rows<{ n: string }>(
    `SELECT count() AS n FROM sluice.events WHERE event_id = {id:UUID}${project ? ' AND project_id = {p:String}' : ''}`,
    { id, p: project },
  );
  return Number(rows[0].n);
}

// One in-process instance first; the child-process tests below open their stores only after it stopped.
describe('dedup over HTTP', () => {
  let s: InProcess;
  let p2Key: string;
  const post = (body: unknown, key = s.writeKey, query = '') => postEvents(`${s.ingestUrl}/v1/events${query}`, key, JSON.stringify(body));

  beforeAll(async () => {
    s = await startInProcess();
    p2Key = await createProjectWithKey(s.queryUrl, 'p2');
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('counts an event_id posted again in a later request as a duplicate and stores it once', async () => {
    const id = randomUUID();
    const first = await post({ event: 'dup_http', event_id: id, properties: { n: 1 } });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    const second = await post({ event: 'dup_http', event_id: id, properties: { n: 2 } });
    expect(second.status).toBe(200);
    expect(second.body).toEqual({ accepted: 0, duplicates: 1, rejected: [] });
    expect(await countById(s.store, id)).toBe(1);
    const kept = await s.store.rows<{ n: string }>(`SELECT toString(properties.n) AS n FROM sluice.events WHERE event_id = {id:UUID}`, { id });
    expect(kept).toEqual([{ n: '1' }]);
  });

  it('counts a repeat within one request and keeps the first', async () => {
    const id = randomUUID();
    const r = await post([
      { event: 'dup_one_request', event_id: id, properties: { n: 1 } },
      { event: 'dup_one_request' },
      { event: 'dup_one_request', event_id: id, properties: { n: 2 } },
      { event: 'dup_one_request', event_id: id.toUpperCase(), properties: { n: 3 } },
    ]);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ accepted: 2, duplicates: 2, rejected: [] });
    expect(await countById(s.store, id)).toBe(1);
    const kept = await s.store.rows<{ n: string }>(`SELECT toString(properties.n) AS n FROM sluice.events WHERE event_id = {id:UUID}`, { id });
    expect(kept).toEqual([{ n: '1' }]);
  });

  it('answers 200 when every event of a request is a duplicate', async () => {
    const ids = [randomUUID(), randomUUID()];
    await post(ids.map((event_id) => ({ event: 'dup_all', event_id })));
    const again = await post(ids.map((event_id) => ({ event: 'dup_all', event_id })));
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ accepted: 0, duplicates: 2, rejected: [] });
  });

  it('does not count events that carry no event_id', async () => {
    const r1 = await post([{ event: 'dup_no_id' }, { event: 'dup_no_id' }]);
    const r2 = await post([{ event: 'dup_no_id' }, { event: 'dup_no_id' }]);
    expect(r1.body).toEqual({ accepted: 2, duplicates: 0, rejected: [] });
    expect(r2.body).toEqual({ accepted: 2, duplicates: 0, rejected: [] });
  });

  it('keeps projects apart: the same event_id in another project is stored', async () => {
    const id = randomUUID();
    expect((await post({ event: 'dup_projects', event_id: id })).body).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    expect((await post({ event: 'dup_projects', event_id: id }, p2Key)).body).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    expect((await post({ event: 'dup_projects', event_id: id }, p2Key)).body).toEqual({ accepted: 0, duplicates: 1, rejected: [] });
    expect(await countById(s.store, id, 'default')).toBe(1);
    expect(await countById(s.store, id, 'p2')).toBe(1);
  });

  it('does not remember the id of a rejected event', async () => {
    const id = randomUUID();
    const bad = await post({ event: 'dup_rejected', event_id: id, timestamp: 'not a time' });
    expect(bad.status).toBe(400);
    expect(bad.body.rejected[0].index).toBe(0);
    const good = await post({ event: 'dup_rejected', event_id: id });
    expect(good.body).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    expect(await countById(s.store, id)).toBe(1);
  });

  it('a duplicate of an event acknowledged as spooled is still a duplicate', async () => {
    const id = randomUUID();
    expect((await post({ event: 'dup_spooled', event_id: id }, s.writeKey, '?ack=spooled')).body).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    expect((await post({ event: 'dup_spooled', event_id: id }, s.writeKey, '?ack=spooled')).body).toEqual({ accepted: 0, duplicates: 1, rejected: [] });
    await until(async () => (await countById(s.store, id)) === 1, 'the spooled event to be stored');
    expect(await countById(s.store, id)).toBe(1);
  });
});

describe('dedup window and restarts (child processes)', () => {
  const children: Child[] = [];
  const spawn = async (opts: Parameters<typeof spawnSluice>[0]) => {
    const c = await spawnSluice(opts);
    children.push(c);
    return c;
  };
  const post = (c: Child, body: unknown, query = '') => postEvents(`${c.ingestUrl}/v1/events${query}`, c.writeKey, JSON.stringify(body));

  afterAll(async () => {
    for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) await c.kill();
  });

  it('lets an id through again once a short window has passed', async () => {
    const WINDOW_MS = 3_000;
    const c = await spawn({ env: { SLUICE_DEDUP_WINDOW: '3s' } });
    const id = randomUUID();
    const t0 = Date.now();
    expect((await post(c, { event: 'dup_window', event_id: id }, '?ack=spooled')).body).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    const again = await post(c, { event: 'dup_window', event_id: id }, '?ack=spooled');
    // Skipped only when this machine took longer than the window for one request.
    if (Date.now() - t0 < WINDOW_MS) expect(again.body).toEqual({ accepted: 0, duplicates: 1, rejected: [] });

    const through = await until(
      async () => {
        const r = await post(c, { event: 'dup_window', event_id: id });
        return r.body.accepted === 1 ? Date.now() : false;
      },
      'the id to be accepted after the window',
      60_000,
      250,
    );
    expect(through - t0).toBeGreaterThanOrEqual(WINDOW_MS);
    expect(await c.stop()).toBe(0);

    const store = await openStore(c.dataDir);
    try {
      expect(await countById(store, id)).toBe(2);
    } finally {
      await store.close();
    }
  });

  it('still knows ids stored before a restart', async () => {
    const dataDir = tempDir();
    const a = await spawn({ dataDir });
    const keys = { writeKey: a.writeKey, readKey: a.readKey };
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    expect((await post(a, ids.map((event_id) => ({ event: 'dup_restart', event_id })))).body).toEqual({ accepted: 3, duplicates: 0, rejected: [] });
    expect(await a.stop()).toBe(0);

    const b = await spawn({ dataDir, keys });
    const fresh = randomUUID();
    const again = await post(b, [...ids, fresh].map((event_id) => ({ event: 'dup_restart', event_id })));
    expect(again.body).toEqual({ accepted: 1, duplicates: 3, rejected: [] });
    expect(await b.stop()).toBe(0);

    const store = await openStore(dataDir);
    try {
      for (const id of [...ids, fresh]) expect(await countById(store, id)).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('still knows ids that were only spooled when the process was killed', async () => {
    const dataDir = tempDir();
    // A long linger keeps the acknowledged events in the spool, not yet in ClickHouse.
    const env = { SLUICE_BATCH_LINGER: '10m' };
    const a = await spawn({ dataDir, env });
    const keys = { writeKey: a.writeKey, readKey: a.readKey };
    const ids = [randomUUID(), randomUUID()];
    expect((await post(a, ids.map((event_id) => ({ event: 'dup_killed', event_id })), '?ack=spooled')).body).toEqual({ accepted: 2, duplicates: 0, rejected: [] });
    await a.kill('SIGKILL');

    const b = await spawn({ dataDir, keys });
    // The client never saw its ack and sends the same events again.
    const again = await post(b, ids.map((event_id) => ({ event: 'dup_killed', event_id })));
    expect(again.body).toEqual({ accepted: 0, duplicates: 2, rejected: [] });
    expect(await b.stop()).toBe(0);

    const store = await openStore(dataDir);
    try {
      for (const id of ids) expect(await countById(store, id)).toBe(1);
    } finally {
      await store.close();
    }
  });
});
