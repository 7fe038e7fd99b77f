// timeseries, breakdown and percentiles compiled to one SELECT each: over raw events or a
// rollup, bucketed in the query's time zone, grouped by up to two properties with the top N
// groups kept and the rest summed into "(other)".
import { QUANTILE_LEVELS } from '../schema/metrics.js';
import { QUANTILES_FN } from '../schema/rollup-sql.js';
import { arrayJoinSql, bucketSql, filterSql, instant, numberExpr, Params, rollupFilterSql, textExpr } from './sql.js';
import { chooseSource } from './source.js';
import type { Aggregation, Column, Source } from './types.js';
import type { Resolved } from './validate-query.js';

export const OTHER = '(other)';

export interface Compiled {
  sql: string;
  params: Record<string, unknown>;
  columns: Column[];
  source: Source;
  /** Hidden trailing columns the caller drops (group rank). */
  hidden: number;
}

const percentileIndex = (a: Aggregation): number => (QUANTILE_LEVELS as readonly number[]).indexOf(Number(a.slice(1)) / 100) + 1;

function rawAggregation(a: Aggregation, v: string): string {
  switch (a) {
    case 'count':
      return 'toFloat64(count())';
    case 'uniq_users':
      return "toFloat64(uniqCombined64If(user_id, user_id != ''))";
    case 'sum':
    case 'avg':
    case 'min':
    case 'max':
      return `${a}(${v})`;
    default:
      return `${QUANTILES_FN}(${v})[${percentileIndex(a)}]`;
  }
}

function rollupAggregation(a: Aggregation): string {
  switch (a) {
    case 'count':
      return 'toFloat64(sum(events))';
    case 'uniq_users':
      return 'toFloat64(uniqCombined64Merge(users))';
    case 'sum':
      return 'sum(value_sum)';
    case 'avg':
      return 'sum(value_sum) / sum(events)';
    case 'min':
      return 'min(value_min)';
    case 'max':
      return 'max(value_max)';
    default:
      return `${QUANTILES_FN.replace('quantilesDD', 'quantilesDDMerge')}(value_quantiles)[${percentileIndex(a)}]`;
  }
}

/**
 * `top`: the groups to keep, in rank order (a comparison period reuses the current period's
 * groups); without it the top `limit` groups by the first aggregation are chosen in SQL.
 */
export function compileAggregate(r: Resolved, db: string, project: string, top?: string[][]): Compiled {
  const p = new Params();
  const plan = chooseSource(r);
  const raw = plan.source === 'events';
  const where: string[] = [`project_id = ${p.bind(project, 'String')}`, `event = ${p.bind(r.event, 'String')}`];
  const ts = raw ? 'timestamp' : 'bucket';
  where.push(`${ts} >= ${instant(r.from, p)}`, `${ts} < ${instant(r.to, p)}`);
  let keys: string[];
  let aggregation: (a: Aggregation) => string;
  if (raw) {
    const v = r.measure ? numberExpr(r.measure, p) : '';
    if (r.measure) where.push(`isNotNull(${v}) AND NOT isNaN(${v})`);
    for (const f of r.filters) where.push(filterSql(f, r.event, p));
    keys = r.groupBy.map((g) => textExpr(g, r.event, p));
    aggregation = (a) => rawAggregation(a, v);
  } else {
    where.push(`metric = ${p.bind(plan.metric, 'String')}`);
    const dims = plan.dims ?? new Map<string, string>();
    for (const f of r.filters) where.push(rollupFilterSql(f, dims.get(f.property) as string, p));
    keys = r.groupBy.map((g) => dims.get(g) as string);
    aggregation = rollupAggregation;
  }
  // With an array path (items[].x), each item of the array is a row.
  const table = `${db}.${plan.source}${raw && r.arrayPath ? ` ${arrayJoinSql(r.arrayPath, p)}` : ''}`;
  const whereSql = where.join('\n    AND ');
  const aggs = r.aggregations.map((a) => `${aggregation(a)} AS \`${a}\``);

  const columns: Column[] = [];
  const select: string[] = [];
  const groupBy: string[] = [];
  if (r.interval) {
    select.push(`${bucketSql(ts, r.interval, p.bind(r.tz, 'String'))} AS \`time\``);
    groupBy.push('`time`');
    columns.push({ name: 'time', type: 'time' });
  }
  let withSql = '';
  let hidden = 0;
  if (keys.length > 0) {
    const key = keys.length === 1 ? keys[0] : `tuple(${keys.join(', ')})`;
    if (top) {
      const type = keys.length === 1 ? 'Array(String)' : 'Array(Tuple(String, String))';
      withSql = `WITH ${p.bind(keys.length === 1 ? top.map((t) => t[0]) : top, type)} AS __top`;
    } else {
      withSql = `WITH (SELECT groupArray(k) FROM (
        SELECT ${key} AS k FROM ${table} WHERE ${whereSql}
        GROUP BY k ORDER BY ${aggregation(r.aggregations[0])} DESC, k LIMIT ${p.bind(r.limit, 'UInt32')})) AS __top`;
    }
    keys.forEach((k, i) => {
      select.push(`if(has(__top, ${key}), ${k}, '${OTHER}') AS \`g${i}\``);
      groupBy.push(`\`g${i}\``);
      columns.push({ name: r.groupBy[i], type: 'string' });
    });
    select.push(...aggs, `min(indexOf(__top, ${key})) AS __rank`);
    hidden = 1;
  } else {
    select.push(...aggs);
  }
  for (const a of r.aggregations) columns.push({ name: a, type: 'number' });
  const order = [r.interval ? '`time`' : '', keys.length ? '__rank = 0, __rank' : ''].filter(Boolean).join(', ');
  const sql = `${withSql}
  SELECT ${select.join(',\n    ')}
  FROM ${table}
  WHERE ${whereSql}
  ${groupBy.length ? `GROUP BY ${groupBy.join(', ')}` : ''}
  ${order ? `ORDER BY ${order}` : ''}`;
  return { sql, params: p.values, columns, source: plan.source, hidden };
}
