// Query benchmark: Sluice in this process on an embedded data directory holding a generated shop
// history (load-tests/generate-events.ts, made once and reused), timed over HTTP with the result
// cache skipped: dashboard summary sections, time series from rollups and the same from raw
// events, funnel, retention, breakdowns, percentiles, an events page. Prints the figures and
// writes them into docs/BENCHMARKS.md. Settings are BENCH_* variables (docs/BENCHMARKS.md).
//
// BENCH_SERVE=1 prepares the data and keeps serving it instead (ingest and query), printing the
// URLs and keys for load-tests/query-mix.js.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../core/config.js';
import { createLogger } from '../core/logger.js';
import { rootPath } from '../core/paths.js';
import { startSluice, type Sluice } from '../core/runtime.js';
import { envInt } from './bench/env-int.js';
import { loadAverage, machine, UsageMeter } from './bench/proc.js';
import { P95_BY_ENDPOINT, P95_BY_ENDPOINT_RAW, queryCases, type QueryCase } from './bench/query-cases.js';
import { generate, reusable, tableStats, type Marker } from './bench/query-data.js';
import { measure, QueryClient, summarize, type Summary, type Timing } from './bench/query-measure.js';
import { markdown, table, writeInto } from './bench/query-report.js';
import { DEFAULT_SEED } from './generate-events.js';

const S = {
  events: envInt('BENCH_EVENTS', 10_000_000),
  days: envInt('BENCH_DAYS', 90),
  seed: envInt('BENCH_SEED', DEFAULT_SEED),
  project: process.env.BENCH_PROJECT || 'bench',
  dataDir: path.resolve(process.env.BENCH_QUERY_DATA_DIR || '/var/tmp/sluice-bench-query'),
  runs: envInt('BENCH_RUNS', 30),
  warmup: envInt('BENCH_WARMUP', 3),
  maxDataAgeHours: envInt('BENCH_MAX_DATA_AGE_HOURS', 24),
  regenerate: process.env.BENCH_REGENERATE === '1',
  /** Only the cases whose name contains one of these (comma list), for debugging. */
  only: (process.env.BENCH_QUERIES ?? '').split(',').map((s) => s.trim()).filter(Boolean),
  serve: process.env.BENCH_SERVE === '1',
  docs: process.env.BENCH_DOCS !== '0',
};

const AIM_MS = { summary: 50, 'rollup-timeseries': 50, funnel: 1000 } as const;

const log = (msg: string): void => console.error(`[bench:query] ${msg}`);
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

