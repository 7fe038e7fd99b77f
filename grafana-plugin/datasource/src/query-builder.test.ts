import { buildQuery, DashboardContext, nearestInterval, resolveTimezone } from './query-builder';
import { SluiceQuery } from './types';

const HOUR = 3_600_000;
const ctx: DashboardContext = {
  from: Date.UTC(2026, 10, 1),
  to: Date.UTC(2026, 10, 8),
  timezone: 'Europe/Berlin',
  intervalMs: 20 * 60_000,
};

function built(q: Partial<SluiceQuery>, context: DashboardContext = ctx) {
  const result = buildQuery({ refId: 'A', kind: 'timeseries', ...q } as SluiceQuery, context);
  if (!result.ok) {
    throw new Error(result.error);
  }
  return result.query;
}

describe('nearestInterval', () => {
  it.each([
    [1_000, '1m'],
    [60_000, '1m'],
    [2 * 60_000, '1m'],
    [3 * 60_000, '5m'],
    [20 * 60_000, '15m'],
    [25 * 60_000, '30m'],
    [HOUR, '1h'],
    [4 * HOUR, '1h'],
    [5 * HOUR, '1d'],
    [24 * HOUR, '1d'],
    [3 * 24 * HOUR, '1w'],
    [20 * 24 * HOUR, '1M'],
    [400 * 24 * HOUR, '1M'],
  ])('%d ms -> %s', (ms, interval) => {
    expect(nearestInterval(ms)).toBe(interval);
  });

  it('gives ties to the coarser interval', () => {
    // sqrt(1m * 5m) is equally far from both on a log scale
    expect(nearestInterval(Math.sqrt(5) * 60_000)).toBe('5m');
  });

  it('falls back to the finest interval for nonsense', () => {
    expect(nearestInterval(0)).toBe('1m');
    expect(nearestInterval(NaN)).toBe('1m');
  });
});

describe('resolveTimezone', () => {
  it('maps Grafana settings to IANA names', () => {
    expect(resolveTimezone('utc')).toBe('UTC');
    expect(resolveTimezone('Asia/Tokyo')).toBe('Asia/Tokyo');
    expect(resolveTimezone('browser', 'America/Chicago')).toBe('America/Chicago');
    expect(resolveTimezone('', 'America/Chicago')).toBe('America/Chicago');
  });
});

