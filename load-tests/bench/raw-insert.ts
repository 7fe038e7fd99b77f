// The raw baseline, in its own process (one embedded engine per process): the rows of a
// JSONEachRow file inserted straight into a fresh, migrated data directory with
// @clickhouse/client, in batches of a given size, `concurrency` inserts in flight.
import fs from 'node:fs';
import { fork } from 'node:child_process';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createStore } from '../../core/clickhouse.js';
import { loadConfig } from '../../core/config.js';
import { migrate } from '../../schema/migrate.js';
import { machineCpuSeconds } from './proc.js';
import { splitLines } from './rows.js';

export interface RawPlan {
  dataDir: string;
  rowsFile: string;
  batchRows: number;
  concurrency: number;
  /** No new insert starts after this many seconds. */
  maxSeconds: number;
}

export interface RawResult {
  rows: number;
  inserts: number;
  seconds: number;
  rowsPerSecond: number;
  stored: number;
  cpuPercent: number;
  /** CPU of every process on the machine during the inserts (percent of one core). */
  machineCpuPercent: number;
  peakRssMb: number;
  timedOut: boolean;
}

async function main(plan: RawPlan): Promise<RawResult> {
  const config = loadConfig({}, { dataDir: plan.dataDir, logLevel: 'warn' });
  const store = await createStore(config);
  try {
    await migrate(store, config);
    const batches = splitLines(fs.readFileSync(plan.rowsFile), plan.batchRows);
    const table = `${store.db}.events`;
    let next = 0;
    let rows = 0;
    let timedOut = false;
    const cpu0 = process.cpuUsage();
    const machine0 = machineCpuSeconds();
    const t0 = performance.now();
    const stopAt = t0 + plan.maxSeconds * 1000;
    const worker = async (): Promise<void> => {
      while (next < batches.length) {
        if (performance.now() > stopAt) {
          timedOut = true;
          return;
        }
        const b = batches[next++];
        rows += b.rows;
        // exec with a byte stream: client.insert() wants objects for JSON formats.
        const { stream } = await store.client.exec({ query: `INSERT INTO ${table} FORMAT JSONEachRow`, values: Readable.from([b.body], { objectMode: false }) });
        stream.resume();
      }
    };
    await Promise.all(Array.from({ length: plan.concurrency }, worker));
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const machineCpu = machineCpuSeconds() - machine0;
    const [{ n }] = await store.rows<{ n: string }>(`SELECT count() AS n FROM ${table}`);
    return {
      rows,
      inserts: next,
      seconds,
      rowsPerSecond: rows / seconds,
      stored: Number(n),
      cpuPercent: ((cpu.user + cpu.system) / 1e6 / seconds) * 100,
      machineCpuPercent: (machineCpu / seconds) * 100,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      timedOut,
    };
  } finally {
    await store.close();
  }
}

/** Runs one baseline in a child process. */
export function runRawInsert(plan: RawPlan): Promise<RawResult> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [JSON.stringify(plan)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result: RawResult | null = null;
    child.on('message', (m: RawResult) => (result = m));
    child.on('exit', (code) => (result ? resolve(result) : reject(new Error(`raw insert process exited with ${code}`))));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.send) {
  main(JSON.parse(process.argv[2]) as RawPlan).then(
    (r) => process.send!(r, () => process.exit(0)),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
