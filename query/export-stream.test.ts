// Streamed exports end to end: a real embedded store, a real uWS server, Node's http client,
// all in this process, so the RSS figures cover the server and the client together.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import uWS from 'uWebSockets.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store, StreamFormat } from '../core/clickhouse.js';
import { ClickHouseFailure } from '../core/errors.js';
import { closeListen, listen, type Listen } from '../core/http-util.js';
import { sendError } from '../ingest/respond.js';
import { openStore, tempDir } from '../test/helpers/sluice.js';
import { until } from '../test/helpers/until.js';
import { pipeToResponse } from './export-stream.js';
import { sampleRss } from '../test/helpers/rss.js';

const ROWS = 2_000_000;
const MB = 1024 * 1024;

const FORMATS: Record<string, { name: StreamFormat; type: string }> = {
  csv: { name: 'CSVWithNames', type: 'text/csv' },
  ndjson: { name: 'JSONEachRow', type: 'application/x-ndjson' },
  parquet: { name: 'Parquet', type: 'application/vnd.apache.parquet' },
};

const ROWS_SQL = 'SELECT number AS n, toString(number) AS s, number * 1.5 AS x FROM numbers({rows:UInt64})';
const QUERIES: Record<string, { sql: string; settings?: Record<string, string> }> = {
  rows: { sql: ROWS_SQL },
  // Marked so that system.processes can tell whether it is still running.
  endless: { sql: ROWS_SQL, settings: { log_comment: 'export-stream-endless' } },
  missing: { sql: 'SELECT n FROM no_such_table_for_export' },
  failing: { sql: 'SELECT number AS n, throwIf(number = intDiv({rows:UInt64}, 4) * 3) AS boom FROM numbers({rows:UInt64})' },
};

/** What the server did for one request, by the request's id. */
interface Run {
  produced: number; // bytes the store has yielded so far
  done: Promise<{ bytes?: number; error?: unknown; answeredBefore: boolean }>;
}

let store: Store;
let server: Listen;
let dir: string;
const runs = new Map<string, Run>();
let nextId = 0;

beforeAll(async () => {
  dir = tempDir('sluice-export-');
  store = await openStore(dir);
  const app = uWS.App();
  app.get('/export', (res, req) => {
    const q = new URLSearchParams(req.getQuery() ?? '');
    const state = { aborted: false };
    const cancel = new AbortController();
    res.onAborted(() => {
      state.aborted = true;
      cancel.abort();
    });
    const format = FORMATS[q.get('format')!];
    const { sql, settings } = QUERIES[q.get('query') ?? 'rows'];
    const params = sql.includes('{rows:') ? { rows: q.get('rows') } : {};
    const run = { produced: 0 } as Run;
    runs.set(q.get('id')!, run);
    const counted = async function* () {
      for await (const chunk of store.stream(sql, params, format.name, settings, cancel.signal)) {
        run.produced += chunk.byteLength;
        yield chunk;
      }
    };
    run.done = pipeToResponse(res, state, counted(), { contentType: format.type }).then(
      ({ bytes }) => ({ bytes, answeredBefore: true }),
      (error: unknown) => {
        const answeredBefore = state.aborted;
        sendError(res, state, error);
        return { error, answeredBefore };
      },
    );
  });
  server = await listen(app, '127.0.0.1', 0);
  // Warm up each format once: the engine's first queries allocate thread pools and caches for
  // good, which is not what a transfer costs.
  for (const format of Object.keys(FORMATS)) await request(format, 100_000, (res) => drain(res));
});

afterAll(async () => {
  closeListen(server);
  await store?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** GET /export from the server, handing the response to `read`; the body is never buffered whole. */
function request<T>(format: string, rows: number, read: (res: http.IncomingMessage, run: () => Run) => Promise<T>, query = 'rows'): Promise<T> {
  const id = String(nextId++);
  const url = `/export?format=${format}&rows=${rows}&query=${query}&id=${id}`;
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: server.port, path: url, agent: false }, (res) => {
      read(res, () => runs.get(id)!).then(resolve, reject);
    });
    req.on('error', reject);
  });
}

async function drain(res: http.IncomingMessage): Promise<number> {
  let bytes = 0;
  for await (const chunk of res) bytes += (chunk as Buffer).length;
  return bytes;
}

/** Calls `onLine` for every line as it arrives. */
async function readLines(res: http.IncomingMessage, onLine: (line: string) => void): Promise<number> {
  let bytes = 0;
  let rest = '';
  for await (const chunk of res) {
    const buf = chunk as Buffer;
    bytes += buf.length;
    const lines = (rest + buf.toString('utf8')).split('\n');
    rest = lines.pop()!;
    for (const line of lines) onLine(line);
  }
  if (rest) onLine(rest);
  return bytes;
}

