// sink: one sealed spool segment -> one ClickHouse insert. The segment's name is the insert
// deduplication token, and dependent views deduplicate too, so a replay after a crash neither
// doubles raw rows nor rollups.
import type { Store } from '../core/clickhouse.js';

export type SinkInsert = (segmentId: string, body: Buffer) => Promise<void>;

export function createSink(store: Store): SinkInsert {
  const table = `${store.db}.events`;
  return (segmentId, body) =>
    store.insertJsonLines(table, body, {
      insert_deduplicate: 1,
      insert_deduplication_token: segmentId,
      deduplicate_blocks_in_dependent_materialized_views: 1,
      // The rollup views of one insert run side by side instead of one after another.
      parallel_view_processing: 1,
      input_format_skip_unknown_fields: 0,
      // Property strings stay strings: without these, "2026-01-02T10:00:00Z" is stored as a DateTime and read back reformatted.
      input_format_try_infer_dates: 0,
      input_format_try_infer_datetimes: 0,
    });
}
