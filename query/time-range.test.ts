import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { RANGE_PATTERN, relativeRange } from './time-range.js';

const now = Date.parse('2026-11-07T16:38:12.345Z');
const iso = (r: { from: number; to: number }) => ({ from: new Date(r.from).toISOString(), to: new Date(r.to).toISOString() });

describe('relative ranges', () => {
  it('take any count of minutes, hours, days, weeks or years', () => {
    expect(iso(relativeRange('6h', now, '5m', 'UTC'))).toEqual({ from: '2026-11-07T10:35:00.000Z', to: '2026-11-07T16:40:00.000Z' });
    expect(iso(relativeRange('90m', now, undefined, 'UTC'))).toEqual({ from: '2026-11-07T15:00:00.000Z', to: '2026-11-07T17:00:00.000Z' });
    expect(iso(relativeRange('15m', now, undefined, 'UTC'))).toEqual({ from: '2026-11-07T16:23:00.000Z', to: '2026-11-07T16:39:00.000Z' });
    expect(iso(relativeRange('2w', now, '1d', 'UTC'))).toEqual({ from: '2026-10-24T00:00:00.000Z', to: '2026-11-08T00:00:00.000Z' });
    expect(iso(relativeRange('1y', now, '1M', 'UTC'))).toEqual({ from: '2025-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' });
  });

  it('count days on the zone calendar across a DST change', () => {
    // Berlin left summer time on 2026-10-25: three calendar days back from 2026-10-26 12:00 local is 73 hours
    const noon = Date.parse('2026-10-26T11:00:00Z');
    const r = relativeRange('3d', noon, '1h', 'Europe/Berlin');
    expect(noon - r.from).toBe(73 * 3_600_000);
  });

  it('refuse other shapes', () => {
    const valid = new Ajv2020().compile({ type: 'string', pattern: RANGE_PATTERN });
    for (const ok of ['1h', '24h', '7d', '30d', '90d', '1y', '6h', '15m', '2w']) expect(valid(ok), ok).toBe(true);
    for (const bad of ['0h', '6', 'h', '6 h', '6hours', '1M', '-1d', '1.5h', '123456d', "1h' OR 1=1"]) expect(valid(bad), bad).toBe(false);
  });
});
