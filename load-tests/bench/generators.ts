// Starts load generator processes, releases them together and merges what they measured.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { emptyResult, type FromWorker, type LoadKind, type LoadPlan, type LoadResult, type ToWorker } from './protocol.js';

const ENTRY: Record<LoadKind, string> = {
  'http-batch': 'load-http.ts',
  'http-single': 'load-http.ts',
  ws: 'load-ws.ts',
};

export interface Generators {
  /** Releases every generator at once; resolves with the merged result. */
  run(): Promise<LoadResult>;
  kill(): void;
}

function waitFor(child: ChildProcess, type: FromWorker['type']): Promise<FromWorker> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: FromWorker): void => {
      if (m.type === 'error') {
        cleanup();
        reject(new Error(`load generator failed: ${m.message}`));
      } else if (m.type === type) {
        cleanup();
        resolve(m);
      }
    };
    const onExit = (code: number | null): void => {
      cleanup();
      reject(new Error(`load generator exited (${code}) before "${type}"`));
    };
    const cleanup = (): void => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** Splits `plan.events` and `plan.connections` over `count` processes. */
export async function startGenerators(count: number, plan: Omit<LoadPlan, 'worker'>): Promise<Generators> {
  const perWorkerBatches = Math.floor(plan.events / plan.batchSize / count);
  const children: ChildProcess[] = [];
  for (let i = 0; i < count; i++) {
    const file = fileURLToPath(new URL(ENTRY[plan.kind], import.meta.url));
    children.push(fork(file, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  }
  const kill = (): void => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  };
  try {
    await Promise.all(
      children.map((c, i) => {
        const connections = Math.floor(plan.connections / count) + (i < plan.connections % count ? 1 : 0);
        const msg: ToWorker = { type: 'plan', plan: { ...plan, worker: i, events: perWorkerBatches * plan.batchSize, connections } };
        c.send(msg);
        return waitFor(c, 'ready');
      }),
    );
  } catch (err) {
    kill();
    throw err;
  }

  return {
    kill,
    async run() {
      const done = children.map((c) => waitFor(c, 'done'));
      for (const c of children) c.send({ type: 'go' } satisfies ToWorker);
      try {
        return merge((await Promise.all(done)).map((m) => (m as Extract<FromWorker, { type: 'done' }>).result));
      } finally {
        kill();
      }
    },
  };
}

function merge(results: LoadResult[]): LoadResult {
  const out = results.reduce((a, r) => {
    for (const [k, v] of Object.entries(r.failures)) a.failures[k] = (a.failures[k] ?? 0) + v;
    return {
      ...a,
      acked: a.acked + r.acked,
      duplicates: a.duplicates + r.duplicates,
      rejected: a.rejected + r.rejected,
      requests: a.requests + r.requests,
      retries: a.retries + r.retries,
      timedOut: a.timedOut || r.timedOut,
      firstSendAt: Math.min(a.firstSendAt, r.firstSendAt),
      lastAnswerAt: Math.max(a.lastAnswerAt, r.lastAnswerAt),
      eventBytes: a.eventBytes + r.eventBytes / results.length,
      cpuSeconds: a.cpuSeconds + r.cpuSeconds,
    };
  }, { ...emptyResult(), firstSendAt: Infinity });
  out.latenciesMs = results.flatMap((r) => r.latenciesMs);
  return out;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}
