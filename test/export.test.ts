// GET /api/v1/export end to end: 2M raw events in each format through the real endpoint, every
// row checked as it streams, and the process's memory bounded far below the result's size.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ask } from './helpers/query.js';
import { sampleRss } from './helpers/rss.js';
import { startInProcess, tempDir, type InProcess } from './helpers/sluice.js';

const ROWS = 2_000_000;
const SLICE = 100_000;
const MB = 1024 * 1024;
// What an export holds: a block of rows (16,384) being formatted on each engine thread, one in
// JS, a slice in uWS, plus the garbage of the client's parsing in this same process. Measured
// here: 80-100 MiB for CSV and NDJSON, 120-160 MiB for Parquet (the engine's Parquet writer);
// the bound is well below the rows' size as text (190 MiB CSV, 390 MiB NDJSON), so an export
// that held its result, even compressed as CSV, would fail it; query/export-stream.test.ts shows
// the growth does not follow the result's size at 10M rows.
const RSS_BOUND = 256 * MB;
const start = Math.floor((Date.now() - 3 * 86_400_000) / 1000) * 1000;

let s: InProcess;
beforeAll(async () => {
  s = await startInProcess({ queryRateLimit: '0' });
  // Straight into the events table (the rollup views fire as for any insert): ingesting 2M
  // events over HTTP would test ingest, not export. In slices, so that the insert's own memory
  // does not leave the process so large that the exports' growth would hide in it.
  for (let at = 0; at < ROWS; at += SLICE) await s.store.command(
    `INSERT INTO ${s.store.db}.events (project_id, event, timestamp, event_id, received_at, user_id, session_id, correlation_id, source, properties)
     SELECT 'default', 'bulk', fromUnixTimestamp64Milli(toInt64({start:Int64} + number * 100), 'UTC'), generateUUIDv4(), now64(3),
       concat('u', toString(number % 1000)), '', '', 'test', CAST(concat('{"n":', toString(number), ',"tag":"t', toString(number % 7), '"}') AS JSON)
     FROM numbers({at:UInt64}, {rows:UInt64})`,
    { start, at, rows: SLICE },
  );
}, 300_000);
afterAll(async () => s?.stop());


