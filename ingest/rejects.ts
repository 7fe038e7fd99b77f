// The quarantine: every refused event is written to the `rejects` table with its reason and
// raw text. Writes are batched and off the request path; a failure is counted, never thrown.
import type { Store } from '../core/clickhouse.js';
import type { Logger } from '../core/logger.js';
import type { Metrics } from '../core/metrics.js';
import type { Refused } from './quarantine.js';
import type { EventRow, Rejected, Source } from './types.js';

const MAX_RAW = 16 * 1024;
const wellFormed = (s: string): string => s.replace(/\p{Cs}/gu, '\uFFFD');
const MAX_BUFFERED = 50_000;

export class RejectsWriter {
  private buffer: string[] = [];
  private timer: NodeJS.Timeout;
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly store: Store,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    flushMs = 1000,
  ) {
    this.timer = setInterval(() => void this.flush(), flushMs);
    this.timer.unref();
  }

  record(project: string, source: Source, rejected: Rejected[], now: number): void {
    for (const r of rejected) {
      this.metrics.eventsRejected.inc({ reason: r.reason });
      if (this.buffer.length >= MAX_BUFFERED) {
        this.metrics.rejectsDropped.inc();
        continue;
      }
      // Lone surrogates (from the event or a cut through a surrogate pair) would fail the whole insert.
      const raw = wellFormed(r.raw.length > MAX_RAW ? `${r.raw.slice(0, MAX_RAW)}…[truncated ${r.raw.length - MAX_RAW} chars]` : r.raw);
      this.buffer.push(
        JSON.stringify({
          project_id: project,
          received_at: now,
          source,
          reason: r.reason,
          event: wellFormed((r.event ?? '').slice(0, 200)),
          errors: JSON.stringify(r.errors),
          raw,
        }),
      );
    }
  }

  /** Rows ClickHouse refused at insert, after they were accepted. */
  recordRefused(refused: Refused[], now = Date.now()): void {
    for (const r of refused) {
      const text = r.line.toString('utf8');
      let row: Partial<EventRow> = {};
      try {
        row = JSON.parse(text) as EventRow;
      } catch {
        // keep the raw text only
      }
      this.record(row.project_id ?? '', row.source ?? 'http', [{ index: 0, reason: 'store_failed', event: row.event, errors: [{ path: '', message: r.error }], raw: text }], now);
    }
  }

  flush(): Promise<void> {
    if (this.flushing || this.buffer.length === 0) return this.flushing ?? Promise.resolve();
    const lines = this.buffer;
    this.buffer = [];
    this.flushing = this.store
      .insertJsonLines(`${this.store.db}.rejects`, Buffer.from(lines.join('\n') + '\n'), { insert_deduplicate: 0 })
      .catch((err) => {
        this.metrics.rejectsDropped.inc(lines.length);
        this.log.warn({ err: (err as Error).message, rows: lines.length }, 'could not write rejected events to the rejects table');
      })
      .finally(() => {
        this.flushing = null;
      });
    return this.flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
    await this.flush();
  }
}
