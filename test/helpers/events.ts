// Test event generation: a seeded PRNG (so a failing run can be replayed from its logged seed)
// and api_request / order events with client-chosen ids, spread over the last few hours.
import { randomUUID } from 'node:crypto';

export type Rng = () => number;

/** mulberry32: small, fast, good enough for picking test data and timings. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function seedFromEnv(name: string): number {
  const raw = process.env[name];
  return raw ? Number(raw) >>> 0 : (Date.now() ^ (process.pid << 16)) >>> 0;
}

export const int = (rng: Rng, min: number, max: number): number => min + Math.floor(rng() * (max - min + 1));
export const pick = <T>(rng: Rng, list: readonly T[]): T => list[Math.floor(rng() * list.length)];

const ENDPOINTS = ['/checkout', '/cart', '/users/:id', '/search', '/orders/:id'];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];
const STATUSES = [200, 200, 200, 201, 204, 301, 404, 500, 503];
const CATEGORIES = ['shoes', 'shirts', 'bags', 'hats'];
const PAYMENTS = ['card', 'paypal', 'klarna'];

export interface TestEvent {
  event: 'api_request' | 'order';
  event_id: string;
  timestamp: number;
  user_id: string;
  properties: Record<string, unknown>;
}

/**
 * One event; its timestamp is within `spanMs` before `now`. Measures are multiples of 0.25 so
 * that sums are exact in floating point whatever the order of addition.
 */
export function makeEvent(rng: Rng, now: number, spanMs = 3 * 3_600_000): TestEvent {
  const timestamp = now - Math.floor(rng() * spanMs);
  const user_id = `u${int(rng, 1, 500)}`;
  if (rng() < 0.6) {
    return {
      event: 'api_request',
      event_id: randomUUID(),
      timestamp,
      user_id,
      properties: { endpoint: pick(rng, ENDPOINTS), method: pick(rng, METHODS), status: pick(rng, STATUSES), duration_ms: int(rng, 1, 8000) / 4 },
    };
  }
  return {
    event: 'order',
    event_id: randomUUID(),
    timestamp,
    user_id,
    properties: { order_id: `o${int(rng, 1, 1e9)}`, revenue: int(rng, 4, 40000) / 4, currency: 'EUR', category: pick(rng, CATEGORIES), payment_method: pick(rng, PAYMENTS) },
  };
}

export function makeBatch(rng: Rng, size: number, now = Date.now(), spanMs?: number): TestEvent[] {
  return Array.from({ length: size }, () => makeEvent(rng, now, spanMs));
}

export const ndjson = (events: readonly object[]): string => events.map((e) => JSON.stringify(e)).join('\n') + '\n';
