// When ClickHouse refuses a batch for its data (not for being unreachable), retrying it would
// stall every batch behind it. Such a batch is split in halves, recursively, until the rows
// ClickHouse refuses are isolated; those go to the rejects table, the rest is stored. The
// halves get tokens derived from the segment's, so a replay after a crash repeats the same
// inserts and deduplicates.
import type { SinkInsert } from './sink.js';

// ClickHouse error types that mean "this data", as opposed to "not now".
const DATA_ERRORS = /^(CANNOT_PARSE_\w+|INCORRECT_DATA|TYPE_MISMATCH|CANNOT_CONVERT_TYPE|ILLEGAL_COLUMN|ILLEGAL_TYPE_OF_ARGUMENT|DUPLICATE_COLUMN|INCORRECT_NUMBER_OF_COLUMNS|VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE|ARGUMENT_OUT_OF_BOUND|CANNOT_READ_ALL_DATA|BAD_ARGUMENTS|UNEXPECTED_END_OF_FILE|CANNOT_INSERT_VALUE_OF_DIFFERENT_SIZE_INTO_TUPLE|NUMBER_OF_DIMENSIONS_MISMATCHED|CANNOT_PARSE_INPUT_ASSERTION_FAILED|INCORRECT_QUERY)$/;

export function isDataError(err: unknown): boolean {
  const e = err as { details?: { clickhouse_type?: string }; cause?: { type?: string } };
  const type = e?.details?.clickhouse_type ?? e?.cause?.type;
  return typeof type === 'string' && DATA_ERRORS.test(type);
}

export interface Refused {
  line: Buffer;
  error: string;
}

/** Inserts what ClickHouse takes; returns the lines it refuses. Throws on errors that are not about data. */
export async function insertIsolating(insert: SinkInsert, token: string, lines: Buffer[], firstError: unknown): Promise<Refused[]> {
  if (lines.length === 1) return [{ line: lines[0], error: (firstError as Error).message }];
  const mid = Math.ceil(lines.length / 2);
  const refused: Refused[] = [];
  for (const [suffix, part] of [['a', lines.slice(0, mid)], ['b', lines.slice(mid)]] as const) {
    const t = `${token}${suffix}`;
    try {
      await insert(t, Buffer.concat(part.flatMap((l) => [l, NEWLINE])));
    } catch (err) {
      if (!isDataError(err)) throw err;
      refused.push(...(await insertIsolating(insert, t, part, err)));
    }
  }
  return refused;
}

const NEWLINE = Buffer.from('\n');

export function splitLines(body: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  for (let i = body.indexOf(0x0a); i !== -1; i = body.indexOf(0x0a, start)) {
    if (i > start) lines.push(body.subarray(start, i));
    start = i + 1;
  }
  if (start < body.length) lines.push(body.subarray(start));
  return lines;
}
