// PostgreSQL peer of the query benchmark: the same generated events (same generator, seed and
// count) in a fresh embedded Sluice and in a throwaway PostgreSQL 15 cluster, in one run on the
// same machine. Measures load time, storage, and the query bench's queries that PostgreSQL can
// express, side by side in rounds, and checks that both sides give the same answers. Writes its
// block into docs/BENCHMARKS.md. Settings are BENCH_PG_* variables (docs/BENCHMARKS.md).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '../core/config.js';
import { createLogger } from '../core/logger.js';
import { rootPath } from '../core/paths.js';
import { startSluice, type Sluice } from '../core/runtime.js';
import { envInt } from './bench/env-int.js';
import { percentile } from './bench/generators.js';
import { bullets, reproduce, markers, writeBlock } from './bench/doc-block.js';
import { loadAverage, machine } from './bench/proc.js';
import { compareAnswers, sideBySideTable, sluiceRows, type SideBySide } from './bench/pg-compare.js';
import { loadPg, loadSluice, pgSizes, refreshViews, writeEventFiles } from './bench/pg-load.js';
import { freshness, freshnessText } from './bench/pg-freshness.js';
import { pgCases, type PgCase } from './bench/pg-queries.js';
import { startPg, type PgCluster } from './bench/pg-server.js';
import { settle, tableStats } from './bench/query-data.js';
import { problem, QueryClient } from './bench/query-measure.js';
import { DEFAULT_SEED } from './generate-events.js';

const S = {
  events: envInt('BENCH_PG_EVENTS', 2_000_000),
  days: envInt('BENCH_PG_DAYS', 90),
  seed: envInt('BENCH_SEED', DEFAULT_SEED),
  project: 'bench',
  runs: envInt('BENCH_PG_RUNS', 20),
  append: envInt('BENCH_PG_APPEND', 20_000),
  warmup: envInt('BENCH_PG_WARMUP', 2),
  dir: path.resolve(process.env.BENCH_PG_DIR || '/var/tmp'),
  keep: process.env.BENCH_KEEP === '1',
  docs: process.env.BENCH_DOCS !== '0',
  /** Only the queries whose name contains one of these (comma list), for debugging; leaves the docs alone. */
  only: (process.env.BENCH_PG_QUERIES ?? '').split(',').map((s) => s.trim()).filter(Boolean),
};

const log = (msg: string): void => console.error(`[bench:postgres] ${msg}`);
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const mib = (b: number): string => fmt(b / 1_048_576);
const sec = (s: number): string => s.toFixed(1);
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

