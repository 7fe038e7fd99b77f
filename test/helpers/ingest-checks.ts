// Small tools shared by the HTTP ingestion suites: polling, Prometheus text, exact
// percentiles and admin calls.
import zlib from 'node:zlib';

/** Calls `read` until `done` holds for its value or the deadline passes; returns the last value. */
export async function poll<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let v = await read();
  while (!done(v) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, everyMs));
    v = await read();
  }
  return v;
}

// The seeded PRNG and `pick` live with the other generators.
export { seededRng as prng, pick } from './events.js';

export const gzip = (s: string | Buffer): Buffer => zlib.gzipSync(s);

/** The value of one sample in Prometheus text format (0 when the series is absent). */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const got: Record<string, string> = {};
    for (const l of (m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) got[l[1]] = l[2];
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[4]);
  }
  return 0;
}

export async function scrape(baseUrl: string): Promise<string> {
  const res = await fetch(`${baseUrl}/metrics`);
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  return res.text();
}

/** Percentile by linear interpolation between closest ranks (rank = q * (n - 1), as quantileExactInclusive). */
export function percentileLinear(sorted: number[], q: number): number {
  const rank = q * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

export async function admin(queryUrl: string, method: string, path: string, body?: unknown, token = 'test-admin-token'): Promise<{ status: number; body: any }> {
  const res = await fetch(`${queryUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : '';
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed };
}

