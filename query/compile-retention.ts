// Retention: users are grouped into cohorts by the day or week (in the query's time zone) of
// their first `start_event` in the range; period k counts the cohort's users who did
// `return_event` in the k-th day or week after their cohort's (period 0: the cohort's own
// day or week, at or after their first start event).
import { filterSql, instant, Params } from './sql.js';
import type { Compiled } from './compile-aggregate.js';
import type { Resolved } from './validate-query.js';

export function compileRetention(r: Resolved, db: string, project: string): Compiled {
  const p = new Params();
  const q = r.query;
  const tz = p.bind(r.tz, 'String');
  const projectP = p.bind(project, 'String');
  const range = `timestamp >= ${instant(r.from, p)} AND timestamp < ${instant(r.to, p)}`;
  const week = q.period === 'week';
  const cohortDate = week ? `toStartOfWeek(t0, 1, ${tz})` : `toDate(t0, ${tz})`;
  const filters = r.filters.map((f) => `AND ${filterSql(f, q.start_event, p)}`).join(' ');
  const periods = q.periods ?? (week ? 8 : 7);
  const sql = `
  WITH
    firsts AS (
      SELECT user_id, min(timestamp) AS t0
      FROM ${db}.events
      WHERE project_id = ${projectP} AND event = ${p.bind(q.start_event, 'String')} AND ${range} AND user_id != '' ${filters}
      GROUP BY user_id
    ),
    returns AS (
      SELECT user_id, toDate(timestamp, ${tz}) AS day, max(timestamp) AS last_ts
      FROM ${db}.events
      WHERE project_id = ${projectP} AND event = ${p.bind(q.return_event, 'String')} AND ${range} AND user_id != ''
      GROUP BY user_id, day
    )
  SELECT toInt64(toUnixTimestamp(toDateTime(${cohortDate}, ${tz}))) * 1000 AS cohort, toInt32(-1) AS period, toFloat64(count()) AS users
  FROM firsts GROUP BY cohort
  UNION ALL
  SELECT cohort, period, toFloat64(uniqExact(user_id)) AS users FROM (
    SELECT f.user_id AS user_id, toInt64(toUnixTimestamp(toDateTime(${cohortDate}, ${tz}))) * 1000 AS cohort,
      toInt32(${week ? `intDiv(dateDiff('day', ${cohortDate}, r.day), 7)` : `dateDiff('day', ${cohortDate}, r.day)`}) AS period,
      r.last_ts AS last_ts, f.t0 AS t0
    FROM firsts AS f INNER JOIN returns AS r ON r.user_id = f.user_id
  )
  WHERE period >= 0 AND period <= ${p.bind(periods, 'Int32')} AND (period > 0 OR last_ts >= t0)
  GROUP BY cohort, period`;
  return {
    sql,
    params: p.values,
    columns: [
      { name: 'cohort', type: 'time' },
      { name: 'cohort_size', type: 'number' },
      { name: 'period', type: 'number' },
      { name: 'users', type: 'number' },
      { name: 'rate', type: 'number' },
    ],
    source: 'events',
    hidden: 0,
  };
}
