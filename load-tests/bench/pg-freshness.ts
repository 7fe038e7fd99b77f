// What "stale until refreshed" means in numbers: a few more events go into both sides, and the
// same rollup question (page views per hour over 30 days) is asked before and after, and on the
// PostgreSQL side again after REFRESH MATERIALIZED VIEW.
import fs from 'node:fs';
import type pg from 'pg';
import type { Store } from '../../core/clickhouse.js';
import { appendPg, loadSluice, refreshViews, writeEventFiles } from './pg-load.js';
import type { PgCase } from './pg-queries.js';
import { problem, type QueryClient } from './query-measure.js';

export interface Freshness {
  appended: number;
  /** Page views among them. */
  pageViews: number;
  sluiceSeconds: number;
  pgSeconds: number;
  refreshSeconds: number;
  /** Page views counted by each side: before, after the append, and (PostgreSQL) after REFRESH. */
  sluice: [number, number];
  pg: [number, number, number];
}

const total = (rows: Record<string, unknown>[], col: string): number => rows.reduce((n, r) => n + Number(r[col] ?? 0), 0);

async function sluiceCount(http: QueryClient, c: PgCase): Promise<number> {
  const a = await http.send(c.sluice);
  const why = problem(a);
  if (why) throw new Error(`${c.sluice.name}: ${why}`);
  const names: string[] = a.body.columns.map((x: { name: string }) => x.name);
  const i = names.indexOf('count');
  return (a.body.rows as unknown[][]).reduce((n, r) => n + Number(r[i] ?? 0), 0);
}

async function pgCount(client: pg.Client, c: PgCase): Promise<number> {
  const q = c.build(Date.now());
  return total((await client.query(q.sql, q.params)).rows, 'count');
}

/** The sentence for the report: whether each side counted the new page views, and when. */
export function freshnessText(f: Freshness): string {
  const seen = (before: number, after: number): string => `${(after - before).toLocaleString('en-US')} of the ${f.pageViews.toLocaleString('en-US')} new page views`;
  return `Appended ${f.appended.toLocaleString('en-US')} more events (the last day, another seed) to both after the timed rounds: Sluice stored them in ${f.sluiceSeconds.toFixed(1)} s and its rollup answer counted ${seen(f.sluice[0], f.sluice[1])} at once; COPY into PostgreSQL's indexed table took ${f.pgSeconds.toFixed(1)} s, its view counted ${seen(f.pg[0], f.pg[1])} until REFRESH MATERIALIZED VIEW of all views (${f.refreshSeconds.toFixed(1)} s), then ${seen(f.pg[0], f.pg[2])}.`;
}

/** `c` must be the page_view count case (answered from Sluice's hourly rollup and PostgreSQL's hourly view). */
export async function freshness(o: { dir: string; store: Store; client: pg.Client; http: QueryClient; c: PgCase; events: number; seed: number; project: string }): Promise<Freshness> {
  const files = writeEventFiles(o.dir, { events: o.events, days: 1, seed: o.seed, end: Date.now(), project: o.project }, 'append');
  try {
    const sluice0 = await sluiceCount(o.http, o.c);
    const pg0 = await pgCount(o.client, o.c);
    const sl = await loadSluice(o.store, files.ndjson, 200_000, 'bench-pg-append');
    const pgSeconds = await appendPg(o.client, files.copy);
    const sluice1 = await sluiceCount(o.http, o.c);
    const pg1 = await pgCount(o.client, o.c);
    const refresh = await refreshViews(o.client);
    const pg2 = await pgCount(o.client, o.c);
    return {
      appended: files.rows,
      pageViews: files.byEvent.page_view ?? 0,
      sluiceSeconds: sl.seconds,
      pgSeconds,
      refreshSeconds: refresh.reduce((n, [, s]) => n + s, 0),
      sluice: [sluice0, sluice1],
      pg: [pg0, pg1, pg2],
    };
  } finally {
    fs.rmSync(files.ndjson, { force: true });
    fs.rmSync(files.copy, { force: true });
  }
}