describe('buildQuery', () => {
  it('widens an unaligned dashboard range to whole buckets, but not a raw document', () => {
    const unaligned = {
      ...ctx,
      from: Date.parse('2026-11-07T10:38:12.345Z'),
      to: Date.parse('2026-11-07T16:38:12.345Z'),
    };
    expect(built({ event: 'api_request', interval: '1h' }, unaligned)).toMatchObject({
      from: '2026-11-07T10:00:00.000Z',
      to: '2026-11-07T17:00:00.000Z',
    });
    const raw = buildQuery(
      { refId: 'A', kind: 'timeseries', rawMode: true, rawJson: '{"kind":"timeseries"}' },
      unaligned
    );
    expect(raw.ok && raw.query.from).toBe('2026-11-07T10:38:12.345Z');
  });

  it('passes the dashboard range, time zone and interval through', () => {
    expect(built({ event: 'api_request', aggregations: ['count', 'p95'], measure: 'duration_ms' })).toEqual({
      kind: 'timeseries',
      event: 'api_request',
      measure: 'duration_ms',
      aggregations: ['count', 'p95'],
      from: '2026-11-01T00:00:00.000Z',
      to: '2026-11-08T00:00:00.000Z',
      timezone: 'Europe/Berlin',
      interval: '15m',
    });
  });

  it('keeps a fixed interval over the dashboard one', () => {
    expect(built({ event: 'e', interval: '1d' }).interval).toBe('1d');
  });

  it('sends no interval where the kind takes none', () => {
    expect(built({ kind: 'breakdown', event: 'e', interval: '1h' })).not.toHaveProperty('interval');
    expect(built({ kind: 'percentiles', event: 'e' })).not.toHaveProperty('interval');
    expect(built({ kind: 'percentiles', event: 'e', interval: '1h' }).interval).toBe('1h');
  });

  it('carries filters, group_by, limit and compare', () => {
    const q = built({
      kind: 'breakdown',
      event: 'order',
      measure: 'total',
      aggregations: ['sum'],
      filters: [{ property: 'country', op: 'in', value: ['DE', 'FR'] }],
      group_by: ['category'],
      limit: 5,
      compare: 'previous_period',
    });
    expect(q).toMatchObject({
      filters: [{ property: 'country', op: 'in', value: ['DE', 'FR'] }],
      group_by: ['category'],
      limit: 5,
      compare: 'previous_period',
    });
  });

  it('leaves out empty and foreign fields', () => {
    const q = built({
      kind: 'forecast',
      event: 'api_request',
      horizon: 12,
      filters: [],
      group_by: [],
      measure: '',
      steps: [{ event: 'a' }, { event: 'b' }],
      compare: 'previous_year',
    });
    expect(Object.keys(q).sort()).toEqual(['event', 'from', 'horizon', 'interval', 'kind', 'timezone', 'to']);
  });

  it('builds a funnel from its steps and window', () => {
    const q = built({
      kind: 'funnel',
      event: 'ignored',
      steps: [{ event: 'view' }, { event: 'cart', filters: [{ property: 'value', op: 'gt', value: 10 }] }],
      window: '1h',
      group_by: ['utm_source'],
    });
    expect(q).toEqual({
      kind: 'funnel',
      from: '2026-11-01T00:00:00.000Z',
      to: '2026-11-08T00:00:00.000Z',
      timezone: 'Europe/Berlin',
      steps: [{ event: 'view' }, { event: 'cart', filters: [{ property: 'value', op: 'gt', value: 10 }] }],
      window: '1h',
      group_by: ['utm_source'],
    });
  });

  it('builds retention', () => {
    const q = built({ kind: 'retention', start_event: 'signup', return_event: 'login', period: 'week', periods: 8 });
    expect(q).toMatchObject({
      kind: 'retention',
      start_event: 'signup',
      return_event: 'login',
      period: 'week',
      periods: 8,
    });
    expect(q).not.toHaveProperty('interval');
  });

  it('refuses incomplete funnels and retention with a message', () => {
    expect(buildQuery({ refId: 'A', kind: 'funnel', steps: [{ event: 'a' }] }, ctx)).toEqual({
      ok: false,
      error: 'A funnel needs at least two steps',
    });
    expect(buildQuery({ refId: 'A', kind: 'retention', start_event: 'a' }, ctx).ok).toBe(false);
  });

  describe('raw JSON mode', () => {
    it('fills in the dashboard range and time zone', () => {
      const q = built({ rawMode: true, rawJson: '{"kind":"events","event":"order","limit":5}' });
      expect(q).toEqual({
        kind: 'events',
        event: 'order',
        limit: 5,
        from: '2026-11-01T00:00:00.000Z',
        to: '2026-11-08T00:00:00.000Z',
        timezone: 'Europe/Berlin',
      });
    });

    it('keeps a range and time zone of its own', () => {
      const q = built({ rawMode: true, rawJson: '{"kind":"timeseries","range":"24h","timezone":"UTC"}' });
      expect(q).toEqual({ kind: 'timeseries', range: '24h', timezone: 'UTC' });
    });

    it('says what is wrong with bad JSON', () => {
      const result = buildQuery({ refId: 'A', kind: 'timeseries', rawMode: true, rawJson: '{"kind":' }, ctx);
      expect(result.ok).toBe(false);
      expect(!result.ok && result.error).toMatch(/^The raw query is not valid JSON/);
      expect(buildQuery({ refId: 'A', kind: 'timeseries', rawMode: true, rawJson: '[1]' }, ctx)).toEqual({
        ok: false,
        error: 'The raw query must be a JSON object',
      });
    });
  });
});
