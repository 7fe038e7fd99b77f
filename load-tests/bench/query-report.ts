// The query benchmark's results as Markdown, written into docs/BENCHMARKS.md between its markers.
import type { Summary } from './query-measure.js';
import { bullets, markers, reproduce, writeBlock } from './doc-block.js';

export interface QueryReport {
  rows: Summary[];
  /** Lines under the table: the rollup/raw ratio, answer checks, aims. */
  findings: string[];
  data: string[];
  environment: string[];
  command: string;
}

const { start: START, end: END } = markers('query');

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const ms = (n: number | null | undefined): string => (n === null || n === undefined || Number.isNaN(n) ? '–' : n < 10 ? n.toFixed(1) : int(n));

export function table(rows: Summary[]): string {
  const head = '| query | source | p50 ms | p95 ms | server p50 ms | rows read | answer rows | notes |';
  const rule = '| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |';
  const body = rows.map((r) => {
    const failed = r.runs === 0;
    const notes = [r.queries === null ? '' : `${r.queries} queries`, ...r.failures].filter(Boolean).join('; ').replace(/\|/g, '\\|');
    return `| ${r.name} | ${failed ? '–' : r.source} | ${failed ? 'failed' : ms(r.p50Ms)} | ${failed ? 'failed' : ms(r.p95Ms)} | ${ms(r.serverP50Ms)} | ${r.rowsRead === null ? '–' : int(r.rowsRead)} | ${r.answerRows === null ? '–' : int(r.answerRows)} | ${notes} |`;
  });
  return [head, rule, ...body].join('\n');
}

export function markdown(r: QueryReport): string {
  return [
    START,
    '',
    table(r.rows),
    '',
    ...r.findings.map((l) => `- ${l}`),
    '',
    ...bullets('Data:', r.data),
    ...bullets('Environment:', r.environment),
    ...reproduce(r.command),
    END,
  ].join('\n');
}

export function writeInto(file: string, block: string): void {
  writeBlock(file, 'query', block, '## Query');
}
