// The Sluice server under test: the real CLI as a child process (with optional node flags,
// e.g. --cpu-prof, which NODE_OPTIONS refuses), and its /metrics.
import { spawn, type ChildProcess } from 'node:child_process';
import { rootPath } from '../../core/paths.js';
import { tempDir } from '../../test/helpers/sluice.js';

export interface Server {
  proc: ChildProcess;
  pid: number;
  ingestUrl: string;
  writeKey: string;
  dataDir: string;
  output(): string;
  /** SIGTERM (graceful: the spool is flushed) and wait for the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `sluice start` on a fresh data directory and free ports; the write key comes from its first-start output. */
export async function startServer(env: Record<string, string>, nodeArgs: string[] = []): Promise<Server> {
  const dataDir = tempDir('sluice-bench-');
  const proc = spawn(process.execPath, [...nodeArgs, rootPath('bin', 'sluice.js'), 'start'], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, SLUICE_LOG_LEVEL: 'warn', ...env, SLUICE_DATA_DIR: dataDir, SLUICE_INGEST_PORT: '0', SLUICE_QUERY_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const deadline = Date.now() + 120_000;
  for (;;) {
    const ingest = /ingest: (http:\/\/[\d.]+:\d+)/.exec(out);
    const writeKey = /write key: (\S+)/.exec(out)?.[1];
    if (ingest && writeKey) {
      return {
        proc,
        pid: proc.pid!,
        ingestUrl: ingest[1],
        writeKey,
        dataDir,
        output: () => out,
        stop: () => {
          proc.kill('SIGTERM');
          return exited;
        },
      };
    }
    if (proc.exitCode !== null || Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`sluice start did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Prometheus text -> sample value by series name (with labels, if any). */
export async function scrape(ingestUrl: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${ingestUrl}/metrics`)).text();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const sp = line.lastIndexOf(' ');
    out.set(line.slice(0, sp), Number(line.slice(sp + 1)));
  }
  return out;
}

export interface BatchStats {
  inserts: number;
  avgRows: number;
  avgInsertMs: number;
}

/** Inserts made between two scrapes: how many, their average size and duration. */
export function batchStats(before: Map<string, number>, after: Map<string, number>): BatchStats {
  const d = (k: string): number => (after.get(k) ?? 0) - (before.get(k) ?? 0);
  const inserts = d('sluice_batch_rows_count');
  return {
    inserts,
    avgRows: inserts > 0 ? d('sluice_batch_rows_sum') / inserts : 0,
    avgInsertMs: inserts > 0 ? (d('sluice_flush_seconds_sum') / d('sluice_flush_seconds_count')) * 1000 : 0,
  };
}
