import { FieldType } from '@grafana/data';

import { answerToFrame, fieldName } from './frames';
import { SluiceAnswer } from './types';

const T0 = Date.UTC(2026, 10, 1);
const H = 3_600_000;

describe('answerToFrame', () => {
  it('types time, number and string columns', () => {
    const answer: SluiceAnswer = {
      columns: [
        { name: 'time', type: 'time' },
        { name: 'endpoint', type: 'string' },
        { name: 'count', type: 'number' },
        { name: 'p95', type: 'number' },
      ],
      rows: [
        [T0, '/a', 3, 12.5],
        [T0 + H, '/a', 0, null],
        [T0 + 2 * H, 42, '7', 'n/a'],
      ],
      meta: { source: 'rollup_1h', interval: '1h' },
    };
    const frame = answerToFrame(answer, { refId: 'A', kind: 'timeseries' });
    expect(frame.refId).toBe('A');
    expect(frame.length).toBe(3);
    expect(frame.fields.map((f) => [f.name, f.type])).toEqual([
      ['time', FieldType.time],
      ['endpoint', FieldType.string],
      ['count', FieldType.number],
      ['p95', FieldType.number],
    ]);
    expect(frame.fields[0].values).toEqual([T0, T0 + H, T0 + 2 * H]);
    expect(frame.fields[1].values).toEqual(['/a', '/a', '42']);
    // numbers sent as text become numbers; what is not a number becomes null
    expect(frame.fields[2].values).toEqual([3, 0, 7]);
    expect(frame.fields[3].values).toEqual([12.5, null, null]);
    expect(frame.meta?.custom).toEqual(answer.meta);
  });

  it('names compare columns for their period', () => {
    const columns = [
      { name: 'time', type: 'time' as const },
      { name: 'count', type: 'number' as const },
      { name: 'count_previous', type: 'number' as const },
      { name: 'count_change', type: 'number' as const },
    ];
    const rows = [[T0, 10, 8, 0.25]];
    const byPeriod = answerToFrame({
      columns,
      rows,
      meta: { compare: { kind: 'previous_period', from: T0 - 7 * 24 * H, to: T0 } },
    });
    expect(byPeriod.fields.map((f) => f.name)).toEqual([
      'time',
      'count',
      'count (previous period)',
      'count change vs previous period',
    ]);
    const byYear = answerToFrame({ columns, rows, meta: { compare: { kind: 'previous_year', from: 0, to: 1 } } });
    expect(byYear.fields[2].name).toBe('count (previous year)');
    expect(byYear.fields[2].values).toEqual([8]);
  });

  it('keeps forecast intervals as separate fields shaded between their edges', () => {
    const names = ['time', 'value', 'forecast', 'lower_80', 'upper_80', 'lower_95', 'upper_95'];
    const answer: SluiceAnswer = {
      columns: names.map((name) => ({ name, type: name === 'time' ? 'time' : 'number' })),
      rows: [
        [T0, 5, null, null, null, null, null],
        [T0 + H, null, 6, 4, 8, 3, 9],
      ],
      meta: { interval: '1h' },
    };
    const frame = answerToFrame(answer, { kind: 'forecast' });
    expect(frame.fields.map((f) => f.name)).toEqual(names);
    const field = (name: string) => frame.fields.find((f) => f.name === name)!;
    expect(field('upper_80').config.custom).toMatchObject({ fillBelowTo: 'lower_80', lineWidth: 0 });
    expect(field('upper_95').config.custom).toMatchObject({ fillBelowTo: 'lower_95', lineWidth: 0 });
    expect(field('lower_80').config.custom).toEqual({ lineWidth: 0 });
    expect(field('forecast').config).toEqual({});
    expect(field('value').values).toEqual([5, null]);
    expect(field('upper_95').values).toEqual([null, 9]);
  });

  it('shades the anomaly band', () => {
    const frame = answerToFrame(
      {
        columns: ['time', 'value', 'expected', 'lower', 'upper', 'score', 'is_anomaly'].map((name) => ({
          name,
          type: name === 'time' ? ('time' as const) : ('number' as const),
        })),
        rows: [[T0, 100, 20, 10, 30, 7, 1]],
        meta: {},
      },
      { kind: 'anomalies' }
    );
    expect(frame.fields[4].config.custom).toMatchObject({ fillBelowTo: 'lower' });
  });

  it('asks for a table for raw events', () => {
    const frame = answerToFrame(
      {
        columns: [
          { name: 'time', type: 'time' },
          { name: 'event', type: 'string' },
        ],
        rows: [],
        meta: {},
      },
      { kind: 'events' }
    );
    expect(frame.length).toBe(0);
    expect(frame.meta?.preferredVisualisationType).toBe('table');
  });
});

describe('fieldName', () => {
  it('leaves other columns alone and defaults to the previous period', () => {
    expect(fieldName('revenue', 'previous_year')).toBe('revenue');
    expect(fieldName('p99_previous', undefined)).toBe('p99 (previous period)');
  });
});
