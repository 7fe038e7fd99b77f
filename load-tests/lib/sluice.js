// Talking to Sluice from k6: health checks and request headers shared by the scripts.
import http from 'k6/http';

/** Stops the run in setup() with a clear message when `baseUrl` does not answer GET /healthz. */
export function requireHealthy(baseUrl, what) {
  const res = http.get(`${baseUrl}/healthz`, { timeout: '5s', tags: { name: 'GET /healthz' } });
  if (res.status !== 200) {
    const why = res.error ? `${res.error}` : `status ${res.status}`;
    throw new Error(`${what} at ${baseUrl} is not healthy (GET /healthz: ${why})`);
  }
}

/** Stops the run when a key the script needs is missing. */
export function requireKey(value, name, hint) {
  if (!value) throw new Error(`${name} is not set; ${hint}`);
}

export function ingestHeaders(writeKey, contentType) {
  return { Authorization: `Bearer ${writeKey}`, 'Content-Type': contentType };
}

/** By default queries skip the result cache, so the load reaches ClickHouse. */
export function queryHeaders(readKey, { json = false, cache = false } = {}) {
  const h = { Authorization: `Bearer ${readKey}` };
  if (!cache) h['Cache-Control'] = 'no-cache';
  if (json) h['Content-Type'] = 'application/json';
  return h;
}

/** The ingest answer `{accepted, duplicates, rejected}`, or null when the body is not one. */
export function ingestAnswer(res) {
  try {
    const body = res.json();
    return body && typeof body.accepted === 'number' && typeof body.duplicates === 'number' ? body : null;
  } catch {
    return null;
  }
}
