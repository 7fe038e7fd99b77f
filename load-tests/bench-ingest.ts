// Ingest benchmark: a real Sluice child process under load from separate generator processes
// (HTTP NDJSON batches, single-event POSTs, WebSocket frames), then the same rows inserted
// straight into ClickHouse as the baseline. Prints the figures and writes them into
// docs/BENCHMARKS.md. Sizes come from BENCH_* variables (listed in docs/BENCHMARKS.md).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { rootPath } from '../core/paths.js';
import { openStore, tempDir } from '../test/helpers/sluice.js';
import { percentile, startGenerators } from './bench/generators.js';
import { loadAverage, machine, UsageMeter } from './bench/proc.js';
import type { LoadKind, LoadResult } from './bench/protocol.js';
import { runRawInsert, type RawResult } from './bench/raw-insert.js';
import { markdown, table, writeInto, type Row } from './bench/report.js';
import { writeRowsFile } from './bench/rows.js';
import { batchStats, scrape, startServer, type BatchStats, type Server } from './bench/server.js';

function ints(name: string, fallback: number[]): number[] {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  return raw.split(',').map((part) => {
    const n = Number(part.trim().replace(/_/g, ''));
    if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer (or a comma list of them), got "${raw}"`);
    return n;
  });
}
const int = (name: string, fallback: number): number => ints(name, [fallback])[0];

const S = {
  events: int('BENCH_EVENTS', 2_000_000),
  batch: int('BENCH_BATCH', 100),
  /** A list runs the HTTP batch scenario once per value. */
  connections: ints('BENCH_CONNECTIONS', [32, 256]),
  ack: (process.env.BENCH_ACK || 'stored') as 'stored' | 'spooled',
  generators: int('BENCH_GENERATORS', 2),
  maxSeconds: int('BENCH_MAX_SECONDS', 75),
  singleEvents: int('BENCH_SINGLE_EVENTS', 50_000),
  singleConnections: int('BENCH_SINGLE_CONNECTIONS', 32),
  singleSeconds: int('BENCH_SINGLE_SECONDS', 30),
  wsEvents: int('BENCH_WS_EVENTS', 1_000_000),
  wsConnections: int('BENCH_WS_CONNECTIONS', 100),
  wsInflight: int('BENCH_WS_INFLIGHT', 4),
  warmupEvents: int('BENCH_WARMUP_EVENTS', 20_000),
  rawRows: int('BENCH_RAW_ROWS', 1_000_000),
  rawConcurrency: int('BENCH_RAW_CONCURRENCY', 2),
  rawSeconds: int('BENCH_RAW_SECONDS', 60),
  scenarios: new Set((process.env.BENCH_SCENARIOS || 'http-batch,http-single,ws,raw').split(',').map((s) => s.trim())),
  docs: process.env.BENCH_DOCS !== '0',
  keep: process.env.BENCH_KEEP === '1',
  /** Node flags for the server process, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof". */
  serverNodeArgs: (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean),
};

// Server settings given to the bench (SLUICE_BATCH_LINGER=...) reach the server; where it
// keeps data and which ports it takes are the bench's business.
const serverEnv: Record<string, string> = Object.fromEntries(
  Object.entries(process.env).filter(([k, v]) => k.startsWith('SLUICE_') && v !== undefined && !['SLUICE_DATA_DIR', 'SLUICE_INGEST_PORT', 'SLUICE_QUERY_PORT'].includes(k)) as [string, string][],
);

interface ScenarioResult {
  row: Row;
  load: LoadResult;
  batches: BatchStats;
  threads: string;
}

interface ScenarioOptions {
  events: number;
  batch: number;
  connections: number;
  generators: number;
  inflight?: number;
  maxSeconds: number;
}

const log = (msg: string): void => console.error(`[bench] ${msg}`);
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

async function scenario(server: Server, name: string, kind: LoadKind, o: ScenarioOptions): Promise<ScenarioResult> {
  log(`${name}: up to ${fmt(o.events)} events or ${o.maxSeconds} s`);
  const gens = await startGenerators(o.generators, {
    kind,
    url: server.ingestUrl,
    writeKey: server.writeKey,
    events: o.events,
    batchSize: o.batch,
    connections: o.connections,
    inflight: o.inflight ?? 1,
    ack: S.ack,
    maxSeconds: o.maxSeconds,
  });
  const before = await scrape(server.ingestUrl);
  const meter = new UsageMeter(() => [server.pid]);
  meter.start();
  const load = await gens.run();
  const usage = meter.stop();
  const batches = batchStats(before, await scrape(server.ingestUrl));
  const seconds = (load.lastAnswerAt - load.firstSendAt) / 1000;
  const latencies = Array.from(Float64Array.from(load.latenciesMs).sort());
  const generatorCpu = (load.cpuSeconds / usage.wallSeconds) * 100;
  const problems = [
    ...Object.entries(load.failures).map(([k, v]) => `${v} requests failed (${k})`),
    load.rejected ? `${load.rejected} rejected` : '',
    load.duplicates ? `${load.duplicates} duplicates` : '',
    load.retries ? `${load.retries} retried after 429` : '',
    load.timedOut ? `stopped at the ${o.maxSeconds} s cap` : '',
  ].filter(Boolean);
  const row: Row = {
    name,
    rate: load.acked / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    cpuPercent: usage.cpuPercent,
    peakRssMb: usage.peakRssMb,
    generatorCpuPercent: generatorCpu,
    otherCpuPercent: Math.max(0, usage.machineCpuPercent - usage.cpuPercent - generatorCpu),
    count: load.acked,
    seconds,
    note: [`${fmt(batches.avgRows)} rows/insert, ${fmt(batches.avgInsertMs)} ms/insert (avg)`, `${Math.round(load.eventBytes)} B/event`, ...problems].join('; '),
  };
  const threads = usage.threads.map(([k, v]) => `${k} ${Math.round(v)}%`).join(', ');
  log(`${name}: ${fmt(row.rate)} events/s, p50 ${row.p50Ms?.toFixed(1)} ms, p99 ${row.p99Ms?.toFixed(1)} ms, server CPU ${fmt(row.cpuPercent)}% (${threads}), other processes ${fmt(row.otherCpuPercent ?? 0)}%; ${row.note}`);
  return { row, load, batches, threads };
}

async function rawBaselines(sizes: number[], work: string): Promise<Map<number, RawResult>> {
  const rowsFile = path.join(work, 'rows.ndjson');
  log(`raw baseline: writing ${fmt(S.rawRows)} rows`);
  writeRowsFile(rowsFile, S.rawRows);
  const out = new Map<number, RawResult>();
  for (const size of sizes) {
    const dataDir = fs.mkdtempSync(path.join(work, 'raw-'));
    log(`raw baseline: ${fmt(size)}-row batches, ${S.rawConcurrency} in flight`);
    const r = await runRawInsert({ dataDir, rowsFile, batchRows: size, concurrency: S.rawConcurrency, maxSeconds: S.rawSeconds });
    fs.rmSync(dataDir, { recursive: true, force: true });
    log(`raw baseline: ${fmt(size)}-row batches: ${fmt(r.rowsPerSecond)} rows/s, CPU ${fmt(r.cpuPercent)}%`);
    out.set(size, r);
  }
  fs.rmSync(rowsFile, { force: true });
  return out;
}

async function main(): Promise<void> {
  const started = new Date();
  const loadBefore = loadAverage();
  const work = tempDir('sluice-bench-work-');
  const rows: Row[] = [];
  const checks: string[] = [];
  const ratios: string[] = [];
  const threads: string[] = [];
  const httpBatches: ScenarioResult[] = [];
  const acked = { http: 0, ws: 0 };
  const record = (r: ScenarioResult): void => {
    rows.push(r.row);
    threads.push(`${r.row.name}: ${r.threads}`);
  };

  const server = await startServer(serverEnv, S.serverNodeArgs);
  log(`sluice pid ${server.pid} on ${server.ingestUrl}, data in ${server.dataDir}`);
  try {
    const common = { batch: S.batch, generators: S.generators, maxSeconds: S.maxSeconds };
    if (S.warmupEvents > 0) {
      const w = await scenario(server, 'warm-up', 'http-batch', { ...common, events: S.warmupEvents, connections: 8, generators: 1 });
      acked.http += w.load.acked;
    }
    if (S.scenarios.has('http-batch')) {
      for (const connections of S.connections) {
        const r = await scenario(server, `HTTP NDJSON, ${S.batch} events/request, ${connections} connections, ack=${S.ack}`, 'http-batch', { ...common, events: S.events, connections });
        acked.http += r.load.acked;
        httpBatches.push(r);
        record(r);
      }
    }
    if (S.scenarios.has('http-single')) {
      const r = await scenario(server, `HTTP, 1 event/request, ${S.singleConnections} connections, ack=${S.ack}`, 'http-single', { ...common, batch: 1, events: S.singleEvents, connections: S.singleConnections, maxSeconds: S.singleSeconds });
      acked.http += r.load.acked;
      record(r);
    }
    if (S.scenarios.has('ws')) {
      const r = await scenario(server, `WebSocket, ${S.batch} events/frame, ${S.wsConnections} connections × ${S.wsInflight} frames in flight, ack=${S.ack}`, 'ws', { ...common, events: S.wsEvents, connections: S.wsConnections, inflight: S.wsInflight });
      acked.ws += r.load.acked;
      record(r);
    }
  } finally {
    const code = await server.stop();
    if (code !== 0) log(`sluice exited with ${code}:\n${server.output()}`);
  }

  // Everything acknowledged must be in ClickHouse once the server has stopped.
  const store = await openStore(server.dataDir);
  let clickhouseVersion = '';
  try {
    const bySource = new Map((await store.rows<{ source: string; n: string }>(`SELECT source, count() AS n FROM ${store.db}.events GROUP BY source`)).map((r) => [r.source, Number(r.n)]));
    clickhouseVersion = (await store.rows<{ v: string }>('SELECT version() AS v'))[0].v;
    for (const source of ['http', 'ws'] as const) {
      const stored = bySource.get(source) ?? 0;
      const ok = stored === acked[source];
      checks.push(`${ok ? 'Verified' : 'MISMATCH'}: ${fmt(stored)} events with source=${source} stored after a graceful stop, ${fmt(acked[source])} acknowledged (warm-up included).`);
      if (!ok) process.exitCode = 1;
    }
  } finally {
    await store.close();
  }

  if (S.scenarios.has('raw')) {
    const sluiceSizes = httpBatches.map((r) => Math.max(1, Math.round(r.batches.avgRows)));
    const raw = await rawBaselines([...new Set([...sluiceSizes, 50_000])], work);
    for (const [size, r] of raw) {
      const origin = sluiceSizes.includes(size) ? " (Sluice's average insert above)" : '';
      const stored = r.stored === r.rows ? 'all rows stored' : `MISMATCH: ${fmt(r.stored)} stored`;
      rows.push({
        name: `Raw @clickhouse/client insert, ${fmt(size)}-row batches${origin}`,
        rate: r.rowsPerSecond,
        cpuPercent: r.cpuPercent,
        peakRssMb: r.peakRssMb,
        otherCpuPercent: Math.max(0, r.machineCpuPercent - r.cpuPercent),
        count: r.rows,
        seconds: r.seconds,
        note: [`${r.inserts} inserts, ${S.rawConcurrency} in flight`, stored, r.timedOut ? `stopped at the ${S.rawSeconds} s cap` : ''].filter(Boolean).join('; '),
      });
      if (r.stored !== r.rows) process.exitCode = 1;
    }
    for (const [i, h] of httpBatches.entries()) {
      for (const size of new Set([sluiceSizes[i], 50_000])) {
        ratios.push(`${h.row.name} / raw insert in ${fmt(size)}-row batches: **${(h.row.rate / raw.get(size)!.rowsPerSecond).toFixed(2)}**`);
      }
    }
  }
  if (!S.keep) {
    fs.rmSync(server.dataDir, { recursive: true, force: true });
    fs.rmSync(work, { recursive: true, force: true });
  }

  const m = machine();
  const environment = [
    `Date: ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC; the whole bench took ${((Date.now() - started.getTime()) / 60_000).toFixed(1)} min`,
    `Machine: ${m.cores} cores (${m.cpuModel}), ${m.memoryGb} GB memory, Linux ${os.release()}`,
    `Load average (1, 5, 15 min) before: ${loadBefore}; after: ${loadAverage()}`,
    `Node ${process.version}, chdb ${packageVersion('chdb')}, ClickHouse ${clickhouseVersion}, @clickhouse/client ${packageVersion('@clickhouse/client')}, uWebSockets.js ${packageVersion('uWebSockets.js')}, ws ${packageVersion('ws')}`,
  ];
  const settings = [
    `BENCH_EVENTS=${S.events} BENCH_BATCH=${S.batch} BENCH_CONNECTIONS=${S.connections.join(',')} BENCH_ACK=${S.ack} BENCH_GENERATORS=${S.generators} BENCH_MAX_SECONDS=${S.maxSeconds}`,
    `BENCH_SINGLE_EVENTS=${S.singleEvents} BENCH_SINGLE_CONNECTIONS=${S.singleConnections} BENCH_SINGLE_SECONDS=${S.singleSeconds}`,
    `BENCH_WS_EVENTS=${S.wsEvents} BENCH_WS_CONNECTIONS=${S.wsConnections} BENCH_WS_INFLIGHT=${S.wsInflight} BENCH_WARMUP_EVENTS=${S.warmupEvents}`,
    `BENCH_RAW_ROWS=${S.rawRows} BENCH_RAW_CONCURRENCY=${S.rawConcurrency} BENCH_RAW_SECONDS=${S.rawSeconds}`,
    `Server: ${Object.entries(serverEnv).map(([k, v]) => `${k}=${v}`).join(' ') || 'default settings'}, SLUICE_LOG_LEVEL=warn${S.serverNodeArgs.length ? `, node ${S.serverNodeArgs.join(' ')}` : ''}`,
  ];
  const given = Object.keys(process.env).filter((k) => (k.startsWith('BENCH_') || k.startsWith('SLUICE_')) && k !== 'BENCH_DOCS');
  const command = `${given.map((k) => `${k}=${process.env[k]} `).join('')}npm run bench:ingest`;

  console.log(`\n${table(rows)}\n`);
  for (const l of [...ratios, ...checks, ...threads, ...environment, ...settings]) console.log(l);
  if (S.docs) {
    const file = rootPath('docs', 'BENCHMARKS.md');
    writeInto(file, markdown({ rows, ratios, checks, threads, environment, settings, command }));
    log(`wrote ${path.relative(process.cwd(), file)}`);
  }
}

function packageVersion(name: string): string {
  try {
    return (JSON.parse(fs.readFileSync(rootPath('node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
