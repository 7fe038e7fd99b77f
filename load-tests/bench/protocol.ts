// Messages between the bench and its load generator processes.

export type LoadKind = 'http-batch' | 'http-single' | 'ws';

export interface LoadPlan {
  kind: LoadKind;
  /** Ingest base URL, e.g. http://127.0.0.1:12345 */
  url: string;
  writeKey: string;
  /** Distinguishes this generator's event ids. */
  worker: number;
  /** Events this generator sends at most. */
  events: number;
  batchSize: number;
  /** Connections opened by this generator. */
  connections: number;
  /** WebSocket frames awaiting an ack per connection. */
  inflight: number;
  ack: 'stored' | 'spooled';
  /** Stop starting new requests after this many seconds. */
  maxSeconds: number;
}

export interface LoadResult {
  /** Events the server acknowledged (`accepted` in 200 answers). */
  acked: number;
  duplicates: number;
  rejected: number;
  requests: number;
  /** Requests that failed whole, by status or error code. */
  failures: Record<string, number>;
  /** Retried after 429. */
  retries: number;
  latenciesMs: number[];
  /** Wall-clock ms (epoch) of the first send and the last answer. */
  firstSendAt: number;
  lastAnswerAt: number;
  timedOut: boolean;
  eventBytes: number;
  /** CPU time the generator process used during the run. */
  cpuSeconds: number;
}

export type ToWorker = { type: 'plan'; plan: LoadPlan } | { type: 'go' };
export type FromWorker = { type: 'ready' } | { type: 'done'; result: LoadResult } | { type: 'error'; message: string };

export function emptyResult(): LoadResult {
  return { acked: 0, duplicates: 0, rejected: 0, requests: 0, failures: {}, retries: 0, latenciesMs: [], firstSendAt: 0, lastAnswerAt: 0, timedOut: false, eventBytes: 0, cpuSeconds: 0 };
}

/** Epoch milliseconds with sub-millisecond resolution, comparable across processes. */
export const nowMs = (): number => performance.timeOrigin + performance.now();

/** Runs a generator: receives its plan, builds its bodies, waits for `go`, reports the result. */
export function serveWorker(prepare: (plan: LoadPlan) => Promise<() => Promise<LoadResult>>): void {
  let run: (() => Promise<LoadResult>) | null = null;
  const send = (m: FromWorker): void => void process.send!(m);
  process.on('message', (m: ToWorker) => {
    if (m.type === 'plan') {
      prepare(m.plan).then(
        (r) => {
          run = r;
          send({ type: 'ready' });
        },
        (err) => send({ type: 'error', message: String((err as Error).stack ?? err) }),
      );
    } else if (m.type === 'go' && run) {
      const cpu0 = process.cpuUsage();
      run().then(
        (result) => {
          const cpu = process.cpuUsage(cpu0);
          send({ type: 'done', result: { ...result, cpuSeconds: (cpu.user + cpu.system) / 1e6 } });
        },
        (err) => send({ type: 'error', message: String((err as Error).stack ?? err) }),
      );
    }
  });
}
