// Rollups damaged the way a crash damages them are found by findDrift and rebuilt by
// repairRollups from raw events, without touching other hours or projects; replaying a
// spool segment through the sink never doubles raw rows or rollups.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../core/logger.js';
import { recoverSpool } from '../ingest/recover.js';
import { Spool } from '../ingest/spool.js';
import { findDrift, repairRollups, type HourKey } from '../ingest/rollup-repair.js';
import { createSink } from '../ingest/sink.js';
import { makeEvent, ndjson, seedFromEnv, seededRng } from './helpers/events.js';
import { GRAINS, rollupContent, rollupMismatches, type RollupRow } from './helpers/rollup-check.js';
import { postEvents, startInProcess, type InProcess } from './helpers/sluice.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const today = Date.now() - (Date.now() % DAY);
const day1 = today - 3 * DAY;
const day2 = today - 2 * DAY;
// Two days, so that one day's rollup can be damaged while the other's stays whole.
const HOURS = [day1 + 8 * HOUR, day1 + 9 * HOUR, day1 + 10 * HOUR, day1 + 11 * HOUR, day2 + 8 * HOUR, day2 + 9 * HOUR];
const METRICS = [
  { event: 'api_request', measure: 'duration_ms' },
  { event: 'order', measure: 'revenue' },
];
const seed = seedFromEnv('SLUICE_REPAIR_SEED');
const rng = seededRng(seed);
const log = createLogger('silent');

let s: InProcess;
const keys: Record<string, string> = {};
const allHours: HourKey[] = [];

const iso = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
const key = (h: HourKey): string => `${h.project} ${iso(h.hour)}`;

async function snapshot(): Promise<Record<string, RollupRow[]>> {
  const out: Record<string, RollupRow[]> = {};
  for (const g of GRAINS) out[g.table] = await rollupContent(s.store, g.table);
  return out;
}

/** Quantile sketches agree to float noise; everything else exactly. */
function comparable(rows: RollupRow[]): unknown[] {
  return rows.map((r) => ({ ...r, quantiles: r.quantiles.map((q) => (Number.isFinite(q) ? Number(q.toPrecision(9)) : q)) }));
}

beforeAll(async () => {
  s = await startInProcess();
  await s.sluice.keys.createProject('beta');
  keys.default = s.writeKey;
  keys.beta = (await s.sluice.keys.createKey('beta', 'write')).key;
  for (const project of ['default', 'beta']) {
    for (const hour of HOURS) {
      allHours.push({ project, hour });
      // makeEvent spreads timestamps over the span before `now`: the whole hour.
      const events = Array.from({ length: 150 }, () => makeEvent(rng, hour + HOUR - 1, HOUR - 1));
      const r = await postEvents(`${s.ingestUrl}/v1/events`, keys[project], ndjson(events), { 'Content-Type': 'application/x-ndjson' });
      expect(r.status).toBe(200);
      expect(r.body.accepted).toBe(150);
    }
  }
});
afterAll(async () => {
  await s?.stop();
  if (s) fs.rmSync(s.dataDir, { recursive: true, force: true });
});

