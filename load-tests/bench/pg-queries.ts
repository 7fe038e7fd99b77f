// The query bench's cases that PostgreSQL can express, as a team would write them against
// pg-schema.ts: from a materialized view where one holds the answer at the asked grain, from
// the events table otherwise. Each builder takes the time `now` the Sluice request was made at
// and computes the same range (query/time-range.ts), so both sides answer the same question.
import { relativeRange } from '../../query/time-range.js';
import { queryCases, type QueryCase } from './query-cases.js';

export interface PgQuery {
  sql: string;
  params: unknown[];
}

/** How two answers are compared: key columns, columns equal to 1e-9, columns within a relative tolerance. */
export interface AnswerCheck {
  keys: string[];
  exact: string[];
  approx: Record<string, number>;
  /** Compare only the Sluice rows outside "(other)" (the view cannot merge the rest's percentiles). */
  skipOther?: boolean;
}

export interface PgCase {
  /** The query bench case it pairs with (same name). */
  sluice: QueryCase;
  /** 'view' when a materialized view answers, 'events' when the table does. */
  via: 'view' | 'events';
  build(now: number): PgQuery;
  check: AnswerCheck;
}

const H = 3_600_000;
const D = 24 * H;
/** Sluice's percentiles come from DDSketches with 1% relative accuracy. */
const SKETCH = 0.01;
/** uniqCombined64 (Sluice's unique users) against count(DISTINCT). */
const UNIQ = 0.02;

const ms = (col: string): string => `(extract(epoch FROM ${col}) * 1000)::bigint`;
const iso = (t: number): string => new Date(t).toISOString();
const num = (p: string): string => `(properties->>'${p}')::float8`;

/**
 * The q-quantile as Sluice's sketches define it: the value at rank q × (n − 1), rounded down
 * (quantileDD walks its buckets to that rank). percentile_cont interpolates between two
 * neighbours instead, which differs by far more than 1% in small groups (an hour of a rare
 * endpoint), so the answers would not be comparable. PostgreSQL computes one sorted array per
 * group however many levels are read from it.
 */
export const quantile = (v: string, q: number): string => `(array_agg(${v} ORDER BY ${v}))[1 + floor(${q} * (count(*) - 1))::int]`;

function range(range: string, now: number, interval?: '1h' | '1d' | '5m'): [string, string, number, number] {
  const r = relativeRange(range, now, interval, 'UTC');
  return [iso(r.from), iso(r.to), r.from, r.to];
}

/** Top `limit` groups of a raw selection by an ordering aggregate, the rest as "(other)". */
const topOf = (base: string, key: string, order: string, limit = 10): string =>
  `top AS (SELECT ${key} AS k FROM ${base} GROUP BY ${key} ORDER BY ${order} DESC, ${key} LIMIT ${limit})`;
const grouped = (key: string): string => `CASE WHEN ${key} IN (SELECT k FROM top) THEN ${key} ELSE '(other)' END`;

/** The funnel: from each first-step event, the earliest next step after the previous one, all within the window of the first. */
export function funnelSql(steps: string[]): string {
  const laterals = steps.slice(1).map((event, i) => {
    const prev = i === 0 ? 's1.t1' : `x${i + 1}.t${i + 1}`;
    return `LEFT JOIN LATERAL (SELECT min(e.ts) AS t${i + 2} FROM events e
        WHERE e.project_id = $1 AND e.user_id = s1.user_id AND e.event = '${event}'
          AND e.ts > ${prev} AND e.ts <= s1.t1 + $4 * interval '1 millisecond' AND e.ts < $3) x${i + 2} ON true`;
  });
  const reached = steps.map((_, i) => (i === 0 ? '' : `WHEN t${steps.length - i + 1} IS NOT NULL THEN ${steps.length - i + 1}`)).filter(Boolean).join(' ');
  return `WITH s1 AS (
      SELECT user_id, ts AS t1 FROM events
      WHERE project_id = $1 AND event = '${steps[0]}' AND ts >= $2 AND ts < $3 AND user_id <> ''),
    chains AS (
      SELECT s1.user_id, CASE ${reached} ELSE 1 END AS reached
      FROM s1 ${laterals.join('\n      ')}),
    users AS (SELECT user_id, max(reached) AS reached FROM chains GROUP BY user_id)
    SELECT k AS step, count(*) FILTER (WHERE reached >= k)::float8 AS users
    FROM users, generate_series(1, ${steps.length}) AS k GROUP BY k ORDER BY k`;
}

