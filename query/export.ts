// GET /api/v1/export?format=csv|ndjson|parquet with the query's fields: kind events (the
// default) streams every raw event of the range straight from ClickHouse, a block at a time,
// so memory stays bounded however many rows there are; any other kind exports its answer's
// rows (bounded by SLUICE_QUERY_MAX_ROWS).
import type { TemplatedApp } from 'uWebSockets.js';
import type { StreamFormat } from '../core/clickhouse.js';
import { SluiceError } from '../core/errors.js';
import { compileEventsExport } from './compile-events.js';
import type { QueryDeps } from './deps.js';
import { pipeToResponse } from './export-stream.js';
import { route, type RouteContext } from './route.js';
import type { Answer } from './types.js';

const FORMATS: Record<string, { format: StreamFormat; contentType: string; ext: string }> = {
  csv: { format: 'CSVWithNames', contentType: 'text/csv; charset=utf-8', ext: 'csv' },
  ndjson: { format: 'JSONEachRow', contentType: 'application/x-ndjson', ext: 'ndjson' },
  parquet: { format: 'Parquet', contentType: 'application/vnd.apache.parquet', ext: 'parquet' },
};

/** Fields given as URL parameters: scalars as text, lists and objects as JSON (lists also as a comma list). */
const JSON_FIELDS = new Set(['filters', 'steps', 'aggregations', 'group_by', 'properties']);
const NUMBER_FIELDS = new Set(['limit', 'periods']);

export function queryFromParams(params: URLSearchParams): Record<string, unknown> {
  const whole = params.get('query');
  if (whole !== null) {
    try {
      return JSON.parse(whole) as Record<string, unknown>;
    } catch {
      throw new SluiceError('SLUICE_E_BAD_REQUEST', '?query= is not valid JSON');
    }
  }
  const q: Record<string, unknown> = {};
  for (const [key, value] of params) {
    if (key === 'format' || key === 'project') continue;
    if (JSON_FIELDS.has(key)) {
      if (/^\s*[[{]/.test(value)) {
        try {
          q[key] = JSON.parse(value);
        } catch {
          throw new SluiceError('SLUICE_E_BAD_REQUEST', `?${key}= is not valid JSON`);
        }
      } else q[key] = value.split(',').filter(Boolean);
    } else if (NUMBER_FIELDS.has(key)) q[key] = Number(value);
    else if (key === 'strict_order') q[key] = value === 'true';
    else q[key] = value;
  }
  q.kind ??= 'events';
  return q;
}

function csvCell(v: unknown): string {
  const text = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** An answer's rows in the format: text formats written here, Parquet by ClickHouse from NDJSON. */
async function* answerRows(deps: QueryDeps, answer: Answer, format: string, signal: AbortSignal): AsyncGenerator<Uint8Array> {
  const names = answer.columns.map((c) => c.name);
  const isTime = answer.columns.map((c) => c.type === 'time');
  if (format === 'csv') {
    yield Buffer.from(`${names.map(csvCell).join(',')}\n`);
    for (let i = 0; i < answer.rows.length; i += 1000) {
      const lines = answer.rows.slice(i, i + 1000).map((row) => row.map((v, j) => csvCell(isTime[j] && typeof v === 'number' ? new Date(v).toISOString() : v)).join(','));
      yield Buffer.from(`${lines.join('\n')}\n`);
    }
    return;
  }
  const ndjson = answer.rows.map((row) => JSON.stringify(Object.fromEntries(names.map((n, j) => [n, row[j]])))).join('\n');
  if (format === 'ndjson') {
    if (ndjson) yield Buffer.from(`${ndjson}\n`);
    return;
  }
  const structure = answer.columns.map((c) => `\`${c.name.replace(/`/g, '')}\` ${c.type === 'string' ? 'Nullable(String)' : c.type === 'time' ? 'Int64' : 'Nullable(Float64)'}`).join(', ');
  yield* deps.store.stream('SELECT * FROM format(JSONEachRow, {structure:String}, {data:String})', { structure, data: ndjson }, 'Parquet', {}, signal);
}

async function exportHandler(deps: QueryDeps, ctx: RouteContext, fields: Record<string, unknown>, formatName: string): Promise<null> {
  const format = FORMATS[formatName];
  if (!format) throw new SluiceError('SLUICE_E_BAD_REQUEST', `?format= must be csv, ndjson or parquet, not "${formatName}"`);
  const resolved = deps.service.resolve(fields);
  const filename = `sluice-${resolved.kind}-${new Date(resolved.from).toISOString().slice(0, 10)}.${format.ext}`;
  const head = { contentType: format.contentType, headers: { ...ctx.headers, 'Content-Disposition': `attachment; filename="${filename}"` } };
  let chunks: AsyncIterable<Uint8Array>;
  if (resolved.kind === 'events') {
    const c = compileEventsExport(resolved, deps.store.db, ctx.caller.project);
    const settings = {
      max_result_rows: deps.config.exportMaxRows,
      result_overflow_mode: 'throw',
      // Smaller blocks than the default 65k rows: each block in flight is held by the engine and
      // then by JS, so this sets how much memory an export holds (measured in the tests).
      max_block_size: 16384,
      // The output's `properties` column (JSON text) must not stand for the column in WHERE.
      prefer_column_name_to_alias: 1,
      // Time order across every event is a sort; past this it spills to disk instead of memory.
      max_bytes_before_external_sort: 256 * 1024 * 1024,
      // An export may run far longer than a dashboard query, but not forever.
      max_execution_time: Math.ceil((deps.config.queryTimeoutMs * 20) / 1000),
    };
    chunks = deps.store.stream(c.sql, c.params, format.format, settings, ctx.signal);
  } else {
    const answer = await deps.service.run(ctx.caller.project, fields, { noCache: ctx.noCache, signal: ctx.signal });
    chunks = answerRows(deps, answer, formatName, ctx.signal);
  }
  const { bytes } = await pipeToResponse(ctx.res, ctx.state, chunks, head);
  deps.metrics.exportBytes.inc({ format: formatName }, bytes);
  return null;
}

export function registerExport(app: TemplatedApp, deps: QueryDeps): void {
  const opts = { role: 'analyst' as const, action: 'Exporting', gated: true };
  route(app, deps, 'get', '/api/v1/export', opts, (ctx) => exportHandler(deps, ctx, queryFromParams(ctx.params), ctx.params.get('format') ?? 'csv'));
  route(app, deps, 'post', '/api/v1/export', { ...opts, body: true }, (ctx) => {
    const { format, ...fields } = (ctx.body ?? {}) as Record<string, unknown>;
    return exportHandler(deps, ctx, { kind: 'events', ...fields }, typeof format === 'string' ? format : (ctx.params.get('format') ?? 'csv'));
  });
}
