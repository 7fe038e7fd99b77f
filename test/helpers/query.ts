// Query-service test helpers: ingest through the real endpoint (stored before answering) and
// ask the real query API.
import { expect } from 'vitest';
import type { InProcess } from './sluice.js';

export async function ingestAll(s: Pick<InProcess, 'ingestUrl'>, key: string, events: readonly object[], chunk = 5000): Promise<void> {
  for (let i = 0; i < events.length; i += chunk) {
    const part = events.slice(i, i + chunk);
    const res = await fetch(`${s.ingestUrl}/v1/events?ack=stored`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-ndjson' },
      body: part.map((e) => JSON.stringify(e)).join('\n'),
    });
    const body = (await res.json()) as { accepted: number; rejected: unknown[] };
    expect(body.rejected, JSON.stringify(body.rejected).slice(0, 500)).toEqual([]);
    expect(body.accepted).toBe(part.length);
  }
}

export interface QueryAnswer {
  status: number;
  body: any;
  headers: Headers;
}

export async function ask(queryUrl: string, key: string, query: unknown, path = '/api/v1/query', headers: Record<string, string> = {}): Promise<QueryAnswer> {
  const res = await fetch(`${queryUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'cache-control': 'no-cache', ...headers },
    body: typeof query === 'string' ? query : JSON.stringify(query),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  return { status: res.status, body, headers: res.headers };
}

/** The answer's rows as objects keyed by column name. */
export function records(body: { columns: { name: string }[]; rows: unknown[][] }): Record<string, any>[] {
  return body.rows.map((row) => Object.fromEntries(body.columns.map((c, i) => [c.name, row[i]])));
}

/** Nearest-rank bounds of quantile q: DDSketch answers within 1% of a value between them. */
export function quantileBounds(sorted: number[], q: number): [number, number] {
  const rank = q * (sorted.length - 1);
  return [sorted[Math.floor(rank)], sorted[Math.ceil(rank)]];
}

export function expectClose(actual: number, expected: number, rel = 1e-9, what = ''): void {
  const tol = Math.max(Math.abs(expected) * rel, 1e-9);
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tol);
}

/** The same query from the table Sluice picks and forced onto raw events: both must answer. */
export async function askBoth(s: Pick<InProcess, 'queryUrl' | 'readKey'>, query: Record<string, unknown>): Promise<{ picked: any; raw: any }> {
  const picked = await ask(s.queryUrl, s.readKey, query);
  expect(picked.status, JSON.stringify(picked.body)).toBe(200);
  const raw = await ask(s.queryUrl, s.readKey, { ...query, source: 'events' });
  expect(raw.status, JSON.stringify(raw.body)).toBe(200);
  expect(raw.body.meta.source).toBe('events');
  return { picked: picked.body, raw: raw.body };
}
