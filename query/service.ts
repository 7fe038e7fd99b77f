// The query service's core: a query document and a caller in, an answer out. Validation,
// the cache, the compiler for the kind, execution with ClickHouse-side limits, and shaping.
import type { Store } from '../core/clickhouse.js';
import type { Config } from '../core/config.js';
import { compileAggregate, OTHER, type Compiled } from './compile-aggregate.js';
import { compileEvents, encodeCursor } from './compile-events.js';
import { compileFunnel } from './compile-funnel.js';
import { compileRetention } from './compile-retention.js';
import { cacheKey, QueryCache } from './cache.js';
import { execute } from './execute.js';
import { ANOMALY_LEVEL, anomalies, fillGaps, forecast } from './forecast.js';
import { joinPrevious, shapeAggregate, shapeFunnel, shapeRetention } from './shape.js';
import { buckets, nextBucket, previousPeriod } from './time-range.js';
import type { Answer, AnswerMeta, Column } from './types.js';
import { horizonOf, PERCENTILES, resolveQuery, type Resolved } from './validate-query.js';

export interface RunOptions {
  /** Skip the cache read (the answer is still stored). */
  noCache?: boolean;
  signal?: AbortSignal;
  now?: number;
}

interface Part {
  rows: unknown[][];
  columns: Column[];
  source: Compiled['source'];
  rowsRead: number;
  extra?: Partial<AnswerMeta>;
}

export class QueryService {
  constructor(
    private readonly store: Store,
    private readonly config: Config,
    private readonly cache: QueryCache,
  ) {}

  /** Validates without running (alert rules, live subscriptions). */
  resolve(query: unknown, now = Date.now()): Resolved {
    return resolveQuery(query, this.config, now);
  }

  async run(project: string, query: unknown, opts: RunOptions = {}): Promise<Answer> {
    const started = performance.now();
    const r = this.resolve(query, opts.now);
    const key = cacheKey(project, r.query);
    if (!opts.noCache) {
      const hit = await this.cache.get(key, r.live);
      if (hit) return { ...hit, meta: { ...hit.meta, cache: 'hit', elapsed_ms: Math.round(performance.now() - started) } };
    }
    const part = await this.compute(project, r, opts.signal);
    // Sketches (percentiles, unique users) and models (forecasts, anomaly intervals) approximate.
    const sketched = r.aggregations.some((a) => PERCENTILES.includes(a) || a === 'uniq_users') && ['timeseries', 'breakdown', 'percentiles'].includes(r.kind);
    const approximate = sketched || r.kind === 'forecast' || r.kind === 'anomalies';
    const answer: Answer = {
      columns: part.columns,
      rows: part.rows,
      meta: {
        source: part.source,
        approximate,
        rows_read: part.rowsRead,
        elapsed_ms: Math.round(performance.now() - started),
        cache: 'miss',
        from: r.from,
        to: r.to,
        timezone: r.tz,
        ...(r.interval ? { interval: r.interval } : {}),
        ...(sketched ? { accuracy: 'percentiles within 1% relative error (DDSketch); uniq_users from HyperLogLog-style sketches, exact below a few hundred users' } : {}),
        ...part.extra,
      },
    };
    await this.cache.set(key, answer, r.live);
    return answer;
  }

  private async run1(c: Compiled, signal?: AbortSignal): Promise<{ rows: unknown[][]; rowsRead: number }> {
    return execute(this.store, this.config, c.sql, c.params, signal);
  }

  private async compute(project: string, r: Resolved, signal?: AbortSignal): Promise<Part> {
    const db = this.store.db;
    switch (r.kind) {
      case 'funnel': {
        const c = compileFunnel(r, db, project);
        const out = await this.run1(c, signal);
        return { rows: shapeFunnel(r, out.rows), columns: c.columns, source: c.source, rowsRead: out.rowsRead };
      }
      case 'retention': {
        const c = compileRetention(r, db, project);
        const out = await this.run1(c, signal);
        return { rows: shapeRetention(r, out.rows), columns: c.columns, source: c.source, rowsRead: out.rowsRead };
      }
      case 'events': {
        const c = compileEvents(r, db, project);
        const out = await this.run1(c, signal);
        const page = out.rows.slice(0, r.limit);
        const last = page[page.length - 1];
        const next = out.rows.length > r.limit && last ? encodeCursor({ t: Number(last[0]), id: String(last[2]) }) : null;
        const picked = r.query.properties;
        const rows = picked ? page.map((row) => [...row.slice(0, 6), ...row.slice(6).map((v) => JSON.parse(String(v)) as unknown)]) : page.map((row) => row.map((v, i) => (i === 0 ? Number(v) : v)));
        return { rows, columns: c.columns, source: c.source, rowsRead: out.rowsRead, extra: { next_cursor: next } };
      }
      case 'forecast':
      case 'anomalies':
        return this.model(project, r, signal);
      default:
        return this.aggregate(project, r, signal);
    }
  }

