import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';

export interface RedisHandle {
  url: string;
  port: number;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 3_000;
// Another process can grab the free port between our probe and redis binding it.
const START_ATTEMPTS = 3;

class EarlyExitError extends Error {}

function findOnPath(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, cmd);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function ping(port: number): Promise<boolean> {
  const client = new Redis({
    host: HOST,
    port,
    lazyConnect: true,
    connectTimeout: 500,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

async function startOnce(bin: string): Promise<RedisHandle> {
  const port = await freePort();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sluice-redis-'));
  const child = spawn(
    bin,
    [
      '--port', String(port),
      '--bind', HOST,
      '--protected-mode', 'no',
      '--save', '',
      '--appendonly', 'no',
      '--dir', dir,
      '--loglevel', 'warning',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );

  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);

  // A failed spawn emits 'error' and never 'exit'.
  let spawnFailed = false;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', (err) => {
      spawnFailed = true;
      output += `\n${err.message}`;
      resolve();
    });
  });
  const hasExited = () => spawnFailed || child.exitCode !== null || child.signalCode !== null;
  // A crashed test run must not leave redis-server processes behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      process.off('exit', killOnExit);
      if (!hasExited()) {
        child.kill('SIGTERM');
        const graceful = await Promise.race([
          exited.then(() => true),
          sleep(STOP_GRACE_MS).then(() => false),
        ]);
        if (!graceful) {
          child.kill('SIGKILL');
          await exited;
        }
      }
      await rm(dir, { recursive: true, force: true });
    })());

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (hasExited()) break;
    if (await ping(port)) {
      return { url: `redis://${HOST}:${port}`, port, stop };
    }
    await sleep(50);
  }

  const early = hasExited();
  await stop();
  if (early) {
    throw new EarlyExitError(
      `redis-server on port ${port} exited early (code ${child.exitCode}, signal ${child.signalCode})\n${output.trim()}`,
    );
  }
  throw new Error(
    `redis-server on port ${port} did not answer PING within ${READY_TIMEOUT_MS} ms\n${output.trim()}`,
  );
}

export async function startRedis(): Promise<RedisHandle> {
  const bin = findOnPath('redis-server');
  if (!bin) {
    throw new Error(
      'redis-server not found on PATH; install it with: scripts/ensure-debian.sh redis-server',
    );
  }
  let lastError: unknown;
  for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
    try {
      return await startOnce(bin);
    } catch (err) {
      if (!(err instanceof EarlyExitError)) throw err;
      lastError = err;
    }
  }
  throw lastError;
}
