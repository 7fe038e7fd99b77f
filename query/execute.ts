// Runs one compiled statement with ClickHouse-side limits (execution time, result rows) set
// on that statement only, and answers the rows with what ClickHouse says it read.
import type { Config } from '../core/config.js';
import type { Store } from '../core/clickhouse.js';
import { ClickHouseFailure, SluiceError } from '../core/errors.js';

export interface Executed {
  rows: unknown[][];
  rowsRead: number;
}

interface JsonCompact {
  data: unknown[][];
  statistics?: { rows_read?: number | string };
}

/** Limits written into the statement (`SETTINGS ...`): a session-level SET would outlive it on the embedded engine. */
export function limitSettings(config: Config, maxRows = config.queryMaxRows): string {
  return [
    `max_execution_time = ${Math.max(1, Math.ceil(config.queryTimeoutMs / 1000))}`,
    "timeout_overflow_mode = 'throw'",
    `max_result_rows = ${maxRows}`,
    "result_overflow_mode = 'throw'",
    'output_format_json_quote_64bit_integers = 0',
    'output_format_json_quote_denormals = 0',
  ].join(', ');
}

export async function execute(store: Store, config: Config, sql: string, params: Record<string, unknown>, signal?: AbortSignal): Promise<Executed> {
  try {
    const rs = await store.client.query({ query: `${sql}\nSETTINGS ${limitSettings(config)}`, query_params: params, format: 'JSONCompact', abort_signal: signal });
    const out = (await rs.json()) as unknown as JsonCompact;
    return { rows: out.data, rowsRead: Number(out.statistics?.rows_read ?? 0) };
  } catch (err) {
    const failure = new ClickHouseFailure('query', err);
    const type = failure.details?.clickhouse_type;
    if (type === 'TIMEOUT_EXCEEDED') {
      throw new SluiceError('SLUICE_E_QUERY_TIMEOUT', `The query ran past ${config.queryTimeoutMs} ms (SLUICE_QUERY_TIMEOUT) and ClickHouse stopped it`);
    }
    if (type === 'TOO_MANY_ROWS_OR_BYTES') {
      throw new SluiceError('SLUICE_E_QUERY_TOO_LARGE', `The answer has more than ${config.queryMaxRows} rows (SLUICE_QUERY_MAX_ROWS)`);
    }
    // ClickHouse quotes the whole statement after "In scope"; callers need the reason, not the SQL.
    throw new SluiceError('SLUICE_E_CLICKHOUSE', failure.message.split(/:? In scope /)[0].slice(0, 1000), failure.details);
  }
}