  private async aggregate(project: string, r: Resolved, signal?: AbortSignal): Promise<Part> {
    const db = this.store.db;
    const c = compileAggregate(r, db, project);
    const out = await this.run1(c, signal);
    const current = shapeAggregate(r, out.rows);
    const compare = r.query.compare;
    if (!compare) return { rows: current.rows, columns: c.columns, source: c.source, rowsRead: out.rowsRead };

    const shift = previousPeriod(compare, r.from, r.to, r.interval, r.tz);
    const prevBuckets = r.interval ? (buckets(shift.from, shift.to, r.interval, r.tz) ?? []) : undefined;
    const previous: Resolved = { ...r, from: shift.from, to: shift.to, buckets: prevBuckets };
    const top = r.groupBy.length > 0 ? current.groups.filter((g) => !g.includes(OTHER)) : undefined;
    const pc = compileAggregate(previous, db, project, top);
    const pout = await this.run1(pc, signal);
    const joined = joinPrevious(r, current, shapeAggregate(previous, pout.rows), shift, c.columns);
    return {
      rows: joined.rows,
      columns: joined.columns,
      source: c.source,
      rowsRead: out.rowsRead + pout.rowsRead,
      extra: { compare: { kind: compare, from: shift.from, to: shift.to, source: pc.source } },
    };
  }

  /**
   * forecast and anomalies: the timeseries of their one aggregation (same table choice, limits
   * and cache as kind timeseries), then the model. History rows come first, oldest first, so
   * the last history row is the latest bucket. is_anomaly is 1 or 0 (columns are numbers).
   */
  private async model(project: string, r: Resolved, signal?: AbortSignal): Promise<Part> {
    const series = await this.aggregate(project, r, signal);
    const times = series.rows.map((row) => Number(row[0]));
    const observed = series.rows.map((row) => (row[1] === null ? null : Number(row[1])));
    const values = fillGaps(observed);
    const num = (name: string): Column => ({ name, type: 'number' });
    const base = { source: series.source, rowsRead: series.rowsRead };
    if (r.kind === 'anomalies') {
      const a = anomalies(values);
      const rows = a.points.map((p, i) => [times[i], observed[i], p.expected, p.lower, p.upper, observed[i] === null ? null : p.score, observed[i] !== null && p.is_anomaly ? 1 : 0]);
      const columns: Column[] = [{ name: 'time', type: 'time' }, num('value'), num('expected'), num('lower'), num('upper'), num('score'), num('is_anomaly')];
      return { ...base, rows, columns, extra: { seasonality: a.seasonality, model: a.model, level: ANOMALY_LEVEL } };
    }
    const horizon = horizonOf(r.query);
    const f = forecast(values, horizon);
    const rows: unknown[][] = times.map((t, i) => [t, observed[i], null, null, null, null, null]);
    let t = times.length > 0 ? times[times.length - 1] : r.from;
    for (let i = 0; i < horizon && f.point.length > 0; i++) {
      t = nextBucket(t, r.interval ?? '1h', r.tz);
      rows.push([t, null, f.point[i], f.lower_80[i], f.upper_80[i], f.lower_95[i], f.upper_95[i]]);
    }
    const columns: Column[] = [{ name: 'time', type: 'time' }, num('value'), num('forecast'), num('lower_80'), num('upper_80'), num('lower_95'), num('upper_95')];
    return { ...base, rows, columns, extra: { horizon, seasonality: f.seasonality, model: f.model, interval_widening: f.widening, backtest: f.backtest } };
  }
}