export function pgCases(project: string, now = Date.now()): PgCase[] {
  const cases = new Map(queryCases(now).map((c) => [c.name, c]));
  const of = (prefix: string): QueryCase => {
    const c = [...cases.values()].find((x) => x.name.startsWith(prefix));
    if (!c) throw new Error(`no query bench case starts with "${prefix}"`);
    return c;
  };
  const retention = of('retention: page_view');
  const rb = retention.body as { from: string; to: string; periods: number };
  const apiBase = (from: string, to: string): string => `(SELECT properties->>'endpoint' AS endpoint, ${num('duration_ms')} AS v, ts FROM events
      WHERE project_id = $1 AND event = 'api_request' AND ts >= ${from} AND ts < ${to} AND properties ? 'duration_ms') AS base`;
  return [
    {
      sluice: of('timeseries: p95 duration_ms by endpoint, 7d by 1h'),
      via: 'view',
      build: (t) => {
        const [from, to] = range('7d', t, '1h');
        return { sql: `SELECT ${ms('bucket')} AS time, endpoint, p95 FROM mv_api_endpoint_1h WHERE project_id = $1 AND bucket >= $2 AND bucket < $3 ORDER BY 1, 2`, params: [project, from, to] };
      },
      check: { keys: ['time', 'endpoint'], exact: [], approx: { p95: SKETCH }, skipOther: true },
    },
    {
      sluice: of('timeseries: p95 duration_ms by endpoint, 7d by 1h, raw events'),
      via: 'events',
      build: (t) => {
        const [from, to] = range('7d', t, '1h');
        return {
          sql: `WITH b AS (SELECT date_trunc('hour', ts) AS bucket, endpoint, v FROM ${apiBase('$2', '$3')}),
            ${topOf('b', 'endpoint', quantile('v', 0.95))}
            SELECT ${ms('bucket')} AS time, ${grouped('endpoint')} AS endpoint, ${quantile('v', 0.95)} AS p95
            FROM b GROUP BY 1, 2 ORDER BY 1, 2`,
          params: [project, from, to],
        };
      },
      check: { keys: ['time', 'endpoint'], exact: [], approx: { p95: SKETCH } },
    },
    {
      sluice: of('timeseries: order revenue sum/count/avg, 30d by 1d'),
      via: 'view',
      build: (t) => {
        const [from, to, f, e] = range('30d', t, '1d');
        return {
          sql: `SELECT ${ms('c.bucket')} AS time, c.revenue AS sum, c.events::float8 AS count, c.revenue / c.events AS avg, p.revenue AS sum_previous
            FROM mv_order_1d c LEFT JOIN mv_order_1d p ON p.project_id = c.project_id AND p.bucket = c.bucket - make_interval(days => $4)
            WHERE c.project_id = $1 AND c.bucket >= $2 AND c.bucket < $3 ORDER BY 1`,
          params: [project, from, to, Math.round((e - f) / D)],
        };
      },
      check: { keys: ['time'], exact: ['sum', 'count', 'avg', 'sum_previous'], approx: {} },
    },
    {
      sluice: of('timeseries: api_request count/p99 by status class, 24h by 5m'),
      via: 'events',
      build: (t) => {
        const [from, to] = range('24h', t, '5m');
        return {
          sql: `SELECT (floor(extract(epoch FROM ts) / 300) * 300000)::bigint AS time, ((properties->>'status')::int / 100)::text || 'xx' AS status_class,
              count(*)::float8 AS count, ${quantile(num('duration_ms'), 0.99)} AS p99
            FROM events WHERE project_id = $1 AND event = 'api_request' AND ts >= $2 AND ts < $3 AND properties ? 'duration_ms'
            GROUP BY 1, 2 ORDER BY 1, 2`,
          params: [project, from, to],
        };
      },
      check: { keys: ['time', 'status_class'], exact: ['count'], approx: { p99: SKETCH } },
    },
    {
      sluice: of('timeseries: ml_job cost_usd by provider, 90d by 1d'),
      via: 'view',
      build: (t) => {
        const [from, to] = range('90d', t, '1d');
        return { sql: `SELECT ${ms('bucket')} AS time, provider, cost_usd AS sum FROM mv_ml_cost_1d WHERE project_id = $1 AND bucket >= $2 AND bucket < $3 ORDER BY 1, 2`, params: [project, from, to] };
      },
      check: { keys: ['time', 'provider'], exact: ['sum'], approx: {} },
    },
    {
      sluice: of('timeseries: page_view count and users, 30d by 1h'),
      via: 'view',
      build: (t) => {
        const [from, to] = range('30d', t, '1h');
        return { sql: `SELECT ${ms('bucket')} AS time, events::float8 AS count, users::float8 AS uniq_users FROM mv_page_view_1h WHERE project_id = $1 AND bucket >= $2 AND bucket < $3 ORDER BY 1`, params: [project, from, to] };
      },
      check: { keys: ['time'], exact: ['count'], approx: { uniq_users: UNIQ } },
    },
    {
      sluice: of('funnel: page_view → add_to_cart'),
      via: 'events',
      build: (t) => {
        const [from, to] = range('7d', t);
        return { sql: funnelSql(['page_view', 'add_to_cart', 'checkout_started', 'order']), params: [project, from, to, H] };
      },
      check: { keys: ['step'], exact: ['users'], approx: {} },
    },
    {
      sluice: retention,
      via: 'events',
      build: () => ({
        sql: `WITH firsts AS (
            SELECT user_id, min(ts) AS t0, date_trunc('week', min(ts))::date AS cohort FROM events
            WHERE project_id = $1 AND event = 'page_view' AND ts >= $2 AND ts < $3 AND user_id <> '' GROUP BY user_id),
          returns AS (
            SELECT user_id, ts::date AS day, max(ts) AS last_ts FROM events
            WHERE project_id = $1 AND event = 'page_view' AND ts >= $2 AND ts < $3 AND user_id <> '' GROUP BY 1, 2),
          sizes AS (SELECT cohort, count(*) AS size FROM firsts GROUP BY cohort)
          SELECT ${ms('x.cohort::timestamp')} AS cohort, x.period, x.users::float8 AS users, s.size::float8 AS cohort_size FROM (
            SELECT f.cohort, (r.day - f.cohort) / 7 AS period, count(DISTINCT f.user_id) AS users
            FROM firsts f JOIN returns r ON r.user_id = f.user_id
            WHERE r.day >= f.cohort AND (r.day - f.cohort) / 7 <= $4 AND (r.day - f.cohort >= 7 OR r.last_ts >= f.t0)
            GROUP BY 1, 2) x JOIN sizes s ON s.cohort = x.cohort
          ORDER BY 1, 2`,
        params: [project, rb.from, rb.to, rb.periods],
      }),
      check: { keys: ['cohort', 'period'], exact: ['users', 'cohort_size'], approx: {} },
    },
    {
      sluice: of('breakdown: top 10 categories by order revenue'),
      via: 'view',
      build: (t) => {
        const [from, to] = range('30d', t);
        return { sql: `SELECT category, sum(revenue) AS sum, sum(events)::float8 AS count FROM mv_order_category_1h WHERE project_id = $1 AND bucket >= $2 AND bucket < $3 GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10`, params: [project, from, to] };
      },
      check: { keys: ['category'], exact: ['sum', 'count'], approx: {} },
    },
    {
      sluice: of('breakdown: top 10 page paths by views'),
      via: 'events',
      build: (t) => {
        const [from, to] = range('7d', t);
        return {
          sql: `WITH b AS (SELECT coalesce(properties->>'path', '') AS path, user_id FROM events WHERE project_id = $1 AND event = 'page_view' AND ts >= $2 AND ts < $3),
            ${topOf('b', 'path', 'count(*)')}
            SELECT ${grouped('path')} AS path, count(*)::float8 AS count, count(DISTINCT user_id) FILTER (WHERE user_id <> '')::float8 AS uniq_users FROM b GROUP BY 1`,
          params: [project, from, to],
        };
      },
      check: { keys: ['path'], exact: ['count'], approx: { uniq_users: UNIQ } },
    },
    {
      sluice: of('percentiles: api_request duration_ms by endpoint, 24h'),
      via: 'events',
      build: (t) => {
        const [from, to] = range('24h', t);
        return {
          sql: `WITH b AS (SELECT endpoint, v FROM ${apiBase('$2', '$3')}),
            ${topOf('b', 'endpoint', quantile('v', 0.5))}
            SELECT ${grouped('endpoint')} AS endpoint, ${[0.5, 0.9, 0.95, 0.99].map((q) => `${quantile('v', q)} AS p${q * 100}`).join(', ')} FROM b GROUP BY 1`,
          params: [project, from, to],
        };
      },
      check: { keys: ['endpoint'], exact: [], approx: { p50: SKETCH, p90: SKETCH, p95: SKETCH, p99: SKETCH } },
    },
    {
      sluice: of('percentiles: ticket first_response_ms by channel'),
      via: 'events',
      build: (t) => {
        const [from, to] = range('30d', t);
        return {
          sql: `SELECT coalesce(properties->>'channel', '') AS channel, ${[0.5, 0.9, 0.99].map((q) => `${quantile(num('first_response_ms'), q)} AS p${q * 100}`).join(', ')}
              FROM events WHERE project_id = $1 AND event = 'ticket' AND ts >= $2 AND ts < $3 AND properties ? 'first_response_ms' GROUP BY 1`,
          params: [project, from, to],
        };
      },
      check: { keys: ['channel'], exact: [], approx: { p50: SKETCH, p90: SKETCH, p99: SKETCH } },
    },
    {
      sluice: of('events: latest 100 errors of checkout-api'),
      via: 'events',
      build: (t) => {
        const [from, to] = range('7d', t);
        return {
          sql: `SELECT ${ms('ts')} AS time, event_id FROM events WHERE project_id = $1 AND event = 'error' AND ts >= $2 AND ts < $3 AND properties @> $4::jsonb ORDER BY ts DESC LIMIT 100`,
          params: [project, from, to, JSON.stringify({ service: 'checkout-api' })],
        };
      },
      check: { keys: ['event_id'], exact: ['time'], approx: {} },
    },
  ];
}
