// The bench's results as a Markdown block, written into docs/BENCHMARKS.md between markers.
import { bullets, markers, reproduce, writeBlock } from './doc-block.js';

export interface Row {
  name: string;
  /** Events (or rows) per second. */
  rate: number;
  p50Ms?: number;
  p99Ms?: number;
  cpuPercent: number;
  peakRssMb: number;
  generatorCpuPercent?: number;
  /** Everything else running on the machine meanwhile (it is shared). */
  otherCpuPercent?: number;
  count: number;
  seconds: number;
  note: string;
}

export interface Report {
  rows: Row[];
  ratios: string[];
  checks: string[];
  /** Server CPU by thread group, per scenario. */
  threads: string[];
  environment: string[];
  settings: string[];
  command: string;
}

const { start: START, end: END } = markers('ingest');

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const ms = (n: number | undefined): string => (n === undefined || Number.isNaN(n) ? '–' : n < 10 ? n.toFixed(1) : int(n));

export function table(rows: Row[]): string {
  const head = '| scenario | events/s | p50 ack ms | p99 ack ms | server CPU % | server peak RSS MB | load generator CPU % | other processes CPU % | events | seconds | notes |';
  const rule = '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |';
  const opt = (n: number | undefined): string => (n === undefined ? '–' : int(n));
  const body = rows.map(
    (r) =>
      `| ${r.name} | ${int(r.rate)} | ${ms(r.p50Ms)} | ${ms(r.p99Ms)} | ${int(r.cpuPercent)} | ${int(r.peakRssMb)} | ${opt(r.generatorCpuPercent)} | ${opt(r.otherCpuPercent)} | ${int(r.count)} | ${r.seconds.toFixed(1)} | ${r.note} |`,
  );
  return [head, rule, ...body].join('\n');
}

export function markdown(r: Report): string {
  return [
    START,
    '',
    table(r.rows),
    '',
    ...r.ratios.map((l) => `- ${l}`),
    ...r.checks.map((l) => `- ${l}`),
    '',
    ...bullets('Server CPU by thread (percent of one core; ClickHouse names its threads: `ThreadPool` runs inserts and their views, `MergeMutate` merges parts):', r.threads),
    ...bullets('Environment:', r.environment),
    ...bullets('Settings of this run:', r.settings),
    ...reproduce(r.command),
    END,
  ].join('\n');
}

export function writeInto(file: string, block: string): void {
  writeBlock(file, 'ingest', block);
}
