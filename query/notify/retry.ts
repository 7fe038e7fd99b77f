// One target's delivery: a few attempts, each bounded in time, with exponential backoff and
// jitter between them. Never throws: the result says how many attempts it took and why it failed.
import { DeliveryError } from './http-post.js';

export interface RetryPolicy {
  attempts: number;
  timeoutMs: number;
  /** Delay before the second attempt; doubled for each later one, with jitter. */
  backoffMs: number;
}

export interface Delivery {
  ok: boolean;
  attempts: number;
  error?: string;
}

export type Send = (signal: AbortSignal) => Promise<void>;

class AttemptTimeout extends Error {}

/** A refusal that will not change on retry (a 4xx other than 408 and 429). */
const permanent = (err: unknown): boolean => err instanceof DeliveryError && err.status !== undefined && err.status >= 400 && err.status < 500 && err.status !== 408 && err.status !== 429;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function once(send: Send, timeoutMs: number): Promise<void> {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new AttemptTimeout(`timed out after ${timeoutMs} ms`);
      abort.abort(err);
      reject(err);
    }, timeoutMs);
  });
  const sending = send(abort.signal);
  // A sender that ignores the abort settles later, unobserved.
  sending.catch(() => undefined);
  try {
    await Promise.race([sending, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function reason(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string }; code?: string };
  const cause = e?.cause?.code ?? e?.cause?.message;
  const text = e?.message ?? String(err);
  return (cause && !text.includes(cause) ? `${text} (${cause})` : text).slice(0, 300);
}

export async function deliver(send: Send, policy: RetryPolicy): Promise<Delivery> {
  let error = '';
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    if (attempt > 1) {
      const base = policy.backoffMs * 2 ** (attempt - 2);
      await sleep(base / 2 + Math.random() * (base / 2));
    }
    try {
      await once(send, policy.timeoutMs);
      return { ok: true, attempts: attempt };
    } catch (err) {
      error = reason(err);
      if (permanent(err)) return { ok: false, attempts: attempt, error };
    }
  }
  return { ok: false, attempts: policy.attempts, error };
}
