import { adhocToFilter, applyAdhocFilters } from './adhoc-filters';
import { SluiceQuery } from './types';

const f = (key: string, operator: string, value: string, values?: string[]) => ({ key, operator, value, values });

describe('adhocToFilter', () => {
  it.each([
    [f('country', '=', 'FR'), { property: 'country', op: 'eq', value: 'FR' }],
    [f('country', '!=', 'FR'), { property: 'country', op: 'neq', value: 'FR' }],
    [f('country', '=|', 'FR', ['FR', 'DE']), { property: 'country', op: 'in', value: ['FR', 'DE'] }],
    [f('country', '!=|', 'FR', ['FR', 'DE']), { property: 'country', op: 'not_in', value: ['FR', 'DE'] }],
    [f('revenue', '<', '10'), { property: 'revenue', op: 'lt', value: 10 }],
    [f('revenue', '>', '2.5'), { property: 'revenue', op: 'gt', value: 2.5 }],
    [f('revenue', '>=', '3'), { property: 'revenue', op: 'gte', value: 3 }],
    [f('day', '>', '2026-01-01'), { property: 'day', op: 'gt', value: '2026-01-01' }],
    [f('country', '=~', 'FR|DE'), { property: 'country', op: 'in', value: ['FR', 'DE'] }],
    [f('country', '!~', '^(FR|DE)$'), { property: 'country', op: 'not_in', value: ['FR', 'DE'] }],
    [f('path', '=~', '/a\\.b'), { property: 'path', op: 'eq', value: '/a.b' }],
    [f('path', '=~', '.*checkout.*'), { property: 'path', op: 'contains', value: 'checkout' }],
  ])('maps %j', (adhoc, filter) => {
    expect(adhocToFilter(adhoc)).toEqual({ ok: true, filter });
  });

  it('refuses what Sluice cannot express, saying so', () => {
    const result = adhocToFilter(f('path', '=~', '^/api/v[0-9]+'));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toContain('path =~ ^/api/v[0-9]+');
    expect(adhocToFilter(f('path', '!~', '.*x.*')).ok).toBe(false);
  });
});

describe('applyAdhocFilters', () => {
  const adhoc = [f('country', '=', 'FR'), f('revenue', '>', '10')];
  const country = { property: 'country', op: 'eq', value: 'FR' };
  const revenue = { property: 'revenue', op: 'gt', value: 10 };

  it("adds them to a query's own filters", () => {
    const query: SluiceQuery = {
      refId: 'A',
      kind: 'breakdown',
      filters: [{ property: 'device', op: 'eq', value: 'ios' }],
    };
    const { query: out, errors } = applyAdhocFilters(query, adhoc);
    expect(errors).toEqual([]);
    expect(out.filters).toEqual([{ property: 'device', op: 'eq', value: 'ios' }, country, revenue]);
  });

  it('adds them to every step of a funnel', () => {
    const query: SluiceQuery = {
      refId: 'A',
      kind: 'funnel',
      steps: [{ event: 'view' }, { event: 'order', filters: [{ property: 'coupon', op: 'exists' }] }],
    };
    const out = applyAdhocFilters(query, adhoc).query;
    expect(out.filters).toBeUndefined();
    expect(out.steps).toEqual([
      { event: 'view', filters: [country, revenue] },
      { event: 'order', filters: [{ property: 'coupon', op: 'exists' }, country, revenue] },
    ]);
  });

  it("adds them to retention's filters", () => {
    const query: SluiceQuery = { refId: 'A', kind: 'retention', start_event: 'signup', return_event: 'order' };
    expect(applyAdhocFilters(query, adhoc).query.filters).toEqual([country, revenue]);
  });

  it('adds them to a raw document, to its steps for a funnel', () => {
    const raw = (doc: object): SluiceQuery => ({
      refId: 'A',
      kind: 'timeseries',
      rawMode: true,
      rawJson: JSON.stringify(doc),
    });
    const events = applyAdhocFilters(raw({ kind: 'events' }), adhoc).query;
    expect(JSON.parse(events.rawJson!).filters).toEqual([country, revenue]);
    const funnel = applyAdhocFilters(raw({ kind: 'funnel', steps: [{ event: 'a' }, { event: 'b' }] }), adhoc).query;
    expect(JSON.parse(funnel.rawJson!).steps.map((s: { filters: unknown[] }) => s.filters)).toEqual([
      [country, revenue],
      [country, revenue],
    ]);
  });

  it('adds nothing twice, so applying again changes nothing', () => {
    const query: SluiceQuery = { refId: 'A', kind: 'timeseries' };
    const once = applyAdhocFilters(query, adhoc).query;
    expect(applyAdhocFilters(once, adhoc).query).toEqual(once);
  });

  it('keeps the filters it can send and reports the others', () => {
    const query: SluiceQuery = { refId: 'A', kind: 'timeseries' };
    const { query: out, errors } = applyAdhocFilters(query, [f('country', '=', 'FR'), f('path', '=~', 'a+')]);
    expect(out.filters).toEqual([country]);
    expect(errors).toHaveLength(1);
  });
});
