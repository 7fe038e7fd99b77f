// Streaming a query result into an HTTP response with bounded memory: the next chunk is asked
// for only once uWS has taken the previous one off its buffer, so a slow client slows the
// query down instead of piling the result up in memory.
import type { HttpResponse } from 'uWebSockets.js';
import type { Aborted } from '../ingest/receive.js';

/**
 * uWS keeps whatever the socket does not take at once, and a write made while it still holds
 * some is appended whole. Writing in slices and waiting for the socket after one that was not
 * taken keeps what uWS holds to about a slice.
 */
const SLICE_BYTES = 64 * 1024;

/** While waiting for the socket, how often to look whether the client has gone (the caller owns onAborted). */
const ABORT_POLL_MS = 100;

export interface StreamHead {
  contentType: string;
  headers?: Record<string, string>;
}

/**
 * Sends `chunks` as a 200 response. The status and headers go out with the first chunk, so an
 * error before it is thrown with nothing written and the caller can still answer it. An error
 * after it closes the connection: the client sees a cut transfer, never a complete-looking one.
 * When the client goes away the iteration is ended, which cancels the query behind it. Once
 * anything was written (and on every return) `state.aborted` is set: nothing more may be written.
 */
export async function pipeToResponse(res: HttpResponse, state: Aborted, chunks: AsyncIterable<Uint8Array>, head: StreamHead): Promise<{ bytes: number }> {
  if (state.aborted) return { bytes: 0 }; // gone already: do not even start the query
  let bytes = 0;
  let started = false;
  const drain = new Drain(res, state);
  const start = (): void => {
    res.writeStatus('200 OK').writeHeader('Content-Type', head.contentType);
    for (const [name, value] of Object.entries(head.headers ?? {})) res.writeHeader(name, value);
    started = true;
  };
  try {
    for await (const chunk of chunks) {
      for (let at = 0; at < chunk.byteLength && !state.aborted; at += SLICE_BYTES) {
        const slice = chunk.subarray(at, at + SLICE_BYTES);
        let taken = true;
        res.cork(() => {
          if (!started) start();
          taken = res.write(slice);
        });
        bytes += slice.byteLength;
        if (!taken) await drain.wait();
      }
      if (state.aborted) break; // ends the iteration, which cancels the query
    }
  } catch (err) {
    if (started) {
      if (!state.aborted) res.close();
      state.aborted = true;
    }
    throw err;
  } finally {
    drain.stop();
  }
  if (!state.aborted) {
    res.cork(() => {
      if (!started) start();
      res.end();
    });
  }
  state.aborted = true;
  return { bytes };
}

/** Resolves waits when uWS reports the socket writable again, or when the client has gone. */
class Drain {
  private wake: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private registered = false;

  constructor(
    private readonly res: HttpResponse,
    private readonly state: Aborted,
  ) {}

  wait(): Promise<void> {
    if (this.state.aborted) return Promise.resolve();
    if (!this.registered) {
      // Nothing is written in here: the next slice is written after the await, which first
      // sends what uWS holds.
      this.res.onWritable(() => {
        this.resolve();
        return true;
      });
      this.registered = true;
    }
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setInterval(() => {
        if (this.state.aborted) this.resolve();
      }, ABORT_POLL_MS);
    });
  }

  stop(): void {
    this.resolve();
  }

  private resolve(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
