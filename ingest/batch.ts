// batch: decides when the open spool segment is sealed and sent, and retries failed sends.
// A segment is sealed when it is full, or when it has waited `lingerMs` and an insert slot
// is free; under load, events pile up while inserts run, so batches grow by themselves.
import { randomUUID } from 'node:crypto';
import { briefError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Metrics } from '../core/metrics.js';
import type { Segment, Spool } from './spool.js';
import type { SinkInsert } from './sink.js';
import { insertIsolating, isDataError, splitLines, type Refused } from './quarantine.js';

const NEWLINE = Buffer.from('\n');

export interface BatchOptions {
  maxRows: number;
  maxBytes: number;
  lingerMs: number;
  concurrency: number;
  retryMaxMs: number;
}

export class Batcher {
  private queue: Segment[] = [];
  private inflight = 0;
  private timer: NodeJS.Timeout | null = null;
  private failing = false;
  private stopped = false;
  lastError: string | null = null;

  constructor(
    private readonly spool: Spool,
    private readonly insert: SinkInsert,
    private readonly opts: BatchOptions,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    private readonly onRefused: (refused: Refused[]) => void = () => undefined,
    /** The lines of a segment not yet in ClickHouse; used when retrying a failed insert. */
    private readonly findMissing?: (body: Buffer) => Promise<Buffer[]>,
  ) {}

  /** True while inserts are failing (ClickHouse down or refusing). */
  get degraded(): boolean {
    return this.failing;
  }

  get pendingSegments(): number {
    return this.queue.length + this.inflight;
  }

  enqueue(segments: Segment[]): void {
    this.queue.push(...segments);
    // While inserts fail, sealed segments pile up: past the next few, they are read back
    // from the spool when their turn comes instead of being held in memory.
    for (const seg of this.queue.slice(2)) seg.body = undefined;
    this.pump();
  }

  /** Appends one request's lines; returns the segment that holds them. */
  add(lines: Buffer, rows: number): Segment {
    const seg = this.spool.append(lines, rows);
    this.updateGauges();
    if (seg.rows >= this.opts.maxRows || seg.bytes >= this.opts.maxBytes) this.seal();
    else this.arm();
    return seg;
  }

  private arm(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.inflight < this.opts.concurrency) this.seal();
    }, this.opts.lingerMs);
  }

  seal(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const seg = this.spool.seal();
    if (seg) this.enqueue([seg]);
  }

  private pump(): void {
    while (this.inflight < this.opts.concurrency && this.queue.length > 0) {
      const seg = this.queue.shift()!;
      this.inflight++;
      void this.deliver(seg).finally(() => {
        this.inflight--;
        this.afterDelivery();
      });
    }
  }

  private afterDelivery(): void {
    if (this.queue.length > 0) return this.pump();
    const open = this.spool.open;
    if (!open || open.rows === 0 || this.stopped) return;
    // Events that arrived during the insert have waited long enough.
    if (Date.now() - open.openedAt >= this.opts.lingerMs) this.seal();
    else this.arm();
  }

  private async deliver(seg: Segment): Promise<void> {
    let delay = 50;
    let retry = false;
    for (;;) {
      try {
        let body = await this.spool.read(seg);
        let token = seg.id;
        if (retry && this.findMissing) {
          // The failed attempt may have left the token recorded without the rows, which a
          // replay under it would drop: rows found missing are inserted under a fresh token.
          // With none missing, the same token lets the views finish what they missed.
          const missing = await this.findMissing(body);
          if (missing.length > 0) {
            body = Buffer.concat(missing.flatMap((l) => [l, NEWLINE]));
            token = `${seg.id}-retry-${randomUUID()}`;
          }
        }
        const end = this.metrics.flushSeconds.startTimer();
        await this.insert(token, body);
        end();
        this.metrics.batchRows.observe(seg.rows);
        this.metrics.eventsStored.inc(seg.rows);
        void this.spool.remove(seg);
        this.updateGauges();
        if (this.failing) this.log.info('ClickHouse inserts succeed again');
        this.failing = false;
        this.lastError = null;
        seg.resolveCommitted();
        return;
      } catch (err) {
        this.metrics.clickhouseErrors.inc({ operation: 'insert' });
        if (isDataError(err) && (await this.isolate(seg, err))) return;
        this.lastError = briefError(err);
        if (!this.failing) this.log.error({ err: this.lastError, segment: seg.id, rows: seg.rows }, 'insert failed; events stay spooled and are retried');
        this.failing = true;
        if (this.stopped) return;
        retry = true;
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, this.opts.retryMaxMs);
      }
    }
  }

  /** Stores what ClickHouse takes of a segment it refused for its data; the rest goes to rejects. */
  private async isolate(seg: Segment, err: unknown): Promise<boolean> {
    try {
      const body = await this.spool.read(seg);
      const refused = await insertIsolating(this.insert, seg.id, splitLines(body), err);
      this.log.error({ segment: seg.id, rows: seg.rows, refused: refused.length, err: briefError(err) }, 'ClickHouse refused rows of a batch; they went to the rejects table');
      this.onRefused(refused);
      this.metrics.eventsStored.inc(seg.rows - refused.length);
      void this.spool.remove(seg);
      this.updateGauges();
      seg.resolveCommitted();
      return true;
    } catch {
      return false; // not a data problem after all (or ClickHouse went away): retry as usual
    }
  }

  private updateGauges(): void {
    this.metrics.spoolBytes.set(this.spool.bytes);
    this.metrics.spoolSegments.set(this.spool.segmentCount);
  }

  /** Seals what is open and waits until every segment is stored, or the deadline passes. */
  async drain(timeoutMs: number): Promise<boolean> {
    this.seal();
    const deadline = Date.now() + timeoutMs;
    while (this.pendingSegments > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    this.stopped = true;
    await this.spool.settled();
    return this.pendingSegments === 0;
  }
}
