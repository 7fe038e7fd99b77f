// Row lines into the ingest sink in batches, one insert in flight while the next batch is built
// (the embedded engine inserts off the JS thread, so building and inserting overlap).
import type { Store } from '../../core/clickhouse.js';
import { createSink } from '../../ingest/sink.js';

export interface SinkPipeline {
  /** Adds one row line (a JSON row as the sink inserts it). */
  push(line: string): void;
  /** Whether the batch being built has `batchRows` lines or more. */
  full(): boolean;
  /** Hands the batch being built to the sink once the insert in flight has finished. */
  flush(): Promise<void>;
  /** Inserts what is left and waits for it: rows stored and inserts made. */
  finish(): Promise<{ rows: number; inserts: number }>;
}

export interface SinkPipelineOptions {
  batchRows: number;
  /** The dedup token of insert number `n` (from 0). */
  token: (n: number) => string;
  /** Called with the rows stored so far after each insert. */
  onInserted?: (rows: number) => void;
}

export function sinkPipeline(store: Store, o: SinkPipelineOptions): SinkPipeline {
  const insert = createSink(store);
  let lines: string[] = [];
  let rows = 0;
  let inserts = 0;
  let pending: Promise<void> | null = null;
  const flush = async (): Promise<void> => {
    const body = Buffer.from(lines.join('\n') + '\n');
    const n = lines.length;
    lines = [];
    if (pending) await pending;
    const p = insert(o.token(inserts++), body).then(() => {
      rows += n;
      o.onInserted?.(rows);
    });
    p.catch(() => undefined); // awaited before the next insert; this only keeps it from counting as unhandled meanwhile
    pending = p;
  };
  return {
    push: (line) => {
      lines.push(line);
    },
    full: () => lines.length >= o.batchRows,
    flush,
    finish: async () => {
      if (lines.length > 0) await flush();
      if (pending) await pending;
      return { rows, inserts };
    },
  };
}
