import { lastValueFrom } from 'rxjs';
import { DataQueryRequest } from '@grafana/data';
import { setTemplateSrv } from '@grafana/runtime';

import { DataSource } from './datasource';
import { MetaProperty } from './sluice-api';
import { fakeTemplateSrv } from './testing/template-srv';
import { SluiceVariableSupport } from './variable-support';
import { listVariableValues, parseVariableQuery, toVariableQuery, VariableQuery } from './variables';

const prop = (name: string, measure = false, type = 'string'): MetaProperty => ({
  name,
  type,
  measure,
  events_estimate: 10,
  rollup_dimension: false,
  derived: false,
});

function stubApi() {
  return {
    events: jest.fn(async () => [
      { name: 'order', count: 10, has_schema: true },
      { name: 'order_refund', count: 2, has_schema: false },
      { name: 'page_view', count: 90, has_schema: true },
    ]),
    properties: jest.fn(async (_event?: string) => [
      prop('category'),
      prop('revenue', true, 'number'),
      prop('quantity', false, 'int'),
    ]),
    values: jest.fn(async (_property: string, _opts?: { event?: string; prefix?: string; limit?: number }) => [
      'shoes',
      'shirts',
    ]),
  };
}

const srv = fakeTemplateSrv([
  { name: 'event', value: 'order' },
  { name: 'events', value: ['page_view', 'order'] },
  { name: 'prop', value: 'category' },
]);

describe('listVariableValues', () => {
  it('lists events as text/value pairs, by prefix and limit', async () => {
    const api = stubApi();
    expect(await listVariableValues(api, { target: 'events' }, srv)).toEqual([
      { text: 'order', value: 'order' },
      { text: 'order_refund', value: 'order_refund' },
      { text: 'page_view', value: 'page_view' },
    ]);
    expect(await listVariableValues(api, { target: 'events', prefix: 'ord', limit: 1 }, srv)).toEqual([
      { text: 'order', value: 'order' },
    ]);
  });

  it('lists properties and measures of an event given by another variable', async () => {
    const api = stubApi();
    const properties = await listVariableValues(api, { target: 'properties', event: '$event' }, srv);
    expect(api.properties).toHaveBeenLastCalledWith('order');
    expect(properties.map((v) => v.value)).toEqual(['category', 'revenue', 'quantity']);
    const measures = await listVariableValues(api, { target: 'measures', event: '$events' }, srv);
    expect(api.properties).toHaveBeenLastCalledWith('page_view');
    expect(measures.map((v) => v.value)).toEqual(['revenue', 'quantity']);
  });

  it('lists the values of a chained property for a chained event', async () => {
    const api = stubApi();
    const values = await listVariableValues(
      api,
      { target: 'values', event: '$event', property: '$prop', prefix: 'sh', limit: 5 },
      srv
    );
    expect(api.values).toHaveBeenCalledWith('category', { event: 'order', prefix: 'sh', limit: 5 });
    expect(values).toEqual([
      { text: 'shoes', value: 'shoes' },
      { text: 'shirts', value: 'shirts' },
    ]);
  });

  it('lists no values without a property', async () => {
    const api = stubApi();
    expect(await listVariableValues(api, { target: 'values' }, srv)).toEqual([]);
    expect(api.values).not.toHaveBeenCalled();
  });
});

describe('parseVariableQuery', () => {
  it.each([
    ['events', { target: 'events' }],
    ['properties(order)', { target: 'properties', event: 'order' }],
    ['measures()', { target: 'measures' }],
    ['values(category)', { target: 'values', property: 'category' }],
    ['values($event, $prop)', { target: 'values', event: '$event', property: '$prop' }],
  ])('reads %s', (text, query) => {
    expect(parseVariableQuery(text)).toEqual(query);
  });

  it('refuses what it does not know', () => {
    expect(parseVariableQuery('select 1')).toBeNull();
    expect(parseVariableQuery('values()')).toBeNull();
  });

  it('reads a stored query of any shape', () => {
    expect(toVariableQuery('properties(order)')).toEqual({ target: 'properties', event: 'order' });
    expect(toVariableQuery(undefined)).toEqual({ target: 'events' });
    expect(toVariableQuery({ target: 'values', property: 'x' })).toEqual({ target: 'values', property: 'x' });
  });
});

describe('variable support of the data source', () => {
  const ds = new DataSource({ url: '/proxy', jsonData: { url: 'http://sluice' } } as never);
  const api = stubApi();
  beforeAll(() => {
    setTemplateSrv(srv);
    Object.assign(ds.api, api);
  });

  it('answers a variable query with the values as MetricFindValues', async () => {
    const request = {
      targets: [{ refId: 'v', target: 'values', property: '$prop' }],
      scopedVars: {},
    } as unknown as DataQueryRequest<VariableQuery>;
    const response = await lastValueFrom((ds.variables as SluiceVariableSupport).query(request));
    expect(response).toEqual({
      data: [
        { text: 'shoes', value: 'shoes' },
        { text: 'shirts', value: 'shirts' },
      ],
    });
  });

  it('answers metricFindQuery for text queries and refuses unknown ones', async () => {
    expect((await ds.metricFindQuery('events')).map((v) => v.text)).toEqual(['order', 'order_refund', 'page_view']);
    await expect(ds.metricFindQuery('nonsense')).rejects.toThrow('Unknown variable query');
  });
});
