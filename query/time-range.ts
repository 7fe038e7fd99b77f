// Time ranges, buckets and comparison periods in an IANA time zone. Days, weeks (Monday) and
// months follow the zone's calendar, DST included; minute and hour buckets are fixed lengths.
// The SQL side buckets with ClickHouse's zone-aware functions (bucketSql), and the answer's
// empty buckets are filled from the list made here, so both must agree.
import { DateTime, IANAZone } from 'luxon';
import type { Interval } from './types.js';

export const MAX_BUCKETS = 50_000;

/** A relative range: a count and a unit (minutes, hours, days, weeks, years), e.g. `6h`, `7d`. */
export const RANGE_PATTERN = '^[1-9][0-9]{0,4}[mhdwy]$';
const RANGE_UNITS = { m: 'minutes', h: 'hours', d: 'days', w: 'weeks', y: 'years' } as const;

/** How far back a relative range reaches; days, weeks and years are calendar steps in the zone. */
function rangeDuration(range: string): Partial<Record<(typeof RANGE_UNITS)[keyof typeof RANGE_UNITS], number>> {
  return { [RANGE_UNITS[range.slice(-1) as keyof typeof RANGE_UNITS]]: Number(range.slice(0, -1)) };
}

const MINUTES: Partial<Record<Interval, number>> = { '1m': 1, '5m': 5, '15m': 15, '30m': 30, '1h': 60 };

export function isZone(tz: string): boolean {
  return IANAZone.isValidZone(tz);
}

const zoned = (ms: number, tz: string): DateTime => DateTime.fromMillis(ms, { zone: tz });

/** Start of the bucket holding `ms`. */
export function bucketStart(ms: number, interval: Interval, tz: string): number {
  const t = zoned(ms, tz);
  const minutes = MINUTES[interval];
  if (minutes === 60) return t.startOf('hour').toMillis();
  if (minutes) return t.startOf('hour').plus({ minutes: Math.floor(t.minute / minutes) * minutes }).toMillis();
  if (interval === '1d') return t.startOf('day').toMillis();
  if (interval === '1w') return t.startOf('week').toMillis();
  return t.startOf('month').toMillis();
}

export function nextBucket(start: number, interval: Interval, tz: string): number {
  const minutes = MINUTES[interval];
  if (minutes) return start + minutes * 60_000;
  const t = zoned(start, tz);
  if (interval === '1d') return t.plus({ days: 1 }).toMillis();
  if (interval === '1w') return t.plus({ weeks: 1 }).toMillis();
  return t.plus({ months: 1 }).toMillis();
}

/** Starts of the buckets meeting [from, to); null when there would be more than MAX_BUCKETS. */
export function buckets(from: number, to: number, interval: Interval, tz: string): number[] | null {
  const out: number[] = [];
  for (let b = bucketStart(from, interval, tz); b < to; b = nextBucket(b, interval, tz)) {
    if (out.length >= MAX_BUCKETS) return null;
    out.push(b);
  }
  return out;
}

/** A relative range ends with the bucket holding now and starts with the bucket holding now - range. */
export function relativeRange(range: string, now: number, interval: Interval | undefined, tz: string): { from: number; to: number } {
  const start = zoned(now, tz).minus(rangeDuration(range)).toMillis();
  if (!interval) {
    // Whole hours (whole minutes for ranges of an hour or less) so that a rollup can answer;
    // the current hour or minute is included whole.
    const unit = now - start <= 3_600_000 ? 60_000 : 3_600_000;
    return { from: Math.floor(start / unit) * unit, to: Math.ceil((now + 1) / unit) * unit };
  }
  return { from: bucketStart(start, interval, tz), to: nextBucket(bucketStart(now, interval, tz), interval, tz) };
}

/** A sensible interval for a range when the query names none. */
export function defaultInterval(from: number, to: number): Interval {
  const span = to - from;
  if (span <= 3 * 3_600_000) return '1m';
  if (span <= 3 * 86_400_000) return '1h';
  if (span <= 120 * 86_400_000) return '1d';
  return '1w';
}

export interface Shift {
  from: number;
  to: number;
  /** The previous period's bucket matching a bucket of the current one. */
  map(bucket: number): number;
}

const isMidnight = (ms: number, tz: string): boolean => zoned(ms, tz).startOf('day').toMillis() === ms;

/**
 * The period a comparison reads. previous_year: one calendar year earlier (29 February
 * compares with 28 February). previous_period: the same length just before; whole local days
 * move by calendar days so that daily buckets stay on midnights across DST.
 */
export function previousPeriod(compare: 'previous_period' | 'previous_year', from: number, to: number, interval: Interval | undefined, tz: string): Shift {
  if (compare === 'previous_year') {
    const back = (ms: number): number => zoned(ms, tz).minus({ years: 1 }).toMillis();
    return { from: back(from), to: back(to), map: (b) => (interval ? bucketStart(back(b), interval, tz) : back(b)) };
  }
  if (isMidnight(from, tz) && isMidnight(to, tz)) {
    const days = Math.round(zoned(to, tz).diff(zoned(from, tz), 'days').days);
    const back = (ms: number): number => zoned(ms, tz).minus({ days }).toMillis();
    return { from: back(from), to: from, map: (b) => (interval ? bucketStart(back(b), interval, tz) : back(b)) };
  }
  // Any other range: the same length just before, bucket i against bucket i (a range that is
  // not whole buckets has partial buckets at both ends, in both periods alike).
  const span = to - from;
  if (!interval) return { from: from - span, to: from, map: (b) => b - span };
  const current = buckets(from, to, interval, tz) ?? [];
  const previous = buckets(from - span, from, interval, tz) ?? [];
  return { from: from - span, to: from, map: (b) => previous[current.indexOf(b)] ?? bucketStart(b - span, interval, tz) };
}

/** The granularity (ms) of the coarsest table every edge is aligned to: 86400000, 3600000, 60000 or 0. */
export function edgeGranularity(edges: number[]): number {
  for (const g of [86_400_000, 3_600_000, 60_000]) if (edges.every((e) => e % g === 0)) return g;
  return 0;
}
