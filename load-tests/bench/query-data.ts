// The query benchmark's data directory: generated once, reused while a marker file says it holds
// the same generator, seed, event count and days, and the data is recent enough ("7d" ends now).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Store } from '../../core/clickhouse.js';
import { rootPath } from '../../core/paths.js';
import { loadEvents, type LoadResult } from '../generate-events.js';

export interface DataSpec {
  events: number;
  days: number;
  seed: number;
  project: string;
}

export interface Marker extends DataSpec {
  /** Hash of the generator's sources: a changed generator means new data. */
  generator: string;
  end: number;
  generatedAt: string;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  inserts: number;
  /** Seconds spent waiting for background merges after the load. */
  settleSeconds: number;
}

const MARKER = 'bench-query-data.json';

export function generatorHash(): string {
  const h = crypto.createHash('sha256');
  for (const f of ['load-tests/generate-events.ts', 'load-tests/bench/query-catalog.ts']) h.update(fs.readFileSync(rootPath(f)));
  return h.digest('hex').slice(0, 16);
}

/** The marker when the directory holds this data, fresh enough; otherwise why not. */
export function reusable(dataDir: string, spec: DataSpec, maxAgeHours: number): { marker: Marker } | { why: string } {
  const file = path.join(dataDir, MARKER);
  if (!fs.existsSync(file)) return { why: fs.existsSync(dataDir) ? 'no marker (an unfinished or foreign directory)' : 'no data directory yet' };
  const m = JSON.parse(fs.readFileSync(file, 'utf8')) as Marker;
  for (const k of ['events', 'days', 'seed', 'project'] as const) {
    if (m[k] !== spec[k]) return { why: `it holds ${k}=${m[k]}, asked for ${spec[k]}` };
  }
  if (m.generator !== generatorHash()) return { why: 'the generator changed since' };
  const age = (Date.now() - m.end) / 3_600_000;
  if (age > maxAgeHours) return { why: `its events end ${age.toFixed(1)} h ago (BENCH_MAX_DATA_AGE_HOURS=${maxAgeHours})` };
  return { marker: m };
}

/** Waits until no merge has run for a few seconds (at most `maxSeconds`): queries then see settled parts, as in steady production. */
export async function settle(store: Store, maxSeconds: number, log: (m: string) => void): Promise<number> {
  const t0 = performance.now();
  let quiet = 0;
  while ((performance.now() - t0) / 1000 < maxSeconds) {
    const [{ n }] = await store.rows<{ n: string }>(`SELECT count() AS n FROM system.merges WHERE database = {db:String}`, { db: store.db });
    quiet = Number(n) === 0 ? quiet + 1 : 0;
    if (quiet >= 5) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  const s = (performance.now() - t0) / 1000;
  log(`merges settled after ${s.toFixed(0)} s`);
  return s;
}

export async function generate(store: Store, dataDir: string, spec: DataSpec, log: (m: string) => void): Promise<Marker> {
  let last = 0;
  const r: LoadResult = await loadEvents(store, {
    ...spec,
    onProgress: (rows, s) => {
      if (s - last >= 15) {
        last = s;
        log(`generated ${rows.toLocaleString('en-US')} of ${spec.events.toLocaleString('en-US')} events (${Math.round(rows / s).toLocaleString('en-US')} rows/s)`);
      }
    },
  });
  log(`generated ${r.rows.toLocaleString('en-US')} events in ${r.seconds.toFixed(0)} s: ${Math.round(r.rowsPerSecond).toLocaleString('en-US')} rows/s`);
  const settleSeconds = await settle(store, 900, log);
  const marker: Marker = {
    ...spec,
    generator: generatorHash(),
    end: r.end,
    generatedAt: new Date().toISOString(),
    rows: r.rows,
    seconds: r.seconds,
    rowsPerSecond: r.rowsPerSecond,
    inserts: r.inserts,
    settleSeconds,
  };
  fs.writeFileSync(path.join(dataDir, MARKER), JSON.stringify(marker, null, 2));
  return marker;
}

/** Active parts and rows per table: how settled the data is when the queries run. */
export async function tableStats(store: Store): Promise<{ table: string; parts: number; rows: number; bytes: number }[]> {
  const rows = await store.rows<{ table: string; parts: string; rows: string; bytes: string }>(
    `SELECT table, count() AS parts, sum(rows) AS rows, sum(bytes_on_disk) AS bytes FROM system.parts
     WHERE database = {db:String} AND active AND table IN ('events', 'rollup_1m', 'rollup_1h', 'rollup_1d', 'property_values')
     GROUP BY table ORDER BY table`,
    { db: store.db },
  );
  return rows.map((r) => ({ table: r.table, parts: Number(r.parts), rows: Number(r.rows), bytes: Number(r.bytes) }));
}