describe('rollup drift and repair', () => {
  it(`finds exactly the damaged hours and rebuilds them from raw events (seed ${seed})`, async () => {
    expect(await rollupMismatches(s.store, METRICS)).toEqual([]);
    expect(await findDrift(s.store, allHours)).toEqual([]);
    const before = await snapshot();
    const A = "project_id = 'default'";

    // Minute rollup lost ten minutes of one hour (a view write cut off by a crash).
    await s.store.command(
      `ALTER TABLE sluice.rollup_1m DELETE WHERE ${A} AND bucket >= toDateTime({from:UInt32}) AND bucket < toDateTime({to:UInt32}) SETTINGS mutations_sync = 2`,
      { from: (HOURS[1] + 10 * 60_000) / 1000, to: (HOURS[1] + 20 * 60_000) / 1000 },
    );
    // Hour rollup lost one event's rows of another hour (the cascade from minutes did not finish).
    await s.store.command(`ALTER TABLE sluice.rollup_1h DELETE WHERE ${A} AND event = 'order' AND bucket = toDateTime({h:UInt32}) SETTINGS mutations_sync = 2`, {
      h: HOURS[2] / 1000,
    });
    // An extra partial block in the hour rollup of the second day; it cascades into that day's rollup.
    await s.store.command(
      `INSERT INTO sluice.rollup_1h SELECT * FROM sluice.rollup_1h WHERE ${A} AND event = 'api_request' AND bucket = toDateTime({h:UInt32})
       SETTINGS insert_deduplicate = 0, deduplicate_blocks_in_dependent_materialized_views = 0`,
      { h: HOURS[4] / 1000 },
    );
    expect((await rollupMismatches(s.store, METRICS)).length).toBeGreaterThan(0);

    // A day that disagrees marks every hour of it checked, so the whole second day is rebuilt.
    const expected = [HOURS[1], HOURS[2], HOURS[4], HOURS[5]].map((hour) => key({ project: 'default', hour }));
    expect((await findDrift(s.store, allHours)).map(key).sort()).toEqual(expected.sort());
    expect(await findDrift(s.store, allHours.filter((h) => h.project === 'beta'))).toEqual([]);

    expect(await repairRollups(s.store, allHours, log)).toBe(4);

    expect(await findDrift(s.store, allHours)).toEqual([]);
    expect(await rollupMismatches(s.store, METRICS)).toEqual([]);
    // Every rollup row, merged and finalized (counts, sums, min/max, quantiles, users), is as it was
    // before the damage: the rebuilt hours are whole again and nothing else moved.
    const after = await snapshot();
    for (const g of GRAINS) expect(comparable(after[g.table]), g.table).toEqual(comparable(before[g.table]));
    // Nothing left to do: a second pass rebuilds nothing.
    expect(await repairRollups(s.store, allHours, log)).toBe(0);
  });

  it('rebuilt rollups answer unique users and quantiles as raw events do', async () => {
    const rows = await s.store.rows<{ project_id: string; bucket: string; raw_users: string; roll_users: string; raw_q: number[]; roll_q: number[]; values: number[] }>(
      `SELECT project_id, toString(bucket) AS bucket, raw_users, roll_users, raw_q, roll_q, values FROM
        (SELECT project_id, toDateTime(toStartOfHour(timestamp), 'UTC') AS bucket, uniqCombined64(user_id) AS raw_users,
           quantilesDD(0.01, 0.5, 0.75, 0.9, 0.95, 0.99)(properties.duration_ms::Float64) AS raw_q,
           arraySort(groupArray(properties.duration_ms::Float64)) AS values
         FROM sluice.events WHERE event = 'api_request' GROUP BY project_id, bucket) AS r
       JOIN
        (SELECT project_id, bucket, uniqCombined64Merge(users) AS roll_users,
           quantilesDDMerge(0.01, 0.5, 0.75, 0.9, 0.95, 0.99)(value_quantiles) AS roll_q
         FROM sluice.rollup_1h WHERE event = 'api_request' AND metric = 'duration_ms' GROUP BY project_id, bucket) AS u
       USING (project_id, bucket) ORDER BY project_id, bucket`,
    );
    expect(rows.length).toBe(allHours.length);
    const levels = [0.5, 0.75, 0.9, 0.95, 0.99];
    for (const r of rows) {
      const where = `${r.project_id} ${r.bucket}`;
      expect(Number(r.roll_users), where).toBe(Number(r.raw_users));
      r.roll_q.forEach((q, i) => {
        expect(q, where).toBeCloseTo(r.raw_q[i], 6);
        // Within the sketch's 1% of the values either side of the quantile's rank.
        const rank = levels[i] * (r.values.length - 1);
        const lo = r.values[Math.floor(rank)];
        const hi = r.values[Math.ceil(rank)];
        expect(q, `${where} p${levels[i] * 100}`).toBeGreaterThanOrEqual(lo * 0.985);
        expect(q, `${where} p${levels[i] * 100}`).toBeLessThanOrEqual(hi * 1.015);
      });
    }
  });

  it('replaying a segment through the sink adds its rows and rollups once', async () => {
    const sink = createSink(s.store);
    const hour = today - 4 * DAY + 12 * HOUR;
    const rowsOf = (project: string, n: number): string[] =>
      Array.from({ length: n }, () => {
        const e = makeEvent(rng, hour + HOUR - 1, HOUR - 1);
        return JSON.stringify({ project_id: project, event: e.event, timestamp: e.timestamp, event_id: e.event_id, received_at: Date.now(), user_id: e.user_id, session_id: '', correlation_id: '', source: 'http', properties: e.properties });
      });
    const body = Buffer.from(rowsOf('default', 300).join('\n') + '\n');
    const other = Buffer.from(rowsOf('default', 40).join('\n') + '\n');
    const segId = `seg-${randomUUID()}`;
    await sink(segId, body);
    await sink(`seg-${randomUUID()}`, other); // other inserts come between a crash and the replay
    await sink(segId, body);
    await sink(segId, body);

    const h = { project: 'default', hour };
    const [raw] = await s.store.rows<{ n: string; ids: string }>(
      `SELECT count() AS n, uniqExact(event_id) AS ids FROM sluice.events WHERE project_id = 'default' AND toStartOfHour(timestamp) = toDateTime({h:UInt32}, 'UTC')`,
      { h: hour / 1000 },
    );
    expect(Number(raw.n)).toBe(340);
    expect(Number(raw.ids)).toBe(340);
    expect(await findDrift(s.store, [h])).toEqual([]);
    expect(await rollupMismatches(s.store, METRICS)).toEqual([]);

    // The guard is the segment id, not the content: the same bytes under another id are a new
    // insert. (Why the spool must keep a segment's id for its whole life.)
    const control = Buffer.from(body.toString().replaceAll('"project_id":"default"', '"project_id":"replay-control"'));
    await sink(`seg-${randomUUID()}`, control);
    await sink(`seg-${randomUUID()}`, control);
    const [c] = await s.store.rows<{ n: string }>(`SELECT count() AS n FROM sluice.events WHERE project_id = 'replay-control'`);
    expect(Number(c.n)).toBe(600);
    expect(await rollupMismatches(s.store, METRICS)).toEqual([]);
  });
  it('a crash during a rebuild is mended at the next start from the hours written down before it', async () => {
    const dir = fs.mkdtempSync(`${os.tmpdir()}/sluice-marker-`);
    const hour = { project: 'beta', hour: HOURS[3] };
    // What a rebuild cut off after its deletes leaves: the hour's minute rows gone, nothing in the spool.
    await s.store.command(
      `ALTER TABLE sluice.rollup_1m DELETE WHERE project_id = 'beta' AND toStartOfHour(bucket) = toDateTime({h:UInt32}) SETTINGS mutations_sync = 2`,
      { h: HOURS[3] / 1000 },
    );
    expect((await findDrift(s.store, [hour])).map(key)).toEqual([key(hour)]);
    fs.writeFileSync(`${dir}/rollup-check.json`, JSON.stringify([hour]));
    const spool = new Spool(dir);
    expect(await recoverSpool(dir, spool, spool.recover(), createSink(s.store), s.store, log)).toBe(1);
    expect(await findDrift(s.store, [hour])).toEqual([]);
    expect(fs.existsSync(`${dir}/rollup-check.json`)).toBe(false);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
