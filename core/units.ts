// Parsing of human units used in settings and query ranges: "15m", "500ms", "10MiB".

const DURATION_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

export function parseDuration(raw: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)?$/.exec(raw.trim());
  if (!m) throw new Error('must be a duration such as 500ms, 30s, 15m, 1h, 7d');
  const value = Number(m[1]) * DURATION_MS[m[2] ?? 'ms'];
  return Math.round(value);
}

const BYTES: Record<string, number> = {
  b: 1,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

export function parseBytes(raw: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]i?b|b)?$/i.exec(raw.trim());
  if (!m) throw new Error('must be a size such as 1048576, 512KiB, 10MiB, 1GiB');
  return Math.floor(Number(m[1]) * BYTES[(m[2] ?? 'b').toLowerCase()]);
}