/** GET an export, handing the response stream to `read`. */
function get(query: string, read: (res: http.IncomingMessage) => Promise<void>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${s.queryUrl}/api/v1/export?${query}`, { headers: { authorization: `Bearer ${s.readKey}` } }, (res) => {
      read(res).then(() => resolve(res.statusCode ?? 0), reject);
    });
    req.on('error', reject);
  });
}

/** Splits the stream into lines as it arrives. */
async function eachLine(res: http.IncomingMessage, onLine: (line: string) => void): Promise<number> {
  let bytes = 0;
  let rest = '';
  for await (const chunk of res) {
    bytes += (chunk as Buffer).length;
    const lines = (rest + (chunk as Buffer).toString('utf8')).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  }
  if (rest) onLine(rest);
  return bytes;
}

const range = `from=${new Date(start).toISOString()}&to=${new Date(start + ROWS * 100).toISOString()}`;

describe(`export of ${ROWS} events`, () => {
  it('CSV: a header and every row in time order, memory bounded', async () => {
    let lines = 0;
    let bad = 0;
    let header = '';
    let bytes = 0;
    const rss = sampleRss();
    const status = await get(`format=csv&event=bulk&${range}&properties=n,tag`, async (res) => {
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).toMatch(/attachment; filename="sluice-events-.*\.csv"/);
      bytes = await eachLine(res, (line) => {
        if (lines++ === 0) {
          header = line;
          return;
        }
        const n = lines - 2;
        // "timestamp","event","event_id","user_id","session_id","correlation_id","properties.n","properties.tag"
        const cells = line.split(',');
        if (cells[1] !== '"bulk"' || cells[6] !== `"${n}"` || cells[7] !== `"t${n % 7}"` || cells[3] !== `"u${n % 1000}"`) bad++;
      });
    });
    const { growth } = rss.stop();
    console.log(`csv: ${(bytes / MB).toFixed(0)} MiB, RSS growth ${(growth / MB).toFixed(0)} MiB`);
    expect(status).toBe(200);
    expect(header).toBe('"timestamp","event","event_id","user_id","session_id","correlation_id","properties.n","properties.tag"');
    expect(lines - 1).toBe(ROWS);
    expect(bad).toBe(0);
    expect(bytes).toBeGreaterThan(0.7 * RSS_BOUND);
    expect(growth).toBeLessThan(RSS_BOUND);
  });

  it('NDJSON: every event with its properties, memory bounded', async () => {
    let rows = 0;
    let bad = 0;
    let bytes = 0;
    const rss = sampleRss();
    const status = await get(`format=ndjson&event=bulk&${range}`, async (res) => {
      expect(res.headers['content-type']).toBe('application/x-ndjson');
      bytes = await eachLine(res, (line) => {
        const e = JSON.parse(line) as { event: string; properties: string; timestamp: string };
        const p = JSON.parse(e.properties) as { n: number };
        if (p.n !== rows || Date.parse(`${e.timestamp.replace(' ', 'T')}Z`) !== start + rows * 100) bad++;
        rows++;
      });
    });
    const { growth } = rss.stop();
    console.log(`ndjson: ${(bytes / MB).toFixed(0)} MiB, RSS growth ${(growth / MB).toFixed(0)} MiB`);
    expect(status).toBe(200);
    expect(rows).toBe(ROWS);
    expect(bad).toBe(0);
    expect(bytes).toBeGreaterThan(RSS_BOUND);
    expect(growth).toBeLessThan(RSS_BOUND);
  });

  it('Parquet: a file ClickHouse reads back whole, memory bounded', async () => {
    const file = path.join(tempDir('sluice-export-'), 'events.parquet');
    const rss = sampleRss();
    const status = await get(`format=parquet&event=bulk&${range}&properties=n`, async (res) => {
      expect(res.headers['content-type']).toBe('application/vnd.apache.parquet');
      await new Promise<void>((resolve, reject) => res.pipe(fs.createWriteStream(file)).on('finish', resolve).on('error', reject));
    });
    const { growth } = rss.stop();
    console.log(`parquet: ${(fs.statSync(file).size / MB).toFixed(0)} MiB, RSS growth ${(growth / MB).toFixed(0)} MiB`);
    expect(status).toBe(200);
    const [check] = await s.store.rows<Record<string, number>>(
      `SELECT count() AS rows, uniqExact(event_id) AS ids, min(toUInt64(\`properties.n\`)) AS lo, max(toUInt64(\`properties.n\`)) AS hi,
         countIf(toUnixTimestamp64Milli(timestamp) != {start:Int64} + toInt64(\`properties.n\`) * 100) AS bad
       FROM file({file:String}, Parquet)`,
      { file, start },
    );
    expect(check).toEqual({ rows: ROWS, ids: ROWS, lo: 0, hi: ROWS - 1, bad: 0 });
    expect(growth).toBeLessThan(RSS_BOUND);
  });

  it('a client that leaves mid-stream stops the export, and the service answers the next query', async () => {
    const status = await get(`format=ndjson&event=bulk&${range}`, async (res) => {
      let bytes = 0;
      for await (const chunk of res) {
        bytes += (chunk as Buffer).length;
        if (bytes > 8 * MB) {
          res.destroy();
          break;
        }
      }
    });
    expect(status).toBe(200);
    const answer = await ask(s.queryUrl, s.readKey, { kind: 'breakdown', event: 'bulk', group_by: ['tag'], from: new Date(start).toISOString(), to: new Date(start + ROWS * 100).toISOString() });
    expect(answer.status).toBe(200);
    expect(answer.body.rows.reduce((n: number, r: number[]) => n + r[1], 0)).toBe(ROWS);
  });

  it('exports an aggregate answer in each format', async () => {
    const q = encodeURIComponent(JSON.stringify({ kind: 'breakdown', event: 'bulk', group_by: ['tag'], aggregations: ['count'], from: new Date(start).toISOString(), to: new Date(start + 700_000).toISOString() }));
    let csv = '';
    expect(await get(`format=csv&query=${q}`, async (res) => void (csv = await new Response(res as unknown as ReadableStream).text()))).toBe(200);
    expect(csv.trim().split('\n')).toEqual(['tag,count', ...Array.from({ length: 7 }, (_, i) => `t${i},1000`)]);
    let ndjson = '';
    expect(await get(`format=ndjson&query=${q}`, async (res) => void (ndjson = await new Response(res as unknown as ReadableStream).text()))).toBe(200);
    expect(ndjson.trim().split('\n').map((l) => JSON.parse(l))).toEqual(Array.from({ length: 7 }, (_, i) => ({ tag: `t${i}`, count: 1000 })));
    const file = path.join(tempDir('sluice-export-'), 'answer.parquet');
    expect(await get(`format=parquet&query=${q}`, async (res) => new Promise<void>((resolve) => res.pipe(fs.createWriteStream(file)).on('finish', resolve)))).toBe(200);
    expect(await s.store.rows(`SELECT tag, count FROM file({file:String}, Parquet) ORDER BY tag`, { file })).toEqual(Array.from({ length: 7 }, (_, i) => ({ tag: `t${i}`, count: 1000 })));
    const bad = await get('format=xlsx&kind=events&range=24h', async (res) => void (await new Response(res as unknown as ReadableStream).text()));
    expect(bad).toBe(400);
  });
});
