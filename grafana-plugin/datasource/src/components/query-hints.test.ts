import { SluiceQuery } from '../types';
import { queryHints } from './query-hints';

const base: SluiceQuery = { refId: 'A', kind: 'timeseries', event: 'order' };

describe('queryHints', () => {
  it('has nothing to say about a complete query', () => {
    expect(queryHints({ ...base, measure: 'revenue', aggregations: ['sum', 'count'] })).toEqual([]);
  });

  it('asks for an event and for a measure the aggregations need', () => {
    expect(queryHints({ ...base, event: undefined, aggregations: ['count', 'avg', 'p95'] })).toEqual([
      'Pick an event',
      'avg, p95 need a measure; without one only count and uniq_users',
    ]);
  });

  it('asks percentiles for a measure when it answers its default levels', () => {
    expect(queryHints({ ...base, kind: 'percentiles' })).toEqual([
      'p50, p75, p90, p95, p99 need a measure; without one only count and uniq_users',
    ]);
    expect(queryHints({ ...base, kind: 'percentiles', aggregations: ['count'] })).toEqual([]);
  });

  it('names unfinished filters', () => {
    const filters = [
      { property: '', op: 'eq' as const },
      { property: 'a', op: 'in' as const, value: [] },
      { property: 'b', op: 'exists' as const },
    ];
    expect(queryHints({ ...base, filters })).toEqual(['Filter 1 has no property', 'Filter 2 has no value']);
  });

  it('asks retention for both events', () => {
    expect(queryHints({ refId: 'A', kind: 'retention', start_event: 'a' })).toEqual([
      'Retention needs a start event and a return event',
    ]);
  });
});
