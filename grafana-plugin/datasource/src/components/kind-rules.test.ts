import { SluiceQuery } from '../types';
import { switchKind } from './kind-rules';

const base: SluiceQuery = { refId: 'A', kind: 'timeseries' };

describe('switchKind', () => {
  it('keeps the aggregate fields between aggregate kinds', () => {
    const q = { ...base, event: 'order', measure: 'revenue', aggregations: ['sum' as const], group_by: ['category'] };
    expect(switchKind(q, 'breakdown')).toEqual({ ...q, kind: 'breakdown', live: undefined });
  });

  it('cuts aggregations to one for forecast and anomalies', () => {
    const q: SluiceQuery = { ...base, aggregations: ['p95', 'avg'] };
    expect(switchKind(q, 'anomalies').aggregations).toEqual(['p95']);
  });

  it('lets percentiles answer its five levels when no level is picked, and counts again after', () => {
    const toPercentiles = switchKind({ ...base, aggregations: ['count'] }, 'percentiles');
    expect(toPercentiles.aggregations).toBeUndefined();
    expect(switchKind({ ...base, aggregations: ['p90', 'count'] }, 'percentiles').aggregations).toEqual([
      'p90',
      'count',
    ]);
    expect(switchKind(toPercentiles, 'timeseries').aggregations).toEqual(['count']);
  });

  it('seeds a funnel from the event and a retention from the first step', () => {
    const funnel = switchKind({ ...base, event: 'page_view', group_by: ['a', 'b'] }, 'funnel');
    expect(funnel.steps).toEqual([{ event: 'page_view' }, { event: '' }]);
    expect(funnel.group_by).toEqual(['a']);
    const retention = switchKind({ ...funnel, event: undefined }, 'retention');
    expect(retention.start_event).toBe('page_view');
  });

  it('keeps existing steps and drops live for kinds that do not stream', () => {
    const q: SluiceQuery = { ...base, live: true, steps: [{ event: 'a' }, { event: 'b' }, { event: 'c' }] };
    const funnel = switchKind(q, 'funnel');
    expect(funnel.steps).toHaveLength(3);
    expect(funnel.live).toBeUndefined();
    expect(switchKind(q, 'events').live).toBe(true);
  });
});
