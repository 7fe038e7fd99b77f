// Loading the same events into both sides of the PostgreSQL peer bench. The generator runs once
// into two files (the rows Sluice's sink writes, and COPY's text format), so neither load pays
// for generating: Sluice inserts through its ingest sink in 200,000-row batches (rollup views
// firing), PostgreSQL COPYs, builds its indexes, analyzes and builds its materialized views.
import fs from 'node:fs';
import readline from 'node:readline';
import type pg from 'pg';
import type { Store } from '../../core/clickhouse.js';
import { generateEvents, rowLine } from '../generate-events.js';
import { COPY_COLUMNS, copyLine, INDEXES, TABLE, VIEWS } from './pg-schema.js';
import { sinkPipeline } from './sink-pipeline.js';

export interface EventFiles {
  ndjson: string;
  copy: string;
  rows: number;
  seconds: number;
  /** Events per event name. */
  byEvent: Record<string, number>;
}

export function writeEventFiles(dir: string, o: { events: number; days: number; seed: number; end: number; project: string }, name = 'events'): EventFiles {
  const t0 = performance.now();
  const ndjson = `${dir}/${name}.ndjson`;
  const copy = `${dir}/${name}.copy`;
  const a = fs.openSync(ndjson, 'w');
  const b = fs.openSync(copy, 'w', 0o644);
  let rows = 0;
  const byEvent: Record<string, number> = {};
  try {
    for (const hour of generateEvents(o)) {
      if (hour.length === 0) continue;
      for (const e of hour) byEvent[e.event] = (byEvent[e.event] ?? 0) + 1;
      fs.writeSync(a, hour.map((e) => rowLine(e, o.project)).join('\n') + '\n');
      fs.writeSync(b, hour.map((e) => copyLine(e, o.project)).join('\n') + '\n');
      rows += hour.length;
    }
  } finally {
    fs.closeSync(a);
    fs.closeSync(b);
  }
  fs.chmodSync(copy, 0o644);
  return { ndjson, copy, rows, seconds: (performance.now() - t0) / 1000, byEvent };
}

/** Inserts the NDJSON rows through the ingest sink, one insert in flight while the next batch is read. */
export async function loadSluice(store: Store, file: string, batchRows = 200_000, token = 'bench-pg'): Promise<{ rows: number; seconds: number; inserts: number }> {
  const batch = sinkPipeline(store, { batchRows, token: (n) => `${token}-${n}` });
  const t0 = performance.now();
  for await (const line of readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity })) {
    batch.push(line);
    if (batch.full()) await batch.flush();
  }
  const { rows, inserts } = await batch.finish();
  return { rows, seconds: (performance.now() - t0) / 1000, inserts };
}

export interface PgLoad {
  copySeconds: number;
  indexSeconds: [string, number][];
  analyzeSeconds: number;
  viewSeconds: [string, number][];
}

const timed = async (f: () => Promise<unknown>): Promise<number> => {
  const t0 = performance.now();
  await f();
  return (performance.now() - t0) / 1000;
};

/** Table and COPY in one transaction (with wal_level=minimal the rows skip WAL), then indexes, VACUUM ANALYZE and the views. */
export async function loadPg(client: pg.Client, file: string, log: (m: string) => void): Promise<PgLoad> {
  const copySeconds = await timed(async () => {
    await client.query('BEGIN');
    await client.query(TABLE);
    await client.query(`COPY events (${COPY_COLUMNS}) FROM '${file.replace(/'/g, "''")}' WITH (FORMAT text)`);
    await client.query('COMMIT');
  });
  log(`COPY took ${copySeconds.toFixed(1)} s`);
  const indexSeconds: [string, number][] = [];
  for (const [name, sql] of INDEXES) {
    indexSeconds.push([name, await timed(() => client.query(sql))]);
    log(`index ${name} took ${indexSeconds.at(-1)![1].toFixed(1)} s`);
  }
  const analyzeSeconds = await timed(() => client.query('VACUUM ANALYZE events'));
  const viewSeconds: [string, number][] = [];
  for (const [name, sql] of VIEWS) {
    viewSeconds.push([name, await timed(async () => {
      await client.query(sql);
      await client.query(`ANALYZE ${name}`);
    })]);
    log(`view ${name} took ${viewSeconds.at(-1)![1].toFixed(1)} s`);
  }
  return { copySeconds, indexSeconds, analyzeSeconds, viewSeconds };
}

/** COPY into the existing, indexed table: what appending costs once the indexes are there. */
export async function appendPg(client: pg.Client, file: string): Promise<number> {
  return await timed(() => client.query(`COPY events (${COPY_COLUMNS}) FROM '${file.replace(/'/g, "''")}' WITH (FORMAT text)`));
}

/** REFRESH MATERIALIZED VIEW of every view: what keeping them current costs each time. */
export async function refreshViews(client: pg.Client): Promise<[string, number][]> {
  const out: [string, number][] = [];
  for (const [name] of VIEWS) out.push([name, await timed(() => client.query(`REFRESH MATERIALIZED VIEW ${name}`))]);
  return out;
}

/** Bytes on disk: the table (with TOAST), its indexes, the views. */
export async function pgSizes(client: pg.Client): Promise<{ name: string; bytes: number }[]> {
  const names = ['events', ...INDEXES.map(([n]) => n), ...VIEWS.map(([n]) => n)];
  const res = await client.query<{ name: string; bytes: string }>(
    `SELECT n AS name, CASE WHEN n = 'events' THEN pg_table_size(n::regclass) ELSE pg_total_relation_size(n::regclass) END AS bytes FROM unnest($1::text[]) AS n`,
    [names],
  );
  return res.rows.map((r) => ({ name: r.name, bytes: Number(r.bytes) }));
}
