// Starting Sluice for tests: in this process (store access for checks) or as a child process
// running the real CLI (for kill -9, restarts and several instances).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createStore, type Store } from '../../core/clickhouse.js';
import { loadConfig, type SETTINGS } from '../../core/config.js';
import { createLogger } from '../../core/logger.js';
import { rootPath } from '../../core/paths.js';
import { startSluice, type Sluice } from '../../core/runtime.js';

export type Overrides = Partial<Record<keyof typeof SETTINGS, string>>;

export function tempDir(prefix = 'sluice-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface InProcess {
  sluice: Sluice;
  store: Store;
  ingestUrl: string;
  queryUrl: string;
  writeKey: string;
  readKey: string;
  dataDir: string;
  stop(): Promise<void>;
}

export async function startInProcess(overrides: Overrides = {}): Promise<InProcess> {
  const dataDir = overrides.dataDir ?? tempDir();
  const config = loadConfig({}, { ingestPort: '0', queryPort: '0', logLevel: 'warn', adminToken: 'test-admin-token', ...overrides, dataDir });
  const sluice = await startSluice(config, { ingest: true, query: true }, createLogger(config.logLevel));
  if (!sluice.bootstrapKeys) throw new Error('expected a fresh data directory');
  return {
    sluice,
    store: sluice.store,
    ingestUrl: `http://127.0.0.1:${sluice.ingestPort}`,
    queryUrl: `http://127.0.0.1:${sluice.queryPort}`,
    writeKey: sluice.bootstrapKeys.write,
    readKey: sluice.bootstrapKeys.read,
    dataDir,
    stop: () => sluice.stop(),
  };
}

export interface Child {
  proc: ChildProcess;
  ingestUrl: string;
  queryUrl: string | null;
  dataDir: string;
  writeKey: string;
  readKey: string;
  output(): string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Runs `sluice <command>` as a child process on free ports. On a fresh directory the keys are
 * read from its first-start output; on a reused one pass the keys from before.
 */
export async function spawnSluice(opts: {
  dataDir?: string;
  command?: 'start' | 'ingest';
  env?: Record<string, string>;
  keys?: { writeKey: string; readKey: string };
  timeoutMs?: number;
}): Promise<Child> {
  const dataDir = opts.dataDir ?? tempDir();
  const command = opts.command ?? 'start';
  const proc = spawn(process.execPath, [rootPath('bin', 'sluice.js'), command], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      SLUICE_DATA_DIR: dataDir,
      SLUICE_INGEST_PORT: '0',
      SLUICE_QUERY_PORT: '0',
      SLUICE_LOG_LEVEL: 'warn',
      SLUICE_ADMIN_TOKEN: 'test-admin-token',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  const wantQuery = command === 'start';
  for (;;) {
    const ingest = /ingest: (http:\/\/[\d.]+:\d+)/.exec(out);
    const query = /query: +(http:\/\/[\d.]+:\d+)/.exec(out);
    if (ingest && (!wantQuery || query)) {
      const writeKey = /write key: (\S+)/.exec(out)?.[1] ?? opts.keys?.writeKey;
      const readKey = /read key: +(\S+)/.exec(out)?.[1] ?? opts.keys?.readKey;
      if (!writeKey || !readKey) throw new Error(`no keys: pass opts.keys for a reused data directory\n${out}`);
      return {
        proc,
        ingestUrl: ingest[1],
        queryUrl: query?.[1] ?? null,
        dataDir,
        writeKey,
        readKey,
        output: () => out,
        stop: async () => {
          proc.kill('SIGTERM');
          return exited;
        },
        kill: async (signal = 'SIGKILL') => {
          proc.kill(signal);
          await exited;
        },
      };
    }
    if (proc.exitCode !== null || Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`sluice ${command} did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Opens a stopped instance's embedded data directory for checks. */
export async function openStore(dataDir: string): Promise<Store> {
  return createStore(loadConfig({}, { dataDir }));
}

export async function postEvents(url: string, key: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json', ...headers },
    body: body as unknown as BodyInit,
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed, headers: res.headers };
}
