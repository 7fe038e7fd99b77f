// Funnels over raw events, one statement. Per user, the events matching any step are sorted
// by time; from each first-step event a chain is walked forward (the earliest matching event
// of each next step, all within `window` of the first step; with strict order any other
// step's event in between ends the chain). The user's chain is the one reaching the furthest
// step (earliest start on a tie), which also gives the times between steps and the value of
// the breakdown property on the first step. Taking the earliest next-step event is optimal:
// it never leaves a later step less room inside the window.
import { filterSql, instant, Params, textExpr } from './sql.js';
import { OTHER, type Compiled } from './compile-aggregate.js';
import type { Column } from './types.js';
import type { Resolved } from './validate-query.js';

export function compileFunnel(r: Resolved, db: string, project: string): Compiled {
  const p = new Params();
  const steps = r.query.steps ?? [];
  const n = steps.length;
  const stepConditions = steps.map((s) => [`event = ${p.bind(s.event, 'String')}`, ...(s.filters ?? []).map((f) => filterSql(f, s.event, p))].join(' AND '));
  const mask = stepConditions.map((c, i) => `if(${c}, ${2 ** i}, 0)`).join(' + ');
  const group = r.groupBy[0] ? textExpr(r.groupBy[0], steps[0].event, p) : "''";
  const windowMs = p.bind(r.windowMs, 'Int64');
  const strict = r.query.strict_order === true;

  // acc: (reached step, time of the last step, times of the steps, broken)
  const advance = `(acc, e) -> if(acc.4 = 1 OR acc.1 >= ${n} OR e.1 - acc.3[1] > ${windowMs}, acc,
      if(bitTest(e.2, acc.1), (toUInt8(acc.1 + 1), e.1, arrayPushBack(acc.3, e.1), toUInt8(0)),
        ${strict ? 'if(e.2 != 0, (acc.1, acc.2, acc.3, toUInt8(1)), acc)' : 'acc'}))`;
  const chains = `arrayMap(i -> tuple(arrayFold(${advance}, arraySlice(evs, i + 1), (toUInt8(1), evs[i].1, [evs[i].1], toUInt8(0))), evs[i].3),
      arrayFilter(i -> bitTest(evs[i].2, 0), arrayEnumerate(evs)))`;

  const sql = `
  SELECT g, k, sum(users) AS users, quantileExactInclusiveMergeIf(0.5)(gap, k > 1) AS median
  FROM (
    SELECT if(dense_rank() OVER (ORDER BY first_users DESC, g0) <= ${p.bind(r.limit, 'UInt32')}, g0, '${OTHER}') AS g, k, users, gap, first_users
    FROM (
      SELECT g0, k, users, gap, max(users) OVER (PARTITION BY g0) AS first_users
      FROM (
        SELECT best.2 AS g0, k,
          countIf(best.1.1 >= k) AS users,
          quantileExactInclusiveStateIf(0.5)(toFloat64(best.1.3[k] - best.1.3[greatest(k - 1, 1)]), best.1.1 >= k AND k > 1) AS gap
        FROM (
          SELECT arraySort(c -> (-toInt32(c.1.1), c.1.3[1]), ${chains})[1] AS best
          FROM (
            SELECT user_id, arraySort(x -> x.1, groupArray((toInt64(toUnixTimestamp64Milli(timestamp)), toUInt32(mask), g))) AS evs
            FROM (
              SELECT user_id, timestamp, ${mask} AS mask, ${group} AS g
              FROM ${db}.events
              WHERE project_id = ${p.bind(project, 'String')}
                AND timestamp >= ${instant(r.from, p)} AND timestamp < ${instant(r.to, p)}
                AND event IN ${p.bind([...new Set(steps.map((s) => s.event))], 'Array(String)')}
                AND user_id != ''
            )
            WHERE mask != 0
            GROUP BY user_id
          )
          WHERE length(evs) > 0 AND arrayExists(e -> bitTest(e.2, 0), evs)
        )
        ARRAY JOIN range(1, ${n + 1}) AS k
        GROUP BY g0, k
      )
    )
  )
  GROUP BY g, k
  ORDER BY g = '${OTHER}', max(first_users) DESC, g, k`;
  const columns: Column[] = [
    ...(r.groupBy[0] ? [{ name: r.groupBy[0], type: 'string' as const }] : []),
    { name: 'step', type: 'number' },
    { name: 'event', type: 'string' },
    { name: 'users', type: 'number' },
    { name: 'conversion_from_first', type: 'number' },
    { name: 'conversion_from_previous', type: 'number' },
    { name: 'median_time_to_convert_ms', type: 'number' },
  ];
  return { sql, params: p.values, columns, source: 'events', hidden: 0 };
}
