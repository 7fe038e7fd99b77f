// spool: accepted events on local disk until ClickHouse has them. Events are appended as
// JSONEachRow lines to the open segment; fsyncs are grouped (one in flight, the next one
// covers everything written meanwhile) and a request is acknowledged as spooled only after
// the round that covers its lines. A sealed segment never changes and becomes exactly one
// ClickHouse insert whose dedup token is the segment's name. A segment file is deleted only
// after its insert committed; files left by a crash are replayed at start (recover.ts).
import fs from 'node:fs';
import path from 'node:path';
import { v7 as uuidv7 } from 'uuid';

export interface Segment {
  /** File stem; also the insert deduplication token. */
  readonly id: string;
  readonly path: string;
  fd: number | null;
  bytes: number;
  rows: number;
  readonly openedAt: number;
  sealed: boolean;
  /** Found on disk at start: it may already be (partly) in ClickHouse. */
  readonly recovered: boolean;
  /** Bytes appended while open; at seal they become `body`, so the first insert needs no read. */
  chunks: Buffer[];
  body?: Buffer;
  readonly committed: Promise<void>;
  resolveCommitted(): void;
}

const EXT = '.ndjson';

function newSegment(dir: string, id: string, recovered: boolean, fd: number | null, bytes = 0, rows = 0): Segment {
  let resolveCommitted!: () => void;
  const committed = new Promise<void>((r) => (resolveCommitted = r));
  return { id, path: path.join(dir, id + EXT), fd, bytes, rows, openedAt: Date.now(), sealed: recovered, recovered, chunks: [], committed, resolveCommitted };
}

export class Spool {
  private current: Segment | null = null;
  private dirty = new Set<number>();
  private syncing: Promise<void> | null = null;
  private nextSync: { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void } | null = null;
  private pendingClose: number[] = [];
  private dirDirty = false;
  private removing = new Set<Promise<void>>();
  private totalBytes = 0;
  private segments = 0;

  constructor(private readonly dir: string) {}

  get bytes(): number {
    return this.totalBytes;
  }

  get segmentCount(): number {
    return this.segments;
  }

  /** Segments left by an earlier run, oldest first, torn tails cut at the last full line. */
  recover(): Segment[] {
    fs.mkdirSync(this.dir, { recursive: true });
    const found: Segment[] = [];
    for (const file of fs.readdirSync(this.dir).filter((f) => f.endsWith(EXT)).sort()) {
      const p = path.join(this.dir, file);
      const buf = fs.readFileSync(p);
      const end = buf.lastIndexOf(0x0a) + 1;
      if (end < buf.length) fs.truncateSync(p, end);
      if (end === 0) {
        fs.unlinkSync(p);
        continue;
      }
      let rows = 0;
      for (let i = 0; i < end; i++) if (buf[i] === 0x0a) rows++;
      found.push(newSegment(this.dir, file.slice(0, -EXT.length), true, null, end, rows));
      this.totalBytes += end;
      this.segments++;
    }
    fsyncDir(this.dir);
    return found;
  }

  /** Appends whole lines (one request's events) to the open segment. */
  append(lines: Buffer, rows: number): Segment {
    if (!this.current) {
      const id = `seg-${uuidv7()}`;
      const fd = fs.openSync(path.join(this.dir, id + EXT), 'a');
      this.current = newSegment(this.dir, id, false, fd);
      this.segments++;
      this.dirDirty = true; // the new file's name must be durable too
    }
    const seg = this.current;
    let off = 0;
    while (off < lines.length) off += fs.writeSync(seg.fd!, lines, off, lines.length - off);
    seg.bytes += lines.length;
    seg.rows += rows;
    seg.chunks.push(lines);
    this.totalBytes += lines.length;
    this.dirty.add(seg.fd!);
    return seg;
  }

  get open(): Segment | null {
    return this.current;
  }

  /** Resolves once everything appended so far is on disk. */
  sync(): Promise<void> {
    if (!this.syncing) {
      this.syncing = this.runSync();
      return this.syncing;
    }
    if (!this.nextSync) {
      let resolve!: () => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
      this.nextSync = { promise, resolve, reject };
    }
    return this.nextSync.promise;
  }

  private async runSync(): Promise<void> {
    const fds = [...this.dirty];
    this.dirty.clear();
    const closing = this.pendingClose;
    this.pendingClose = [];
    const dir = this.dirDirty;
    this.dirDirty = false;
    try {
      await Promise.all(fds.map((fd) => new Promise<void>((res, rej) => fs.fdatasync(fd, (e) => (e ? rej(e) : res())))));
      if (dir) await fsyncDirAsync(this.dir);
    } finally {
      for (const fd of closing) fs.close(fd, () => undefined);
      this.syncing = null;
      const next = this.nextSync;
      this.nextSync = null;
      if (next) this.runSync().then(next.resolve, next.reject);
      else if (this.dirty.size > 0 || this.pendingClose.length > 0 || this.dirDirty) void this.sync();
    }
  }

  /**
   * Closes the open segment to further writes and hands it over for its insert at once: the
   * insert need not wait for the fsync (rows in ClickHouse are safe whatever happens to the
   * file). The fd is closed after the next sync round, which the requests waiting on it need.
   */
  seal(): Segment | null {
    const seg = this.current;
    if (!seg || seg.rows === 0) return null;
    this.current = null;
    seg.sealed = true;
    seg.body = seg.chunks.length === 1 ? seg.chunks[0] : Buffer.concat(seg.chunks, seg.bytes);
    seg.chunks = [];
    const fd = seg.fd!;
    seg.fd = null;
    this.dirty.add(fd);
    this.pendingClose.push(fd);
    this.sync().catch(() => undefined); // a failure surfaces in the sync() of the requests waiting on it
    return seg;
  }

  read(seg: Segment): Promise<Buffer> {
    return seg.body ? Promise.resolve(seg.body) : fs.promises.readFile(seg.path);
  }

  /** ClickHouse has the segment: drop it. */
  remove(seg: Segment): Promise<void> {
    seg.body = undefined;
    this.totalBytes -= seg.bytes;
    this.segments--;
    // Off the event loop; a file that outlives a crash is replayed and deduplicated by its token.
    const done = fs.promises.rm(seg.path, { force: true }).catch(() => undefined);
    this.removing.add(done);
    void done.then(() => this.removing.delete(done));
    return done;
  }

  /** Resolves when every removal asked for so far is done (before a graceful exit). */
  async settled(): Promise<void> {
    await Promise.all(this.removing);
  }
}

async function fsyncDirAsync(dir: string): Promise<void> {
  const handle = await fs.promises.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
