// Reading k6 script settings from the environment.

/** A positive integer from __ENV[name], or `fallback` when unset; anything else stops the run. */
export function intEnv(name, fallback) {
  const raw = __ENV[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) {
    throw new Error(`${name} must be a positive integer, got "${raw}"`);
  }
  return n;
}

/** A base URL from __ENV[name] (trailing slashes dropped), or `fallback`. */
export function urlEnv(name, fallback) {
  return (__ENV[name] || fallback).replace(/\/+$/, '');
}

/** A k6 duration string from __ENV[name] (`30s`, `2m`, `1h30m`), or `fallback`. */
export function durationEnv(name, fallback) {
  const raw = __ENV[name] || fallback;
  if (!/^(\d+(ms|s|m|h))+$/.test(raw)) {
    throw new Error(`${name} must be a k6 duration such as 30s, 2m or 1h30m, got "${raw}"`);
  }
  return raw;
}

/** Milliseconds of a duration string accepted by durationEnv. */
export function durationMs(text) {
  const unit = { ms: 1, s: 1000, m: 60000, h: 3600000 };
  let ms = 0;
  for (const [, n, u] of text.matchAll(/(\d+)(ms|s|m|h)/g)) ms += Number(n) * unit[u];
  return ms;
}

/**
 * A latency limit in ms times LATENCY_SLACK (default 1). The smoke runs in the test suite set a
 * large slack: on a shared CI machine they check that the suite works (errors, checks, lost
 * events), not how fast the server is.
 */
export function latencyMs(ms) {
  const raw = __ENV.LATENCY_SLACK;
  if (raw === undefined || raw === '') return ms;
  const slack = Number(raw);
  if (!(slack >= 1)) throw new Error(`LATENCY_SLACK must be a number >= 1, got "${raw}"`);
  return Math.round(ms * slack);
}
