import { createInterpolator, interpolateFilter, interpolateQuery } from './interpolate';
import { fakeTemplateSrv } from './testing/template-srv';
import { SluiceQuery } from './types';

const srv = fakeTemplateSrv([
  { name: 'country', value: 'FR' },
  { name: 'countries', value: ['FR', 'DE', 'IT'] },
  { name: 'one', value: ['FR'] },
  { name: 'all', value: '$__all', options: ['FR', 'DE', 'IT', 'ES'] },
  { name: 'allCustom', value: '$__all', options: ['FR', 'DE'], allValue: '*' },
  { name: 'min', value: '100' },
  { name: 'event', value: 'order' },
  { name: 'events', value: ['order', 'refund'] },
  { name: 'dims', value: ['country', 'device'] },
  { name: 'agg', value: ['sum', 'p95'] },
  { name: 'measure', value: 'revenue' },
  { name: 'limit', value: '5' },
]);

const q = (fields: Partial<SluiceQuery>): SluiceQuery => ({ refId: 'A', kind: 'timeseries', ...fields });

describe('createInterpolator', () => {
  const ip = createInterpolator(srv);

  it('replaces a single value and leaves text without variables alone', () => {
    expect(ip.text('$country')).toBe('FR');
    expect(ip.text('${country}-x')).toBe('FR-x');
    expect(ip.text('plain')).toBe('plain');
    expect(ip.text('$unknown')).toBe('$unknown');
  });

  it('gives the list of a multi-value variable standing alone, its first value inside text', () => {
    expect(ip.list('$countries')).toEqual(['FR', 'DE', 'IT']);
    expect(ip.list(' [[countries]] ')).toEqual([' FR ']);
    expect(ip.list('x-$countries')).toEqual(['x-FR']);
    expect(ip.text('$countries')).toBe('FR');
  });

  it('gives every option for All, and a custom all value as it is', () => {
    expect(ip.list('$all')).toEqual(['FR', 'DE', 'IT', 'ES']);
    expect(ip.list('$allCustom')).toEqual(['*']);
  });

  it('keeps an explicit format as one text', () => {
    expect(ip.list('${countries:csv}')).toEqual(['FR,DE,IT']);
    expect(ip.text('${countries:pipe}')).toBe('FR|DE|IT');
  });

  it('lets scoped variables (repeated panels) win over the dashboard', () => {
    const scoped = createInterpolator(srv, { country: { text: 'ES', value: 'ES' } });
    expect(scoped.text('$country')).toBe('ES');
  });
});

describe('interpolateFilter', () => {
  const ip = createInterpolator(srv);

  it('turns eq / neq on a multi-value variable into in / not_in', () => {
    expect(interpolateFilter({ property: 'country', op: 'eq', value: '$countries' }, ip)).toEqual({
      property: 'country',
      op: 'in',
      value: ['FR', 'DE', 'IT'],
    });
    expect(interpolateFilter({ property: 'country', op: 'neq', value: '$all' }, ip)).toEqual({
      property: 'country',
      op: 'not_in',
      value: ['FR', 'DE', 'IT', 'ES'],
    });
  });

  it('keeps eq for a single value, and for a multi-value variable with one pick', () => {
    expect(interpolateFilter({ property: 'country', op: 'eq', value: '$country' }, ip)).toEqual({
      property: 'country',
      op: 'eq',
      value: 'FR',
    });
    expect(interpolateFilter({ property: 'country', op: 'eq', value: '$one' }, ip)).toEqual({
      property: 'country',
      op: 'eq',
      value: 'FR',
    });
  });

  it('flattens variables inside in / not_in lists', () => {
    expect(interpolateFilter({ property: 'country', op: 'in', value: ['$countries', 'ES', '$country'] }, ip)).toEqual({
      property: 'country',
      op: 'in',
      value: ['FR', 'DE', 'IT', 'ES', 'FR'],
    });
  });

  it('sends a number to gt / lt when the variable holds one, text otherwise', () => {
    expect(interpolateFilter({ property: 'revenue', op: 'gt', value: '$min' }, ip).value).toBe(100);
    expect(interpolateFilter({ property: 'revenue', op: 'lte', value: '${min}.5' }, ip).value).toBe(100.5);
    expect(interpolateFilter({ property: 'day', op: 'gte', value: '$country' }, ip).value).toBe('FR');
    // eq compares text: a numeric variable stays text, a number stays a number
    expect(interpolateFilter({ property: 'status', op: 'eq', value: '$min' }, ip).value).toBe('100');
    expect(interpolateFilter({ property: 'status', op: 'eq', value: 200 }, ip).value).toBe(200);
  });

  it('interpolates the property name', () => {
    expect(interpolateFilter({ property: '$measure', op: 'exists' }, ip)).toEqual({
      property: 'revenue',
      op: 'exists',
    });
  });
});

