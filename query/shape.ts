// Turns ClickHouse rows into the answer's rows: empty buckets filled, comparison columns
// joined on the matching bucket, funnel conversions and retention rates worked out.
import type { Shift } from './time-range.js';
import { nextBucket } from './time-range.js';
import type { Aggregation, Column } from './types.js';
import type { Resolved } from './validate-query.js';

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const ADDITIVE: Aggregation[] = ['count', 'sum', 'uniq_users'];

export interface AggregateRows {
  /** Group tuples in rank order ("(other)" last). */
  groups: string[][];
  rows: unknown[][];
}

/** Aggregate rows (time?, groups..., aggregations..., rank?) with empty buckets filled for every group. */
export function shapeAggregate(r: Resolved, raw: unknown[][]): AggregateRows {
  const hasTime = r.interval !== undefined;
  const g = r.groupBy.length;
  const a = r.aggregations.length;
  const ranked = new Map<string, { key: string[]; rank: number }>();
  const byKey = new Map<string, unknown[]>();
  for (const row of raw) {
    const time = hasTime ? Number(row[0]) : 0;
    const key = row.slice(hasTime ? 1 : 0, (hasTime ? 1 : 0) + g).map(String);
    const values = row.slice((hasTime ? 1 : 0) + g, (hasTime ? 1 : 0) + g + a).map(num);
    const rank = g > 0 ? Number(row[(hasTime ? 1 : 0) + g + a]) : 1;
    const id = JSON.stringify(key);
    if (!ranked.has(id)) ranked.set(id, { key, rank: rank === 0 ? Number.MAX_SAFE_INTEGER : rank });
    byKey.set(`${time}|${id}`, values);
  }
  const groups = [...ranked.values()].sort((x, y) => x.rank - y.rank).map((x) => x.key);
  if (g === 0 && groups.length === 0) groups.push([]);
  const empty = r.aggregations.map((agg) => (ADDITIVE.includes(agg) ? 0 : null));
  const rows: unknown[][] = [];
  const times = hasTime ? (r.buckets ?? []) : [0];
  for (const time of times) {
    for (const key of groups) {
      const values = byKey.get(`${time}|${JSON.stringify(key)}`);
      if (!values && !hasTime && g > 0) continue;
      rows.push([...(hasTime ? [time] : []), ...key, ...(values ?? empty)]);
    }
  }
  return { groups, rows };
}

/** Appends `<agg>_previous` and `<agg>_change` (relative change, null when the previous value is 0 or missing). */
export function joinPrevious(r: Resolved, current: AggregateRows, previous: AggregateRows, shift: Shift, columns: Column[]): { rows: unknown[][]; columns: Column[] } {
  const hasTime = r.interval !== undefined;
  const lead = (hasTime ? 1 : 0) + r.groupBy.length;
  const prev = new Map<string, unknown[]>();
  for (const row of previous.rows) prev.set(JSON.stringify(row.slice(0, lead)), row.slice(lead));
  const rows = current.rows.map((row) => {
    const key = row.slice(0, lead);
    if (hasTime) key[0] = shift.map(Number(key[0]));
    const before = prev.get(JSON.stringify(key)) ?? r.aggregations.map((agg) => (ADDITIVE.includes(agg) ? 0 : null));
    const now = row.slice(lead) as (number | null)[];
    const change = now.map((v, i) => {
      const b = before[i] as number | null;
      return v === null || b === null || b === 0 ? null : (v - b) / Math.abs(b);
    });
    return [...row, ...before, ...change];
  });
  return {
    rows,
    columns: [
      ...columns,
      ...r.aggregations.map((agg) => ({ name: `${agg}_previous`, type: 'number' as const })),
      ...r.aggregations.map((agg) => ({ name: `${agg}_change`, type: 'number' as const })),
    ],
  };
}

/** Funnel rows (group, step, users, median) to the answer's step rows per group. */
export function shapeFunnel(r: Resolved, raw: unknown[][]): unknown[][] {
  const steps = r.query.steps ?? [];
  const grouped = r.groupBy.length > 0;
  const byGroup = new Map<string, Map<number, { users: number; median: number | null }>>();
  for (const [g, k, users, median] of raw) {
    const key = String(g);
    if (!byGroup.has(key)) byGroup.set(key, new Map());
    byGroup.get(key)?.set(Number(k), { users: Number(users), median: num(median) });
  }
  if (byGroup.size === 0 && !grouped) byGroup.set('', new Map());
  const out: unknown[][] = [];
  for (const [group, stepRows] of byGroup) {
    const users = steps.map((_, i) => stepRows.get(i + 1)?.users ?? 0);
    steps.forEach((s, i) => {
      const first = users[0];
      const before = i === 0 ? users[0] : users[i - 1];
      out.push([
        ...(grouped ? [group] : []),
        i + 1,
        s.event,
        users[i],
        first > 0 ? users[i] / first : null,
        before > 0 ? users[i] / before : null,
        i === 0 ? null : (stepRows.get(i + 1)?.median ?? null),
      ]);
    });
  }
  return out;
}

/** Retention rows (cohort, period, users; period -1 = cohort size) to full cohort × period rows. */
export function shapeRetention(r: Resolved, raw: unknown[][]): unknown[][] {
  const week = r.query.period === 'week';
  const periods = r.query.periods ?? (week ? 8 : 7);
  const sizes = new Map<number, number>();
  const users = new Map<string, number>();
  for (const [cohort, period, n] of raw) {
    if (Number(period) === -1) sizes.set(Number(cohort), Number(n));
    else users.set(`${cohort}|${period}`, Number(n));
  }
  const out: unknown[][] = [];
  for (const cohort of [...sizes.keys()].sort((x, y) => x - y)) {
    const size = sizes.get(cohort) ?? 0;
    let start = cohort;
    for (let k = 0; k <= periods && start < r.to; k++) {
      const n = users.get(`${cohort}|${k}`) ?? 0;
      out.push([cohort, size, k, n, size > 0 ? n / size : null]);
      start = nextBucket(start, week ? '1w' : '1d', r.tz);
    }
  }
  return out;
}

