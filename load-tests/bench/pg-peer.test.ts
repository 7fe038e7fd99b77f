import { describe, expect, it } from 'vitest';
import { relativeRange } from '../../query/time-range.js';
import { headerBlock } from './doc-header.js';
import { compareAnswers, keyText, sideBySideTable, sluiceRows } from './pg-compare.js';
import { freshnessText } from './pg-freshness.js';
import { funnelSql, pgCases, quantile } from './pg-queries.js';
import { copyField, copyLine } from './pg-schema.js';

describe('COPY text format', () => {
  it('escapes backslash, tab, newline and carriage return', () => {
    expect(copyField('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
    expect(copyField('plain')).toBe('plain');
  });

  it('writes the envelope and the properties as Sluice stores them', () => {
    const line = copyLine({ event: 'error', timestamp: Date.UTC(2026, 10, 22, 1, 2, 3, 4), event_id: 'e1', user_id: 'u1', session_id: 's1', correlation_id: 'c1', properties: { stack: 'Error\n    at x', n: 2 } }, 'bench');
    const fields = line.split('\t');
    expect(fields).toHaveLength(10);
    expect(fields.slice(0, 4)).toEqual(['bench', 'error', '2026-11-22T01:02:03.004Z', 'e1']);
    // JSON escapes the newline as \n; COPY needs its backslash doubled, and reads it back as JSON's \n.
    expect(fields[9]).toBe('{"stack":"Error\\\\n    at x","n":2}');
    expect(line).not.toMatch(/\n/);
  });
});

describe('compareAnswers', () => {
  const sluice = sluiceRows({
    columns: [{ name: 'time' }, { name: 'endpoint' }, { name: 'count' }, { name: 'p95' }],
    rows: [
      [1000, '/a', 10, 100],
      [1000, '(other)', 5, 7],
      [2000, '/a', 0, null], // a filled, empty bucket
    ],
  });

  it('passes equal counts and percentiles within the tolerance', () => {
    const a = compareAnswers(sluice, [{ time: '1000', endpoint: '/a', count: 10, p95: 100.9 }, { time: '1000', endpoint: '(other)', count: '5', p95: 7 }], { keys: ['time', 'endpoint'], exact: ['count'], approx: { p95: 0.01 } });
    expect(a.ok).toBe(true);
    expect(a.compared).toBe(2);
    expect(a.worst).toBeCloseTo(0.9 / 100.9, 6);
    expect(a.text).toMatch(/^same: 2 rows compared/);
  });

  it('fails a count off by one, a percentile off by more than 1%, and rows on one side only', () => {
    const off = compareAnswers(sluice, [{ time: 1000, endpoint: '/a', count: 11, p95: 100 }, { time: 1000, endpoint: '(other)', count: 5, p95: 7 }], { keys: ['time', 'endpoint'], exact: ['count'], approx: { p95: 0.01 } });
    expect(off.ok).toBe(false);
    expect(off.off).toBe(1);
    expect(off.text).toContain('1000|/a count: 10 vs 11');
    const pct = compareAnswers(sluice, [{ time: 1000, endpoint: '/a', count: 10, p95: 102 }, { time: 1000, endpoint: '(other)', count: 5, p95: 7 }], { keys: ['time', 'endpoint'], exact: ['count'], approx: { p95: 0.01 } });
    expect(pct.ok).toBe(false);
    const missing = compareAnswers(sluice, [{ time: 1000, endpoint: '/a', count: 10, p95: 100 }, { time: 3000, endpoint: '/b', count: 1, p95: 1 }], { keys: ['time', 'endpoint'], exact: ['count'], approx: { p95: 0.01 } });
    expect(missing).toMatchObject({ ok: false, onlySluice: 1, onlyPg: 1 });
  });

  it('leaves "(other)" and extra groups out when asked to', () => {
    const a = compareAnswers(sluice, [{ time: 1000, endpoint: '/a', count: 10, p95: 100 }, { time: 1000, endpoint: '/z', count: 3, p95: 1 }], { keys: ['time', 'endpoint'], exact: ['count'], approx: { p95: 0.01 }, skipOther: true });
    expect(a).toMatchObject({ ok: true, compared: 1, onlyPg: 0 });
  });

  it('fails when nothing could be compared', () => {
    expect(compareAnswers([], [], { keys: ['step'], exact: ['users'], approx: {} }).ok).toBe(false);
  });

  it('spells keys alike on both sides', () => {
    expect(keyText('2026-11-16T00:00:00.000Z')).toBe(String(Date.UTC(2026, 10, 16)));
    expect(keyText('1794722400000')).toBe('1794722400000');
    expect(keyText(3)).toBe('3');
    expect(keyText('/api/cart')).toBe('/api/cart');
  });
});

describe('sideBySideTable', () => {
  it('gives PostgreSQL / Sluice per query', () => {
    const t = sideBySideTable([{ name: 'q', sluiceSource: 'rollup_1h', sluiceP50: 20, sluiceP95: 40, pgVia: 'events table', pgP50: 500, pgP95: 600, agreement: 'same: 1 rows compared' }]);
    const row = t.split('\n')[2];
    expect(row).toBe('| q | rollup_1h | 20 | 40 | events table | 500 | 600 | **25.0×** | 15.0× | same: 1 rows compared |');
  });
});

describe('PostgreSQL queries', () => {
  const now = Date.UTC(2026, 10, 22, 6, 30, 15);

  it('pair with the query bench cases and ask for the same ranges', () => {
    const cases = pgCases('bench', now);
    expect(cases.length).toBeGreaterThanOrEqual(12);
    const p95 = cases[0].build(now);
    const r = relativeRange('7d', now, '1h', 'UTC');
    expect(p95.params).toEqual(['bench', new Date(r.from).toISOString(), new Date(r.to).toISOString()]);
    const revenue = cases.find((c) => c.sluice.name.startsWith('timeseries: order revenue'))!.build(now);
    expect(revenue.params[3]).toBe(31); // previous period: the 31 whole days before
    for (const c of cases) expect(c.build(now).sql).not.toContain('undefined');
  });

  it('reads quantiles at rank q × (n − 1) as the sketches do', () => {
    expect(quantile('v', 0.95)).toBe('(array_agg(v ORDER BY v))[1 + floor(0.95 * (count(*) - 1))::int]');
  });

  it('chains each funnel step from the previous one within the window of the first', () => {
    const sql = funnelSql(['a', 'b', 'c']);
    expect(sql).toContain("e.event = 'b'\n          AND e.ts > s1.t1");
    expect(sql).toContain("e.event = 'c'\n          AND e.ts > x2.t2 AND e.ts <= s1.t1 + $4");
    expect(sql).toContain('CASE WHEN t3 IS NOT NULL THEN 3 WHEN t2 IS NOT NULL THEN 2 ELSE 1 END');
    expect(sql).toContain('generate_series(1, 3)');
  });
});

describe('headerBlock', () => {
  it('states machine, versions, date and command between its markers', () => {
    const block = headerBlock({ date: new Date(Date.UTC(2026, 10, 22, 7, 5)), cores: 2, cpuModel: 'AMD EPYC', memoryGb: 23.5, kernel: '6.1', versions: [['Node', 'v20.20.2'], ['PostgreSQL', '15.14']], command: 'npm run bench' });
    expect(block.split('\n')).toEqual([
      '<!-- bench:header:start -->',
      '',
      '- Machine: 2 cores (AMD EPYC), 23.5 GB memory, Linux 6.1',
      '- Versions: Node v20.20.2, PostgreSQL 15.14',
      '- Date: 2026-11-22 07:05 UTC (each block below states when it ran)',
      '- Command: `npm run bench` (ingest, query, alerts and PostgreSQL peer benches, each writing its block)',
      '',
      '<!-- bench:header:end -->',
    ]);
  });
});

describe('freshnessText', () => {
  it('says how many new page views each side counted, and when', () => {
    const text = freshnessText({ appended: 20_000, pageViews: 6_046, sluiceSeconds: 1.21, pgSeconds: 0.44, refreshSeconds: 9.04, sluice: [100, 6_146], pg: [100, 100, 6_146] });
    expect(text).toContain('its rollup answer counted 6,046 of the 6,046 new page views at once');
    expect(text).toContain('its view counted 0 of the 6,046 new page views until REFRESH MATERIALIZED VIEW of all views (9.0 s), then 6,046 of the 6,046');
  });
});
