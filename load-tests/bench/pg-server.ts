// A throwaway PostgreSQL cluster for the PostgreSQL peer bench: initdb on a temporary directory
// and pg_ctl, both as the `postgres` OS user (the server refuses to run as root), listening on
// 127.0.0.1 only on a free port, no Unix socket. stop() shuts it down and removes the directory.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export interface PgCluster {
  dir: string;
  port: number;
  binDir: string;
  stop(): void;
}

/** The PostgreSQL 15 binaries of Debian's package. */
export function pgBinDir(): string {
  const dir = '/usr/lib/postgresql/15/bin';
  if (!fs.existsSync(path.join(dir, 'initdb'))) throw new Error(`PostgreSQL 15 not found in ${dir}: run scripts/ensure-debian.sh postgresql`);
  return dir;
}

export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Runs a command as the postgres OS user when this process is root, else as itself. */
function asPostgres(cmd: string, args: string[]): string {
  const root = process.getuid?.() === 0;
  return execFileSync(root ? 'runuser' : cmd, root ? ['-u', 'postgres', '--', cmd, ...args] : args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * Settings a team would give a dedicated analytics box of this size: a quarter of memory for
 * shared buffers is capped at 2 GB here (the machine is shared), parallel scans on both cores,
 * and WAL-less bulk loads (wal_level=minimal lets COPY into a table created in the same
 * transaction skip WAL).
 */
export const PG_SETTINGS: Record<string, string> = {
  listen_addresses: "'127.0.0.1'",
  unix_socket_directories: "''",
  shared_buffers: "'2GB'",
  work_mem: "'64MB'",
  maintenance_work_mem: "'1GB'",
  effective_cache_size: "'8GB'",
  max_parallel_workers_per_gather: '2',
  max_wal_size: "'4GB'",
  wal_level: 'minimal',
  max_wal_senders: '0',
  jit: 'off',
  random_page_cost: '1.1',
  timezone: "'UTC'",
};

export async function startPg(baseDir: string, log: (m: string) => void): Promise<PgCluster> {
  const binDir = pgBinDir();
  const dir = path.join(baseDir, 'pgdata');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (process.getuid?.() === 0) {
    // The postgres user must reach and own the data directory.
    execFileSync('chown', ['-R', 'postgres:postgres', dir]);
    fs.chmodSync(baseDir, 0o755);
  }
  asPostgres(path.join(binDir, 'initdb'), ['-D', dir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8', '--no-instructions']);
  const port = await freePort();
  const conf = Object.entries({ ...PG_SETTINGS, port: String(port) }).map(([k, v]) => `${k} = ${v}`).join('\n');
  fs.appendFileSync(path.join(dir, 'postgresql.conf'), `\n# bench-postgres\n${conf}\n`);
  let running = false;
  const stop = (): void => {
    if (running) {
      running = false;
      try {
        asPostgres(path.join(binDir, 'pg_ctl'), ['-D', dir, '-m', 'fast', '-w', 'stop']);
      } catch (err) {
        log(`pg_ctl stop failed: ${(err as Error).message}`);
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    running = true;
    asPostgres(path.join(binDir, 'pg_ctl'), ['-D', dir, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  } catch (err) {
    const tail = fs.existsSync(path.join(dir, 'server.log')) ? fs.readFileSync(path.join(dir, 'server.log'), 'utf8').slice(-2000) : '';
    stop();
    throw new Error(`PostgreSQL did not start: ${(err as Error).message}\n${tail}`);
  }
  log(`PostgreSQL running on 127.0.0.1:${port}, data in ${dir}`);
  return { dir, port, binDir, stop };
}
