import { dateTimeForTimeZone } from '@grafana/data';

import { Interval, Kind } from './types';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const SUB_DAY: Partial<Record<Interval, number>> = { '1m': 1, '5m': 5, '15m': 15, '30m': 30, '1h': 60 };

/** Start of the bucket holding `ms`, the way the query service cuts buckets in `tz`. */
export function bucketStart(ms: number, interval: Interval, tz: string): number {
  const minutes = SUB_DAY[interval];
  if (minutes) {
    // the zone's hour (some zones are half an hour off UTC), then whole buckets into it
    const hour = dateTimeForTimeZone(tz, ms).startOf('hour').valueOf();
    return hour + Math.floor((ms - hour) / (minutes * MINUTE)) * minutes * MINUTE;
  }
  const t = dateTimeForTimeZone(tz, ms);
  if (interval === '1d') {
    return t.startOf('day').valueOf();
  }
  if (interval === '1w') {
    return t.startOf('isoWeek').valueOf();
  }
  return t.startOf('month').valueOf();
}

function nextBucket(start: number, interval: Interval, tz: string): number {
  const minutes = SUB_DAY[interval];
  if (minutes) {
    return start + minutes * MINUTE;
  }
  const unit = interval === '1d' ? 'd' : interval === '1w' ? 'w' : 'M';
  return dateTimeForTimeZone(tz, start).add(1, unit).valueOf();
}

/** Kinds that count events exactly over the range the user picked, to the millisecond. */
const EXACT: ReadonlySet<Kind> = new Set<Kind>(['funnel', 'retention', 'events']);

/**
 * Widens the dashboard's range to whole buckets, as the query service does for its own relative
 * ranges: with an interval, from the start of the bucket holding `from` to the end of the one
 * holding `to`; without, to whole hours (whole minutes for an hour or less). A range whose edges
 * fall on a rollup's grain is answered from that rollup instead of raw events, and the first and
 * last buckets are whole rather than cut. Funnels, retention and event pages keep the exact range.
 */
export function alignRange(
  from: number,
  to: number,
  kind: Kind,
  interval: Interval | undefined,
  tz: string
): { from: number; to: number } {
  if (EXACT.has(kind) || !(to > from)) {
    return { from, to };
  }
  if (interval) {
    return { from: bucketStart(from, interval, tz), to: nextBucket(bucketStart(to - 1, interval, tz), interval, tz) };
  }
  const unit = to - from <= HOUR ? MINUTE : HOUR;
  return { from: Math.floor(from / unit) * unit, to: Math.ceil(to / unit) * unit };
}
