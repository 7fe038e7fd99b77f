// Over its rate limit, a WebSocket client is slowed down, not refused: every frame is answered
// with its events accepted, and all of them are stored.
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { connectWs, wsUrl } from './helpers/ws-client.js';
import { openStore, spawnSluice, type Child } from './helpers/sluice.js';

let child: Child | null = null;
afterAll(async () => {
  if (child) await child.kill();
});

describe('WebSocket over the rate limit', () => {
  it('waits out the limit instead of failing frames', async () => {
    child = await spawnSluice({ env: { SLUICE_RATE_LIMIT_EVENTS: '200', SLUICE_RATE_LIMIT_BURST: '1' } });
    const c = await connectWs(wsUrl(child.ingestUrl), { Authorization: `Bearer ${child.writeKey}` });
    const frames = 8;
    for (let f = 0; f < frames; f++) {
      c.send({ seq: f, events: Array.from({ length: 100 }, (_, i) => ({ event: 'page_view', session_id: 'rl', properties: { path: `/${f}/${i}` } })) });
    }
    const acks = await c.waitAcks(frames, 60_000);
    expect(acks.map((a) => a.seq)).toEqual([...Array(frames).keys()]);
    expect(acks.every((a) => a.accepted === 100 && !a.error)).toBe(true);
    await c.close();

    // HTTP over the same limit is refused with 429 instead.
    const r = await fetch(`${child.ingestUrl}/v1/events`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${child.writeKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(Array.from({ length: 200 }, () => ({ event: 'page_view', properties: { path: '/x' } }))),
    });
    const second = await fetch(`${child.ingestUrl}/v1/events`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${child.writeKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(Array.from({ length: 200 }, () => ({ event: 'page_view', properties: { path: '/y' } }))),
    });
    expect([r.status, second.status]).toContain(429);

    expect(await child.stop()).toBe(0);
    const dataDir = child.dataDir;
    child = null;
    const store = await openStore(dataDir);
    const [{ n }] = await store.rows<{ n: string }>(`SELECT count() AS n FROM sluice.events WHERE session_id = 'rl'`);
    expect(Number(n)).toBe(frames * 100);
    await store.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});
