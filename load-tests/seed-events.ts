// Sends a small generated shop history (generate-events.ts) to a running Sluice over HTTP, so a
// fresh server has something for the query mix to read. Used by run-k6.sh and the k6 smoke test.
//
//   SLUICE_INGEST_URL=http://127.0.0.1:18080 SLUICE_WRITE_KEY=slw_... node --import tsx load-tests/seed-events.ts --events 20000 --days 7
import { parseArgs } from 'node:util';
import { generateEvents, type GeneratedEvent } from './generate-events.js';

const CHUNK = 5000;

export interface SeedResult {
  sent: number;
  accepted: number;
}

/** The event as a client sends it: empty envelope fields are left out rather than sent as "". */
function clientEvent(e: GeneratedEvent): Record<string, unknown> {
  const out: Record<string, unknown> = { ...e };
  for (const k of ['user_id', 'session_id', 'correlation_id']) if (out[k] === '') delete out[k];
  return out;
}

/** Posts `events` generated events spread over the last `days` days; every one must be stored. */
export async function seedOverHttp(ingestUrl: string, writeKey: string, opts: { events: number; days: number; seed?: number }): Promise<SeedResult> {
  let sent = 0;
  let accepted = 0;
  const post = async (chunk: GeneratedEvent[]): Promise<void> => {
    const res = await fetch(`${ingestUrl.replace(/\/+$/, '')}/v1/events?ack=stored`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${writeKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(chunk.map(clientEvent)),
    });
    const text = await res.text();
    let body: { accepted?: number; duplicates?: number; rejected?: unknown[] } = {};
    try {
      body = JSON.parse(text);
    } catch {
      // reported below
    }
    if (res.status !== 200 || body.accepted === undefined || (body.rejected?.length ?? 0) > 0) {
      throw new Error(`seeding refused: status ${res.status} ${text.slice(0, 500)}`);
    }
    sent += chunk.length;
    accepted += body.accepted;
  };
  let pending: GeneratedEvent[] = [];
  for (const hour of generateEvents({ events: opts.events, days: opts.days, seed: opts.seed })) {
    pending.push(...hour);
    while (pending.length >= CHUNK) {
      await post(pending.slice(0, CHUNK));
      pending = pending.slice(CHUNK);
    }
  }
  if (pending.length > 0) await post(pending);
  return { sent, accepted };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { events: { type: 'string', default: '20000' }, days: { type: 'string', default: '7' } } });
  const url = process.env.SLUICE_INGEST_URL;
  const key = process.env.SLUICE_WRITE_KEY;
  if (!url || !key) throw new Error('set SLUICE_INGEST_URL and SLUICE_WRITE_KEY');
  const r = await seedOverHttp(url, key, { events: Number(values.events), days: Number(values.days) });
  console.log(`seeded ${r.accepted} of ${r.sent} events into ${url}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: Error) => {
    console.error(err.message);
    process.exit(1);
  });
}