function packageVersion(name: string): string {
  try {
    return (JSON.parse(fs.readFileSync(rootPath('node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

async function start(serve: boolean): Promise<{ sluice: Sluice; marker: Marker; generatedNow: boolean }> {
  const spec = { events: S.events, days: S.days, seed: S.seed, project: S.project };
  const reuse = S.regenerate ? { why: 'BENCH_REGENERATE=1' } : reusable(S.dataDir, spec, S.maxDataAgeHours);
  if ('why' in reuse) {
    log(`generating into ${S.dataDir}: ${reuse.why}`);
    fs.rmSync(S.dataDir, { recursive: true, force: true });
  } else {
    log(`reusing ${S.dataDir} (generated ${reuse.marker.generatedAt})`);
  }
  const config = loadConfig(process.env, {
    dataDir: S.dataDir,
    clickhouseUrl: '',
    ingestPort: '0',
    queryPort: '0',
    logLevel: process.env.SLUICE_LOG_LEVEL ?? 'warn',
    // Raw events must outlive the generated range (funnels and retention read them).
    retentionRawDays: String(Math.max(30, S.days + 7)),
    // One key drives all the load (the bench, or k6 against BENCH_SERVE): no per-key throttle.
    queryRateLimit: process.env.SLUICE_QUERY_RATE_LIMIT ?? '0',
    queryMaxConcurrent: process.env.SLUICE_QUERY_MAX_CONCURRENT ?? '64',
  });
  const sluice = await startSluice(config, { ingest: serve, query: true }, createLogger(config.logLevel));
  try {
    if (!(await sluice.keys.projectExists(S.project))) await sluice.keys.createProject(S.project);
    if ('marker' in reuse) return { sluice, marker: reuse.marker, generatedNow: false };
    return { sluice, marker: await generate(sluice.store, S.dataDir, spec, log), generatedNow: true };
  } catch (err) {
    await sluice.stop();
    throw err;
  }
}

/** Rollup and raw answers of the same series: same buckets and groups, p95 within 1%. */
function agreement(rollup: any, raw: any): { ok: boolean; text: string } {
  const index = (a: any): Map<string, number> => {
    const names: string[] = (a?.columns ?? []).map((c: { name: string }) => c.name);
    const [t, g, v] = ['time', 'endpoint', 'p95'].map((n) => names.indexOf(n));
    if (t < 0 || g < 0 || v < 0) throw new Error(`columns ${names.join(', ')} lack time, endpoint or p95`);
    return new Map((a.rows as unknown[][]).map((r) => [`${r[t]}|${r[g]}`, Number(r[v])]));
  };
  try {
    const a = index(rollup);
    const b = index(raw);
    const onlyOne = [...a.keys()].filter((k) => !b.has(k)).length + [...b.keys()].filter((k) => !a.has(k)).length;
    let worst = 0;
    let over = 0;
    for (const [k, x] of a) {
      const y = b.get(k);
      if (y === undefined) continue;
      const rel = Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y), 1e-9);
      worst = Math.max(worst, rel);
      if (rel > 0.01) over++;
    }
    const ok = onlyOne === 0 && over === 0 && a.size > 0;
    return { ok, text: `${ok ? 'Agree' : 'DISAGREE'}: rollup and raw answers of the p95-by-endpoint series: ${fmt(a.size)} and ${fmt(b.size)} (bucket, endpoint) rows, ${onlyOne} in one answer only, largest relative p95 difference ${(worst * 100).toFixed(3)}%${over ? `, ${over} over 1%` : ''}.` };
  } catch (err) {
    return { ok: false, text: `DISAGREE: the rollup and raw answers could not be compared: ${(err as Error).message}` };
  }
}

function aims(rows: Summary[]): string[] {
  const out: string[] = [];
  for (const [aim, limit] of Object.entries(AIM_MS) as [keyof typeof AIM_MS, number][]) {
    const of = rows.filter((r) => r.aim === aim);
    if (of.length === 0) continue;
    const missed = of.filter((r) => r.runs === 0 || !(r.p95Ms < limit) || (aim === 'rollup-timeseries' && !r.source.startsWith('rollup')));
    const label = { summary: 'Dashboard summary sections', 'rollup-timeseries': 'Time series from rollups', funnel: 'Funnel' }[aim];
    const detail = missed.map((r) => `${r.name}: ${r.runs === 0 ? 'failed' : `p95 ${fmt(r.p95Ms)} ms from ${r.source}`}`).join('; ');
    out.push(`Aim: ${label} p95 under ${fmt(limit)} ms at ${fmt(S.events)} events: **${missed.length === 0 ? 'met' : `not met`}**${missed.length ? ` (${detail})` : ''}.`);
  }
  return out;
}

async function serve(sluice: Sluice): Promise<void> {
  const read = await sluice.keys.createKey(S.project, 'read', 'bench-query-serve');
  const write = await sluice.keys.createKey(S.project, 'write', 'bench-query-serve');
  console.log(`export SLUICE_INGEST_URL=http://127.0.0.1:${sluice.ingestPort} SLUICE_WRITE_KEY=${write.key}`);
  console.log(`export SLUICE_QUERY_URL=http://127.0.0.1:${sluice.queryPort} SLUICE_READ_KEY=${read.key}`);
  log('serving until SIGINT or SIGTERM');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  log('stopping');
}

async function main(): Promise<void> {
  const started = new Date();
  const loadBefore = loadAverage();
  const { sluice, marker, generatedNow } = await start(S.serve);
  let timings: Timing[] = [];
  let stats: Awaited<ReturnType<typeof tableStats>> = [];
  let clickhouseVersion = '';
  let cpu = '';
  let timedAt = Date.now();
  try {
    if (S.serve) return await serve(sluice);
    stats = await tableStats(sluice.store);
    clickhouseVersion = (await sluice.store.rows<{ v: string }>('SELECT version() AS v'))[0].v;
    const key = await sluice.keys.createKey(S.project, 'read', 'bench-query');
    const client = new QueryClient(`http://127.0.0.1:${sluice.queryPort}`, key.key);
    const cases = queryCases().filter((c: QueryCase) => S.only.length === 0 || S.only.some((o) => c.name.includes(o)));
    log(`${cases.length} queries, ${S.warmup} warm-up + ${S.runs} timed runs each`);
    timedAt = Date.now();
    const meter = new UsageMeter(() => [process.pid]);
    meter.start();
    timings = await measure(client, cases, S.runs, S.warmup, log);
    const usage = meter.stop();
    cpu = `this process (server and client) used ${fmt(usage.cpuPercent)}% CPU during the timed rounds (${usage.threads.slice(0, 4).map(([k, v]) => `${k} ${fmt(v)}%`).join(', ')}), the whole machine ${fmt(usage.machineCpuPercent)}%`;
  } finally {
    await sluice.stop();
  }

  const rows = timings.map(summarize);
  const findings: string[] = [];
  const rollup = timings.find((t) => t.case.body === P95_BY_ENDPOINT);
  const raw = timings.find((t) => t.case.body === P95_BY_ENDPOINT_RAW);
  if (rollup && raw && rollup.last && raw.last) {
    const [a, b] = [summarize(rollup), summarize(raw)];
    findings.push(`Raw events / rollup for the same 7-day p95-by-endpoint series: **${(b.p50Ms / a.p50Ms).toFixed(1)}×** at p50, **${(b.p95Ms / a.p95Ms).toFixed(1)}×** at p95 (${a.source} vs ${b.source}; rows read ${a.rowsRead === null ? '?' : fmt(a.rowsRead)} vs ${b.rowsRead === null ? '?' : fmt(b.rowsRead)}).`);
    const agree = agreement(rollup.last, raw.last);
    findings.push(agree.text);
    if (!agree.ok) process.exitCode = 1;
  }
  findings.push(...aims(rows));
  const failed = rows.filter((r) => r.failures.length > 0);
  if (failed.length) findings.push(`Failed answers: ${failed.map((r) => `${r.name} (${r.failures.join('; ')})`).join('; ')}.`);

  const age = (timedAt - marker.end) / 3_600_000;
  const m = machine();
  const data = [
    `${fmt(marker.rows)} events over ${marker.days} days in project \`${marker.project}\` (seed ${marker.seed}), ending ${new Date(marker.end).toISOString().slice(0, 16).replace('T', ' ')} UTC, ${age.toFixed(1)} h before the timed queries`,
    `Generated ${generatedNow ? 'in this run' : `on ${marker.generatedAt.slice(0, 16).replace('T', ' ')} UTC by an earlier run`}: ${fmt(marker.rowsPerSecond)} rows/s (${fmt(marker.rows)} rows in ${marker.seconds.toFixed(0)} s, ${marker.inserts} inserts through the ingest sink's insert, rollup views firing), then ${marker.settleSeconds.toFixed(0)} s until background merges settled`,
    `Tables when timed: ${stats.map((s) => `${s.table} ${fmt(s.rows)} rows in ${s.parts} parts (${fmt(s.bytes / 1_048_576)} MiB)`).join('; ')}`,
  ];
  const environment = [
    `Date: ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC; the whole bench took ${((Date.now() - started.getTime()) / 60_000).toFixed(1)} min`,
    `Machine: ${m.cores} cores (${m.cpuModel}), ${m.memoryGb} GB memory, Linux ${os.release()}; ${cpu}`,
    `Load average (1, 5, 15 min) before: ${loadBefore}; after: ${loadAverage()}`,
    `Node ${process.version}, chdb ${packageVersion('chdb')}, ClickHouse ${clickhouseVersion}, @clickhouse/client ${packageVersion('@clickhouse/client')}, uWebSockets.js ${packageVersion('uWebSockets.js')}`,
    `${S.warmup} warm-up and ${S.runs} timed runs per query, one query at a time in rounds over all queries, \`Cache-Control: no-cache\` on every request; p50/p95 are HTTP round trips measured by the client in the same process, server p50 is the answer's \`meta.elapsed_ms\``,
  ];
  const given = Object.keys(process.env).filter((k) => (k.startsWith('BENCH_') || k.startsWith('SLUICE_')) && k !== 'BENCH_DOCS');
  const command = `${given.map((k) => `${k}=${process.env[k]} `).join('')}npm run bench:query`;

  console.log(`\n${table(rows)}\n`);
  for (const l of [...findings, ...data, ...environment]) console.log(l);
  if (S.docs && S.only.length === 0) {
    const file = rootPath('docs', 'BENCHMARKS.md');
    writeInto(file, markdown({ rows, findings, data, environment, command }));
    log(`wrote ${path.relative(process.cwd(), file)}`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
