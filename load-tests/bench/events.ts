// Request bodies for the load generators. Events come from load-tests/lib/events.js (the same
// generator the k6 script uses); to keep the generator's CPU away from the server, a pool of
// batches is serialized once and every send only rewrites the event_id digits in place, so each
// event still carries a fresh id (the server deduplicates on it).
import { randomBytes } from 'node:crypto';

export interface BenchEvent {
  event: string;
  timestamp: number;
  event_id: string;
  user_id: string;
  session_id: string;
  properties: Record<string, unknown>;
}

interface EventsLib {
  makeEvent(kind?: string, now?: number): BenchEvent;
  makeBatch(size: number, now?: number): BenchEvent[];
}

// A computed specifier: the generator is plain JS shared with k6 and has no type declarations.
const libUrl = new URL('../lib/events.js', import.meta.url).href;
export const eventsLib = (await import(libUrl)) as EventsLib;

const UUID_LEN = 36;
const COUNTER_DIGITS = 12;
const HEX = Buffer.from('0123456789abcdef');

/** Ids `<run:8>-<worker:4>-4<rand:3>-8<rand:3>-<counter:12>`: unique per run, worker and send. */
export class IdSource {
  private counter = 0;
  readonly prefix: string;

  constructor(worker: number, run = randomBytes(4).toString('hex')) {
    const r = randomBytes(3).toString('hex');
    this.prefix = `${run}-${worker.toString(16).padStart(4, '0').slice(-4)}-4${r.slice(0, 3)}-8${r.slice(3, 6)}-`;
  }

  /** Writes a fresh id's counter digits at `at` (the first of the 12 counter characters). */
  stamp(buf: Buffer, at: number): void {
    let n = this.counter++;
    for (let i = COUNTER_DIGITS - 1; i >= 0; i--) {
      buf[at + i] = HEX[n % 16];
      n = Math.floor(n / 16);
    }
  }

  placeholder(): string {
    return this.prefix + '0'.repeat(COUNTER_DIGITS);
  }
}

interface Template {
  bytes: Buffer;
  /** Offsets of each event's counter digits. */
  slots: number[];
}

function template(text: string, marker: string): Template {
  const bytes = Buffer.from(text);
  const slots: number[] = [];
  for (let at = bytes.indexOf(marker); at !== -1; at = bytes.indexOf(marker, at + UUID_LEN)) {
    slots.push(at + UUID_LEN - COUNTER_DIGITS);
  }
  return { bytes, slots };
}

export type BodyShape = 'ndjson' | 'ws-frame';

/** Cycles through `poolSize` serialized batches of `batchSize` events, with fresh ids per send. */
export class BodyFactory {
  private readonly pool: Template[] = [];
  private next = 0;

  constructor(
    private readonly ids: IdSource,
    readonly batchSize: number,
    shape: BodyShape,
    poolSize = 64,
  ) {
    const marker = ids.placeholder();
    for (let p = 0; p < poolSize; p++) {
      const events = eventsLib.makeBatch(batchSize).map((e) => JSON.stringify({ ...e, event_id: marker }));
      const text = shape === 'ndjson' ? events.join('\n') + '\n' : `{"seq":         0,"events":[${events.join(',')}]}`;
      this.pool.push(template(text, marker));
    }
  }

  /** A new buffer (it may still be in flight while the next one is built). */
  body(): Buffer {
    const t = this.pool[this.next++ % this.pool.length];
    const out = Buffer.allocUnsafe(t.bytes.length);
    t.bytes.copy(out);
    for (const at of t.slots) this.ids.stamp(out, at);
    return out;
  }

  /** A WebSocket frame `{"seq":n,"events":[...]}`; the seq field is fixed-width (space-padded). */
  frame(seq: number): Buffer {
    const out = this.body();
    out.write(String(seq).padStart(10, ' '), 7, 'latin1');
    return out;
  }

  get averageEventBytes(): number {
    const total = this.pool.reduce((n, t) => n + t.bytes.length, 0);
    return total / (this.pool.length * this.batchSize);
  }
}
