import { alignRange, bucketStart } from './range-alignment';

const at = (iso: string) => Date.parse(iso);
const iso = (r: { from: number; to: number }) => ({
  from: new Date(r.from).toISOString(),
  to: new Date(r.to).toISOString(),
});

describe('bucketStart', () => {
  it('cuts sub-day buckets on the clock', () => {
    expect(new Date(bucketStart(at('2026-11-07T10:38:12.345Z'), '15m', 'UTC')).toISOString()).toBe(
      '2026-11-07T10:30:00.000Z'
    );
    expect(new Date(bucketStart(at('2026-11-07T10:38:12.345Z'), '1h', 'UTC')).toISOString()).toBe(
      '2026-11-07T10:00:00.000Z'
    );
  });

  it('cuts days, Monday weeks and months in the zone', () => {
    // 2026-11-07 00:30 in Berlin is 2026-11-06T23:30Z
    expect(new Date(bucketStart(at('2026-11-06T23:30:00Z'), '1d', 'Europe/Berlin')).toISOString()).toBe(
      '2026-11-06T23:00:00.000Z'
    );
    expect(new Date(bucketStart(at('2026-11-07T12:00:00Z'), '1w', 'Europe/Berlin')).toISOString()).toBe(
      '2026-11-01T23:00:00.000Z'
    );
    expect(new Date(bucketStart(at('2026-11-07T12:00:00Z'), '1M', 'America/New_York')).toISOString()).toBe(
      '2026-11-01T04:00:00.000Z'
    );
  });

  it('keeps the half-hour offset of a zone for hours', () => {
    expect(new Date(bucketStart(at('2026-11-07T10:10:00Z'), '1h', 'Asia/Kolkata')).toISOString()).toBe(
      '2026-11-07T09:30:00.000Z'
    );
  });
});

describe('alignRange', () => {
  it('widens a bucketed range to whole buckets', () => {
    expect(iso(alignRange(at('2026-11-07T10:38:12Z'), at('2026-11-07T16:38:12Z'), 'timeseries', '5m', 'UTC'))).toEqual({
      from: '2026-11-07T10:35:00.000Z',
      to: '2026-11-07T16:40:00.000Z',
    });
  });

  it('leaves a range already on bucket edges as it is', () => {
    const r = { from: at('2026-11-01T00:00:00Z'), to: at('2026-11-08T00:00:00Z') };
    expect(alignRange(r.from, r.to, 'timeseries', '15m', 'Europe/Berlin')).toEqual(r);
  });

  it('widens an unbucketed range to whole hours, or minutes for an hour or less', () => {
    expect(
      iso(alignRange(at('2026-11-01T10:38:12Z'), at('2026-11-08T10:38:12Z'), 'breakdown', undefined, 'UTC'))
    ).toEqual({
      from: '2026-11-01T10:00:00.000Z',
      to: '2026-11-08T11:00:00.000Z',
    });
    expect(
      iso(alignRange(at('2026-11-07T10:38:12Z'), at('2026-11-07T11:08:12Z'), 'breakdown', undefined, 'UTC'))
    ).toEqual({
      from: '2026-11-07T10:38:00.000Z',
      to: '2026-11-07T11:09:00.000Z',
    });
  });

  it('keeps the exact range for funnels, retention and event pages', () => {
    for (const kind of ['funnel', 'retention', 'events'] as const) {
      expect(alignRange(1001, 5_000_001, kind, undefined, 'UTC')).toEqual({ from: 1001, to: 5_000_001 });
    }
  });
});
