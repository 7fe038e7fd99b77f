import { SluiceQuery } from '../types';
import { builderDocument, fromDocument, parseRaw } from './raw-document';

const base: SluiceQuery = { refId: 'A', kind: 'timeseries' };

describe('builderDocument', () => {
  it('gives the fields the kind takes and a fixed interval, not the dashboard range', () => {
    const doc = builderDocument({ ...base, event: 'api', interval: '5m', steps: [{ event: 'x' }], live: true });
    expect(doc).toEqual({ kind: 'timeseries', event: 'api', interval: '5m' });
  });

  it('leaves an auto interval to the dashboard', () => {
    expect(builderDocument({ ...base, event: 'api', interval: 'auto' })).toEqual({ kind: 'timeseries', event: 'api' });
  });

  it('gives an unfinished funnel and retention as they are', () => {
    expect(builderDocument({ ...base, kind: 'funnel', steps: [{ event: 'a' }], window: '1h' })).toEqual({
      kind: 'funnel',
      steps: [{ event: 'a' }],
      window: '1h',
    });
    expect(builderDocument({ ...base, kind: 'retention', start_event: 'a', period: 'week' })).toEqual({
      kind: 'retention',
      start_event: 'a',
      period: 'week',
    });
  });
});

describe('fromDocument', () => {
  it('takes the DSL fields of the document and keeps the panel fields', () => {
    const q = fromDocument(
      { ...base, refId: 'B', hide: true, measure: 'old' },
      { kind: 'funnel', steps: [{ event: 'a' }, { event: 'b' }], from: '2026-01-01', timezone: 'UTC', interval: '1d' }
    );
    expect(q).toEqual({
      refId: 'B',
      hide: true,
      kind: 'funnel',
      steps: [{ event: 'a' }, { event: 'b' }],
      interval: '1d',
    });
  });

  it('leaves the builder as it was for a document without a known kind', () => {
    const q = { ...base, event: 'x' };
    expect(fromDocument(q, { kind: 'pie' })).toBe(q);
  });
});

describe('parseRaw', () => {
  it('says why a text is not a query document', () => {
    expect(parseRaw('{"kind": "events"}')).toEqual({ ok: true, doc: { kind: 'events' } });
    expect(parseRaw('null')).toEqual({ ok: false, error: 'not an object' });
    const bad = parseRaw('{');
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error).toMatch(/JSON/);
  });
});