function packageVersion(name: string): string {
  try {
    return (JSON.parse(fs.readFileSync(rootPath('node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

interface Side {
  ms: number[];
  last: unknown;
  failures: string[];
}

async function timeSluice(client: QueryClient, c: PgCase, side: Side): Promise<void> {
  const a = await client.send(c.sluice);
  const why = problem(a);
  if (why) side.failures.push(why);
  else {
    side.ms.push(a.ms);
    side.last = a.body;
  }
}

async function timePg(client: pg.Client, c: PgCase, side: Side, now: number): Promise<void> {
  const q = c.build(now);
  const t0 = performance.now();
  try {
    const res = await client.query(q.sql, q.params);
    side.ms.push(performance.now() - t0);
    side.last = res.rows;
  } catch (err) {
    side.failures.push((err as Error).message.slice(0, 200));
  }
}

async function main(): Promise<void> {
  const started = new Date();
  const loadBefore = loadAverage();
  fs.mkdirSync(S.dir, { recursive: true });
  const base = fs.mkdtempSync(path.join(S.dir, 'sluice-bench-pg-'));
  let sluice: Sluice | null = null;
  let cluster: PgCluster | null = null;
  let client: pg.Client | null = null;
  // One cleanup, whichever comes first: the end of the run, a failure or a signal.
  let cleaning: Promise<void> | null = null;
  const cleanup = (): Promise<void> =>
    (cleaning ??= (async () => {
      await client?.end().catch(() => undefined);
      cluster?.stop();
      await sluice?.stop().catch(() => undefined);
      if (!S.keep) fs.rmSync(base, { recursive: true, force: true });
    })());
  const onSignal = (): void => {
    log('interrupted: stopping PostgreSQL and removing the data');
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const end = Date.now();
    log(`generating ${fmt(S.events)} events over ${S.days} days (seed ${S.seed}) into ${base}`);
    const files = writeEventFiles(base, { events: S.events, days: S.days, seed: S.seed, end, project: S.project });
    log(`generated ${fmt(files.rows)} events in ${sec(files.seconds)} s`);

    const config = loadConfig(process.env, {
      dataDir: path.join(base, 'sluice'),
      clickhouseUrl: '',
      ingestPort: '0',
      queryPort: '0',
      logLevel: process.env.SLUICE_LOG_LEVEL ?? 'warn',
      retentionRawDays: String(Math.max(30, S.days + 7)),
      queryRateLimit: '0',
      queryMaxConcurrent: '64',
    });
    sluice = await startSluice(config, { ingest: false, query: true }, createLogger(config.logLevel));
    await sluice.keys.createProject(S.project);
    const sl = await loadSluice(sluice.store, files.ndjson);
    log(`Sluice stored ${fmt(sl.rows)} events in ${sec(sl.seconds)} s`);
    const settleSeconds = await settle(sluice.store, 300, log);
    const stats = await tableStats(sluice.store);
    const [{ v: clickhouseVersion }] = await sluice.store.rows<{ v: string }>('SELECT version() AS v');
    const [{ n: sluiceCount }] = await sluice.store.rows<{ n: string }>(`SELECT count() AS n FROM ${sluice.store.db}.events`);

    cluster = await startPg(base, log);
    client = new pg.Client({ host: '127.0.0.1', port: cluster.port, user: 'postgres', database: 'postgres' });
    await client.connect();
    await client.query("SET statement_timeout = '300s'");
    const pgVersion = (await client.query<{ server_version: string }>('SHOW server_version')).rows[0].server_version;
    const pl = await loadPg(client, files.copy, log);
    const refresh = await refreshViews(client);
    log(`REFRESH of the views took ${sec(sum(refresh.map(([, s]) => s)))} s`);
    const sizes = await pgSizes(client);
    const pgCount = Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM events')).rows[0].n);
    fs.rmSync(files.ndjson);
    fs.rmSync(files.copy);
    if (pgCount !== files.rows || Number(sluiceCount) !== files.rows) throw new Error(`loaded ${sluiceCount} events into Sluice and ${pgCount} into PostgreSQL, generated ${files.rows}`);

    const key = await sluice.keys.createKey(S.project, 'read', 'bench-postgres');
    const http = new QueryClient(`http://127.0.0.1:${sluice.queryPort}`, key.key);
    const cases = pgCases(S.project).filter((c) => S.only.length === 0 || S.only.some((o) => c.sluice.name.includes(o)));
    const sides = cases.map(() => ({ sluice: { ms: [], last: null, failures: [] } as Side, pg: { ms: [], last: null, failures: [] } as Side }));
    log(`${cases.length} queries, ${S.warmup} warm-up + ${S.runs} timed runs each on both sides`);
    for (let w = 0; w < S.warmup; w++) {
      for (const c of cases) {
        await timeSluice(http, c, { ms: [], last: null, failures: [] });
        await timePg(client, c, { ms: [], last: null, failures: [] }, Date.now());
      }
    }
    for (let r = 0; r < S.runs; r++) {
      for (const [i, c] of cases.entries()) {
        // Both sides ask the same question at the same moment; who goes first alternates.
        const now = Date.now();
        if (r % 2 === 0) {
          await timeSluice(http, c, sides[i].sluice);
          await timePg(client, c, sides[i].pg, now);
        } else {
          await timePg(client, c, sides[i].pg, now);
          await timeSluice(http, c, sides[i].sluice);
        }
      }
      log(`round ${r + 1}/${S.runs}`);
    }

    let fresh = '';
    const pageViews = cases.find((c) => c.sluice.name.startsWith('timeseries: page_view count'));
    if (S.append > 0 && pageViews) {
      log(`appending ${fmt(S.append)} events to both`);
      const f = await freshness({ dir: base, store: sluice.store, client, http, c: pageViews, events: S.append, seed: S.seed + 1, project: S.project });
      fresh = freshnessText(f);
      log(fresh);
      if (f.sluice[1] - f.sluice[0] !== f.pageViews || f.pg[2] - f.pg[0] !== f.pageViews) process.exitCode = 1;
    }

    const rows: SideBySide[] = cases.map((c, i) => {
      const { sluice: s, pg: p } = sides[i];
      const [a, b] = [[...s.ms].sort((x, y) => x - y), [...p.ms].sort((x, y) => x - y)];
      const agree = s.last && p.last ? compareAnswers(sluiceRows(s.last as any), p.last as Record<string, unknown>[], c.check) : null;
      if (!agree?.ok) process.exitCode = 1;
      const failures = [...s.failures.map((f) => `Sluice: ${f}`), ...p.failures.map((f) => `PostgreSQL: ${f}`)];
      return {
        name: c.sluice.name,
        sluiceSource: String((s.last as any)?.meta?.source ?? '?'),
        sluiceP50: a.length ? percentile(a, 50) : NaN,
        sluiceP95: a.length ? percentile(a, 95) : NaN,
        pgVia: c.via === 'view' ? 'materialized view' : 'events table',
        pgP50: b.length ? percentile(b, 50) : NaN,
        pgP95: b.length ? percentile(b, 95) : NaN,
        agreement: [agree ? agree.text : 'no answer to compare', ...failures].join('; '),
      };
    });

    const sluiceBytes = sum(stats.map((s) => s.bytes));
    const pgBytes = sum(sizes.map((s) => s.bytes));
    const pgLoadSeconds = pl.copySeconds + sum(pl.indexSeconds.map(([, s]) => s)) + pl.analyzeSeconds + sum(pl.viewSeconds.map(([, s]) => s));
    const m = machine();
    const loadTable = [
      '| | Sluice (embedded ClickHouse) | PostgreSQL 15 |',
      '| --- | ---: | ---: |',
      `| load | ${sec(sl.seconds)} s (${fmt(sl.rows / sl.seconds)} events/s; ${sl.inserts} inserts through the ingest sink, rollups kept by the insert) | ${sec(pgLoadSeconds)} s in all (${fmt(files.rows / pgLoadSeconds)} events/s) |`,
      `| of which | – | COPY ${sec(pl.copySeconds)} s; indexes ${pl.indexSeconds.map(([n, s]) => `${n} ${sec(s)} s`).join(', ')}; VACUUM ANALYZE ${sec(pl.analyzeSeconds)} s; building the views ${sec(sum(pl.viewSeconds.map(([, s]) => s)))} s |`,
      `| after the load | background merges settled in ${sec(settleSeconds)} s | – |`,
      `| keeping rollups current | on every insert (included above) | REFRESH MATERIALIZED VIEW of all ${refresh.length}: ${sec(sum(refresh.map(([, s]) => s)))} s (${refresh.map(([n, s]) => `${n} ${sec(s)}`).join(', ')}); stale in between |`,
      `| on disk | ${mib(sluiceBytes)} MiB (${stats.map((s) => `${s.table} ${mib(s.bytes)}`).join(', ')}) | ${mib(pgBytes)} MiB (${sizes.map((s) => `${s.name} ${mib(s.bytes)}`).join(', ')}) |`,
    ];
    const ratioLines = [
      `Load time: PostgreSQL / Sluice **${(pgLoadSeconds / sl.seconds).toFixed(1)}×** (COPY alone ${(pl.copySeconds / sl.seconds).toFixed(1)}×); on disk **${(pgBytes / sluiceBytes).toFixed(1)}×**.`,
      `Answers: ${rows.filter((r) => r.agreement.startsWith('same')).length} of ${rows.length} queries gave the same answer on both sides (details in the last column).`,
      ...(fresh ? [fresh] : []),
    ];
    const environment = [
      `Date: ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC; the whole bench took ${((Date.now() - started.getTime()) / 60_000).toFixed(1)} min`,
      `Machine: ${m.cores} cores (${m.cpuModel}), ${m.memoryGb} GB memory, Linux ${os.release()}; load average (1, 5, 15 min) before: ${loadBefore}; after: ${loadAverage()}`,
      `Node ${process.version}, chdb ${packageVersion('chdb')}, ClickHouse ${clickhouseVersion}, PostgreSQL ${pgVersion}, node-postgres ${packageVersion('pg')}`,
      `${fmt(files.rows)} events over ${S.days} days in project \`${S.project}\` (seed ${S.seed}, \`load-tests/generate-events.ts\`), generated once in ${sec(files.seconds)} s into two files both loads read`,
      `${S.warmup} warm-up and ${S.runs} timed runs per query and side, in rounds over all queries, the two sides asked one after the other at the same moment (who goes first alternates); Sluice times are HTTP round trips with \`Cache-Control: no-cache\`, PostgreSQL times are node-postgres round trips with bound parameters, both clients in this process`,
    ];
    const given = Object.keys(process.env).filter((k) => k.startsWith('BENCH_') && k !== 'BENCH_DOCS');
    const command = `${given.map((k) => `${k}=${process.env[k]} `).join('')}npm run bench:postgres`;
    const { start, end: stop } = markers('postgres');
    const block = [start, '', sideBySideTable(rows), '', ...ratioLines.map((l) => `- ${l}`), '', ...loadTable, '', ...bullets('Environment:', environment), ...reproduce(command), stop].join('\n');
    console.log(`\n${sideBySideTable(rows)}\n\n${ratioLines.join('\n')}\n\n${loadTable.join('\n')}\n\n${environment.join('\n')}`);
    if (S.docs && S.only.length === 0) {
      writeBlock(rootPath('docs', 'BENCHMARKS.md'), 'postgres', block, '## PostgreSQL peer (`npm run bench:postgres`)');
      log('wrote docs/BENCHMARKS.md');
    }
  } finally {
    await cleanup();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
