import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postEvents, startInProcess, type InProcess } from './helpers/sluice.js';

let s: InProcess;
beforeAll(async () => {
  s = await startInProcess();
});
afterAll(async () => {
  await s?.stop();
});

describe('ingest smoke', () => {
  it('stores a posted event and answers what it stored', async () => {
    const r = await postEvents(`${s.ingestUrl}/v1/events`, s.writeKey, JSON.stringify({ event: 'order', user_id: 'u1', properties: { order_id: 'o1', revenue: 12.5, currency: 'EUR' } }));
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    const rows = await s.store.rows<{ n: string }>(`SELECT count() AS n FROM sluice.events WHERE event = 'order' AND user_id = 'u1'`);
    expect(Number(rows[0].n)).toBe(1);
  });
});