/** Checks each row as it comes: n counts up from 0, s is n as text, x is n * 1.5. */
function rowChecker() {
  const seen = { count: 0, first: -1, last: -1, bad: 0 };
  return {
    seen,
    row(n: number, s: string, x: number) {
      if (seen.count === 0) seen.first = n;
      if (n !== seen.count || s !== String(n) || x !== n * 1.5) seen.bad++;
      seen.last = n;
      seen.count++;
    },
  };
}

function report(format: string, bytes: number, rss: { growth: number; base: number }): void {
  console.log(`${format}: ${ROWS} rows, ${(bytes / MB).toFixed(1)} MiB; RSS ${(rss.base / MB).toFixed(0)} MiB at start, peak growth ${(rss.growth / MB).toFixed(1)} MiB (${((rss.growth / bytes) * 100).toFixed(0)}% of the result)`);
}

// The engine reads and formats a block (65,409 rows here, 1-3 MiB of text) on each of its
// threads, chdb copies a block into JS, uWS holds about a slice: tens of MiB whatever the
// result's size (the 10M-row test shows it does not grow with it). The rest of this bound is
// room for the garbage of the client's parsing, which runs in the same process.
const RSS_BOUND = 192 * MB;

describe('store.stream + pipeToResponse: 2M rows', () => {
  it('streams CSV with one header line and every row', async () => {
    const check = rowChecker();
    let header = '';
    const rss = sampleRss();
    const bytes = await request('csv', ROWS, async (res) => {
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/csv');
      expect(res.headers['transfer-encoding']).toBe('chunked');
      return readLines(res, (line) => {
        if (!header) header = line;
        else {
          const [n, s, x] = line.split(',');
          check.row(Number(n), s.slice(1, -1), Number(x));
        }
      });
    });
    const mem = rss.stop();
    report('csv', bytes, mem);
    expect(header).toBe('"n","s","x"');
    expect(check.seen).toEqual({ count: ROWS, first: 0, last: ROWS - 1, bad: 0 });
    expect(mem.growth).toBeLessThan(RSS_BOUND);
  });

  it('streams NDJSON with every row', async () => {
    const check = rowChecker();
    const rss = sampleRss();
    const bytes = await request('ndjson', ROWS, async (res) => {
      expect(res.statusCode).toBe(200);
      return readLines(res, (line) => {
        const r = JSON.parse(line) as { n: number; s: string; x: number };
        check.row(r.n, r.s, r.x);
      });
    });
    const mem = rss.stop();
    report('ndjson', bytes, mem);
    expect(check.seen).toEqual({ count: ROWS, first: 0, last: ROWS - 1, bad: 0 });
    expect(mem.growth).toBeLessThan(RSS_BOUND);
  });

  it('streams Parquet as one file that reads back whole', async () => {
    const file = path.join(dir, 'export.parquet');
    const rss = sampleRss();
    await request('parquet', ROWS, async (res) => {
      expect(res.statusCode).toBe(200);
      await pipeline(res, fs.createWriteStream(file));
    });
    const mem = rss.stop();
    const bytes = fs.statSync(file).size;
    report('parquet', bytes, mem);
    expect(mem.growth).toBeLessThan(RSS_BOUND);
    const read = (reader: string) =>
      store.rows<Record<string, number | string>>(
        `SELECT count() AS rows, min(n) AS first, max(n) AS last, sum(x) AS sum_x, countIf(s != toString(n)) AS bad
         FROM file({file:String}, Parquet) SETTINGS input_format_parquet_use_native_reader_v3 = ${reader}`,
        { file },
      );
    // Both of the engine's Parquet readers: its own and the Arrow library's.
    for (const reader of ['1', '0']) {
      expect(await read(reader)).toEqual([{ rows: ROWS, first: 0, last: ROWS - 1, sum_x: 1.5 * ((ROWS * (ROWS - 1)) / 2), bad: 0 }]);
    }
  });
});

describe('store.stream + pipeToResponse: memory does not follow the result size', () => {
  it('streams 10M rows of NDJSON with RSS growth under a quarter of the result', async () => {
    const rows = 10_000_000;
    let lines = 0;
    const rss = sampleRss();
    const bytes = await request('ndjson', rows, async (res) => {
      let bytes = 0;
      for await (const chunk of res) {
        const buf = chunk as Buffer;
        bytes += buf.length;
        for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) lines++;
      }
      return bytes;
    });
    const mem = rss.stop();
    console.log(`ndjson: ${rows} rows, ${(bytes / MB).toFixed(1)} MiB; RSS peak growth ${(mem.growth / MB).toFixed(1)} MiB (${((mem.growth / bytes) * 100).toFixed(0)}% of the result)`);
    expect(lines).toBe(rows);
    expect(mem.growth).toBeLessThan(bytes / 4);
  });
});

