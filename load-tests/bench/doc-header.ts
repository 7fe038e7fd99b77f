// The head of docs/BENCHMARKS.md: the machine, the versions and the command behind the figures
// (`npm run bench` writes it after its benches; each block below also states its own date).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { rootPath } from '../../core/paths.js';
import { markers, writeBlock } from './doc-block.js';
import { machine } from './proc.js';

export interface HeaderInfo {
  date: Date;
  cores: number;
  cpuModel: string;
  memoryGb: number;
  kernel: string;
  versions: [string, string][];
  command: string;
}

export function headerBlock(h: HeaderInfo): string {
  const { start, end } = markers('header');
  return [
    start,
    '',
    `- Machine: ${h.cores} cores (${h.cpuModel}), ${h.memoryGb} GB memory, Linux ${h.kernel}`,
    `- Versions: ${h.versions.map(([name, v]) => `${name} ${v}`).join(', ')}`,
    `- Date: ${h.date.toISOString().slice(0, 16).replace('T', ' ')} UTC (each block below states when it ran)`,
    `- Command: \`${h.command}\` (ingest, query, alerts and PostgreSQL peer benches, each writing its block)`,
    '',
    end,
  ].join('\n');
}

/** First line a command prints, or '?' when it is not there. */
function firstLine(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0].trim();
  } catch {
    return '?';
  }
}

function packageVersion(name: string): string {
  try {
    return (JSON.parse(fs.readFileSync(rootPath('node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

/** k6 from PATH, else where scripts/install-k6.sh builds it. */
function k6Version(): string {
  for (const bin of ['k6', `${os.homedir()}/go/bin/k6`]) {
    const line = firstLine(bin, ['version']);
    const v = /v\d+\.\d+\.\d+/.exec(line)?.[0];
    if (v) return v;
  }
  return 'not installed';
}

export async function currentHeader(command: string): Promise<HeaderInfo> {
  const m = machine();
  const { query } = (await import('chdb')) as { query: (sql: string, format: string) => string };
  const clickhouse = query('SELECT version()', 'TSV').trim();
  const postgres = /\d+(\.\d+)+/.exec(firstLine('/usr/lib/postgresql/15/bin/postgres', ['--version']))?.[0] ?? 'not installed';
  return {
    date: new Date(),
    cores: m.cores,
    cpuModel: m.cpuModel,
    memoryGb: m.memoryGb,
    kernel: os.release(),
    versions: [
      ['Node', process.version],
      ['chdb', packageVersion('chdb')],
      ['ClickHouse', clickhouse],
      ['PostgreSQL', postgres],
      ['k6', k6Version()],
    ],
    command,
  };
}

export function writeHeader(file: string, block: string): void {
  writeBlock(file, 'header', block);
}
