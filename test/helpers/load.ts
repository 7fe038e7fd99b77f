// A load generator that keeps the books a durability test needs: which event ids were sent,
// which were acknowledged (HTTP 200 covering the whole batch), and which requests failed.
// A retrying sender re-sends its failed batches with the same event ids, as a client does.
import { makeBatch, ndjson, int, type Rng, type TestEvent } from './events.js';

export interface LoadOptions {
  senders: number;
  /** Which senders re-send failed batches (the others drop them). */
  retrying: (sender: number) => boolean;
  ack: 'stored' | 'spooled';
  rng: Rng;
  minBatch?: number;
  maxBatch?: number;
  /** Timestamps are spread over this span before now. */
  spanMs?: number;
  /** Pause between a sender's requests (a slower client). */
  pauseMs?: number;
}

export interface LoadStats {
  requests: number;
  acked: number;
  failed: number;
  retried: number;
  /** Events of re-sent batches that the server answered as duplicates (it had them already). */
  retriedDuplicates: number;
  statuses: Record<string, number>;
}

export class LoadGenerator {
  readonly acked = new Set<string>();
  readonly sent = new Set<string>();
  readonly stats: LoadStats = { requests: 0, acked: 0, failed: 0, retried: 0, retriedDuplicates: 0, statuses: {} };
  private readonly retryQueue: TestEvent[][][];

  constructor(private readonly opts: LoadOptions) {
    this.retryQueue = Array.from({ length: opts.senders }, () => []);
  }

  /** Batches waiting to be re-sent by retrying senders. */
  get pendingRetries(): number {
    return this.retryQueue.reduce((n, q) => n + q.length, 0);
  }

  /** Starts the senders against one server; `stop()` lets each finish its request in flight. */
  run(url: string, key: string): { stop(): Promise<void> } {
    let stopped = false;
    const loops = Array.from({ length: this.opts.senders }, (_, i) => this.sender(i, url, key, () => stopped));
    return {
      stop: async () => {
        stopped = true;
        await Promise.all(loops);
      },
    };
  }

  /** Re-sends every queued failed batch once (sequentially per sender); returns how many were acked. */
  async flushRetries(url: string, key: string): Promise<number> {
    let ok = 0;
    await Promise.all(
      this.retryQueue.map(async (queue, i) => {
        const batches = queue.splice(0);
        for (const b of batches) if (await this.send(i, url, key, b, true)) ok++;
      }),
    );
    return ok;
  }

  private async sender(i: number, url: string, key: string, stopped: () => boolean): Promise<void> {
    const { rng } = this.opts;
    while (!stopped()) {
      const queue = this.retryQueue[i];
      const retry = queue.length > 0;
      const batch = retry ? queue.shift()! : makeBatch(rng, int(rng, this.opts.minBatch ?? 50, this.opts.maxBatch ?? 200), Date.now(), this.opts.spanMs);
      const ok = await this.send(i, url, key, batch, retry);
      // A refused or cut-off request: back off a little instead of spinning on a dead server.
      const pause = ok ? (this.opts.pauseMs ?? 0) : Math.max(20, this.opts.pauseMs ?? 0);
      if (pause > 0) await new Promise((r) => setTimeout(r, pause));
    }
  }

  private async send(i: number, url: string, key: string, batch: TestEvent[], retry: boolean): Promise<boolean> {
    for (const e of batch) this.sent.add(e.event_id);
    this.stats.requests++;
    if (retry) this.stats.retried++;
    let status = 'error';
    try {
      const res = await fetch(`${url}/v1/events?ack=${this.opts.ack}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/x-ndjson' },
        body: ndjson(batch),
        signal: AbortSignal.timeout(60_000),
      });
      status = String(res.status);
      const text = await res.text();
      if (res.status === 200) {
        const body = JSON.parse(text) as { accepted: number; duplicates: number };
        if (body.accepted + body.duplicates === batch.length) {
          for (const e of batch) this.acked.add(e.event_id);
          this.stats.acked++;
          if (retry) this.stats.retriedDuplicates += body.duplicates;
          this.count(status);
          return true;
        }
        status = '200-partial';
      }
    } catch {
      // connection refused or reset: the server died under the request
    }
    this.count(status);
    this.stats.failed++;
    if (this.opts.retrying(i)) this.retryQueue[i].push(batch);
    return false;
  }

  private count(status: string): void {
    this.stats.statuses[status] = (this.stats.statuses[status] ?? 0) + 1;
  }
}