describe('store.stream + pipeToResponse: clients and errors', () => {
  it('gives a client that stops reading for a while every row, without the result piling up', async () => {
    const check = rowChecker();
    let header = '';
    let producedDuringPause = 0;
    let total = 0;
    const rss = sampleRss();
    await request('csv', ROWS, async (res, run) => {
      res.pause();
      await new Promise((r) => setTimeout(r, 2000));
      producedDuringPause = run().produced;
      res.resume();
      total = await readLines(res, (line) => {
        if (!header) header = line;
        else {
          const [n, s, x] = line.split(',');
          check.row(Number(n), s.slice(1, -1), Number(x));
        }
      });
      expect((await run().done).bytes).toBe(total);
    });
    const mem = rss.stop();
    console.log(`slow client: ${(producedDuringPause / MB).toFixed(1)} MiB produced while it did not read, of ${(total / MB).toFixed(1)} MiB; RSS peak growth ${(mem.growth / MB).toFixed(1)} MiB`);
    expect(check.seen).toEqual({ count: ROWS, first: 0, last: ROWS - 1, bad: 0 });
    // What was produced waits in uWS (a slice) and the kernel's socket buffers, nowhere else.
    expect(producedDuringPause).toBeLessThan(total / 4);
    expect(mem.growth).toBeLessThan(RSS_BOUND);
  });

  it('cancels the query when the client disconnects mid-stream', async () => {
    const running = async () => {
      const rows = await store.rows<{ c: number }>(`SELECT count() AS c FROM system.processes WHERE Settings['log_comment'] = 'export-stream-endless'`);
      return Number(rows[0].c);
    };
    const { run, received } = await request(
      'ndjson',
      1e15, // would run for days
      async (res, run) => {
        let received = 0;
        for await (const chunk of res) {
          if (received === 0) expect(await running()).toBe(1);
          received += (chunk as Buffer).length;
          if (received > 4 * MB) break; // leaving the loop destroys the response and its socket
        }
        return { run: run(), received };
      },
      'endless',
    );
    expect(received).toBeGreaterThan(4 * MB);
    const outcome = await run.done;
    expect(outcome.error).toBeUndefined();
    expect(outcome.bytes).toBeLessThan(64 * MB);
    await until(async () => (await running()) === 0, 'the endless query to stop', 10_000);
    expect(await store.rows('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    // The stream's settings were its own.
    expect(await store.rows(`SELECT getSetting('log_comment') AS c`)).toEqual([{ c: '' }]);
  });

  it('answers an empty result as an empty file of its format', async () => {
    const body = (format: string) =>
      request(format, 0, async (res) => {
        expect(res.statusCode).toBe(200);
        const parts: Buffer[] = [];
        for await (const chunk of res) parts.push(chunk as Buffer);
        return Buffer.concat(parts);
      });
    expect((await body('ndjson')).length).toBe(0);
    expect((await body('csv')).toString()).toBe('"n","s","x"\n');
    const file = path.join(dir, 'empty.parquet');
    fs.writeFileSync(file, await body('parquet'));
    expect(await store.rows('SELECT count() AS rows FROM file({file:String}, Parquet)', { file })).toEqual([{ rows: 0 }]);
  });

  it('throws before writing anything when the query fails before its first byte', async () => {
    const { status, body, run } = await request(
      'csv',
      0,
      async (res, run) => {
        let text = '';
        for await (const chunk of res) text += chunk;
        return { status: res.statusCode, body: JSON.parse(text) as { error: { code: string; clickhouse_type?: string } }, run: run() };
      },
      'missing',
    );
    const outcome = await run.done;
    expect(outcome.error).toBeInstanceOf(ClickHouseFailure);
    expect(outcome.answeredBefore).toBe(false); // so the caller could still answer
    expect(status).toBe(502);
    expect(body.error.code).toBe('SLUICE_E_CLICKHOUSE');
    expect(body.error.clickhouse_type).toBe('UNKNOWN_TABLE');
  });

  it('cuts the transfer when the query fails after bytes were sent', async () => {
    const check = rowChecker();
    const { error, run } = await request(
      'ndjson',
      ROWS,
      async (res, run) => {
        expect(res.statusCode).toBe(200);
        const error = await readLines(res, (line) => {
          const r = JSON.parse(line) as { n: number; s: string; x: number };
          check.row(r.n, String(r.n), r.x);
        }).then(
          () => undefined,
          (err: Error) => err,
        );
        return { error, run: run() };
      },
      'failing',
    );
    expect(error?.message).toMatch(/aborted|ECONNRESET|premature/i);
    expect(check.seen.count).toBeGreaterThan(0);
    expect(check.seen.count).toBeLessThan(ROWS);
    const outcome = await run.done;
    expect(outcome.error).toBeInstanceOf(ClickHouseFailure);
    expect(outcome.answeredBefore).toBe(true);
    expect(await store.rows('SELECT 2 AS two')).toEqual([{ two: 2 }]);
  });
});
