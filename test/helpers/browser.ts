// Browser tests of the Grafana plugins: the page of grafana-plugin/browser-test served by Vite
// (a child process, with its emulation of Grafana's data-source proxy) and Debian's Chromium
// driven by playwright-core.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { rootPath } from '../../core/paths.js';
import { until } from './until.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PLUGIN_ROOT = rootPath('grafana-plugin');
const VITE = path.join(PLUGIN_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
const PAGE_DIR = path.join(PLUGIN_ROOT, 'browser-test');

// As NOTES-platform.md "Chromium" lists them: no sandbox (root in a container), no GPU, nothing
// reaching out to the network on its own.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface PluginPage {
  /** Base URL of the page, e.g. http://127.0.0.1:41234/ */
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Serves grafana-plugin/browser-test with Vite. `readKey` is what the emulated data-source proxy
 * adds for data source `sluice`; `wrongReadKey` for data source `sluice-wrong-key`.
 */
export async function startPluginPage(opts: { queryUrl: string; readKey: string; wrongReadKey?: string; timeoutMs?: number }): Promise<PluginPage> {
  for (const [what, file] of [
    ['Vite (npm install in grafana-plugin/)', VITE],
    ['the browser-test page', path.join(PAGE_DIR, 'vite.config.ts')],
  ]) {
    if (!fs.existsSync(file)) throw new Error(`${what} is missing: ${file}. Run node scripts/setup.mjs --test first.`);
  }
  const port = await freePort();
  const proc: ChildProcess = spawn(process.execPath, [VITE, '--config', path.join(PAGE_DIR, 'vite.config.ts')], {
    cwd: PAGE_DIR,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: String(port),
      SLUICE_QUERY_URL: opts.queryUrl,
      SLUICE_READ_KEY: opts.readKey,
      SLUICE_WRONG_READ_KEY: opts.wrongReadKey ?? 'slr_not_a_key_of_this_sluice',
      VITE_LOG_LEVEL: 'warn',
      NODE_ENV: 'development',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const url = `http://127.0.0.1:${port}/`;
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
  };
  try {
    await until(
      async () => {
        if (proc.exitCode !== null) throw new Error(`vite exited with ${proc.exitCode}`);
        const res = await fetch(url);
        return res.ok;
      },
      () => `the plugin page at ${url}; vite said:\n${out}`,
      opts.timeoutMs ?? 60_000,
      200,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, output: () => out, stop };
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Debian's Chromium through playwright-core; a missing browser is an error, never a skip. */
export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`Chromium is missing at ${CHROMIUM}: the Grafana plugin browser tests need it (node scripts/setup.mjs --test installs Debian's chromium package)`);
  }
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 1000 },
    timeout: 60_000,
  });
  return {
    context,
    close: async () => {
      await context.close().catch(() => undefined);
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

export const ARTIFACTS = rootPath('test-artifacts', 'grafana');