describe('interpolateQuery', () => {
  it('replaces every text field of a builder query', () => {
    const out = interpolateQuery(
      q({
        event: '$event',
        measure: '$measure',
        aggregations: ['$agg' as never],
        group_by: ['$dims'],
        limit: '$limit' as unknown as number,
        filters: [{ property: 'country', op: 'eq', value: '$countries' }],
      }),
      srv
    );
    expect(out).toMatchObject({
      event: 'order',
      measure: 'revenue',
      aggregations: ['sum', 'p95'],
      group_by: ['country', 'device'],
      limit: 5,
      filters: [{ property: 'country', op: 'in', value: ['FR', 'DE', 'IT'] }],
    });
  });

  it('uses the first event of a multi-value event variable', () => {
    expect(interpolateQuery(q({ event: '$events' }), srv).event).toBe('order');
  });

  it('replaces funnel steps, their filters, and retention events', () => {
    const funnel = interpolateQuery(
      q({
        kind: 'funnel',
        steps: [
          { event: '$event', filters: [{ property: 'country', op: 'eq', value: '$countries' }] },
          { event: 'checkout' },
        ],
      }),
      srv
    );
    expect(funnel.steps).toEqual([
      { event: 'order', filters: [{ property: 'country', op: 'in', value: ['FR', 'DE', 'IT'] }] },
      { event: 'checkout' },
    ]);
    const retention = interpolateQuery(q({ kind: 'retention', start_event: '$event', return_event: '$events' }), srv);
    expect([retention.start_event, retention.return_event]).toEqual(['order', 'order']);
  });

  it('expands event properties and leaves the original query untouched', () => {
    const original = q({ kind: 'events', properties: ['$dims', 'price'] });
    const out = interpolateQuery(original, srv);
    expect(out.properties).toEqual(['country', 'device', 'price']);
    expect(original.properties).toEqual(['$dims', 'price']);
  });

  it('replaces raw JSON field by field, keeping numbers numbers', () => {
    const raw = JSON.stringify({
      kind: 'breakdown',
      event: '$event',
      group_by: ['$dims'],
      filters: [
        { property: 'country', op: 'eq', value: '$countries' },
        { property: 'revenue', op: 'gt', value: '$min' },
      ],
      note: { nested: '$country' },
    });
    const out = interpolateQuery(q({ rawMode: true, rawJson: raw }), srv);
    expect(JSON.parse(out.rawJson!)).toEqual({
      kind: 'breakdown',
      event: 'order',
      group_by: ['country', 'device'],
      filters: [
        { property: 'country', op: 'in', value: ['FR', 'DE', 'IT'] },
        { property: 'revenue', op: 'gt', value: 100 },
      ],
      note: { nested: 'FR' },
    });
  });

  it('replaces raw text that is JSON only once its variables are in', () => {
    const raw =
      '{"kind":"events","filters":[{"property":"revenue","op":"gt","value":$min},{"property":"country","op":"in","value":$countries}]}';
    const out = interpolateQuery(q({ rawMode: true, rawJson: raw }), srv);
    expect(JSON.parse(out.rawJson!).filters).toEqual([
      { property: 'revenue', op: 'gt', value: 100 },
      { property: 'country', op: 'in', value: ['FR', 'DE', 'IT'] },
    ]);
  });

  it('is harmless on a query already interpolated', () => {
    const once = interpolateQuery(
      q({ event: '$event', filters: [{ property: 'country', op: 'eq', value: '$countries' }] }),
      srv
    );
    expect(interpolateQuery(once, srv)).toEqual(once);
  });

  it('replaces the annotation fields', () => {
    const out = interpolateQuery(
      q({ queryType: 'alert_history', alertSeverity: '$country', alertRule: 'r-$min' }),
      srv
    );
    expect([out.alertSeverity, out.alertRule]).toEqual(['FR', 'r-100']);
  });
});
