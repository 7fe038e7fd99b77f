import { DataQueryRequest, DataQueryResponse, dateTime, LoadingState } from '@grafana/data';
import { setTemplateSrv } from '@grafana/runtime';
import { firstValueFrom, lastValueFrom, Subscription } from 'rxjs';

import { DataSource, QUERY_PACKET_KEY } from './datasource';
import { buildQuery } from './query-builder';
import { SluiceRequestError } from './sluice-api';
import { createFakeSocket, FakeWebSocket } from './testing/fake-websocket';
import { fakeTemplateSrv } from './testing/template-srv';
import { DslQuery, SluiceAnswer, SluiceQuery } from './types';

const SETTINGS = {
  uid: 'abc',
  name: 'Sluice',
  type: 'sluice-analytics-datasource',
  url: '/api/datasources/proxy/uid/abc',
  jsonData: { url: 'http://sluice:8081' },
  meta: {},
} as never;

const answer = (n: number): SluiceAnswer => ({
  columns: [
    { name: 'bucket', type: 'time' },
    { name: 'count', type: 'number' },
  ],
  rows: [[1795320000000, n]],
  meta: {},
});

function request(
  targets: SluiceQuery[],
  extra: Partial<DataQueryRequest<SluiceQuery>> = {}
): DataQueryRequest<SluiceQuery> {
  return {
    targets,
    range: {
      from: dateTime('2026-11-22T05:00:00Z'),
      to: dateTime('2026-11-22T06:00:00Z'),
      raw: { from: 'now-1h', to: 'now' },
    },
    timezone: 'Europe/Paris',
    intervalMs: 60_000,
    interval: '1m',
    scopedVars: {},
    requestId: 'r1',
    app: 'dashboard',
    startTime: 0,
    ...extra,
  } as DataQueryRequest<SluiceQuery>;
}

let ds: DataSource;
let posted: DslQuery[];

beforeEach(() => {
  setTemplateSrv(
    fakeTemplateSrv([
      { name: 'event', value: 'order' },
      { name: 'countries', value: ['FR', 'DE'] },
    ])
  );
  FakeWebSocket.reset();
  ds = new DataSource(SETTINGS, { createSocket: createFakeSocket, liveIdleCloseMs: 0 });
  posted = [];
  jest.spyOn(ds.api, 'query').mockImplementation(async (doc) => {
    posted.push(doc);
    if (doc.event === 'missing') {
      throw new SluiceRequestError('SLUICE_E_BAD_QUERY: unknown event "missing"', 400, 'SLUICE_E_BAD_QUERY');
    }
    return answer(posted.length);
  });
});

describe('query', () => {
  it("sends the dashboard's range, time zone and interval", async () => {
    const target: SluiceQuery = { refId: 'A', kind: 'timeseries', event: 'order', interval: 'auto' };
    await lastValueFrom(ds.query(request([target])));
    const context = {
      from: Date.parse('2026-11-22T05:00:00Z'),
      to: Date.parse('2026-11-22T06:00:00Z'),
      timezone: 'Europe/Paris',
      intervalMs: 60_000,
    };
    const expected = buildQuery(target, context);
    expect(expected.ok && expected.query).toMatchObject({ timezone: 'Europe/Paris', interval: '1m' });
    expect(posted).toEqual([expected.ok && expected.query]);
  });

  it("answers each target on its own: one failing leaves the others' frames and says Sluice's message", async () => {
    const response = await lastValueFrom(
      ds.query(
        request([
          { refId: 'A', kind: 'breakdown', event: 'order' },
          { refId: 'B', kind: 'breakdown', event: 'missing' },
          { refId: 'C', kind: 'funnel', steps: [{ event: 'a' }] },
        ])
      )
    );
    expect(response.data.map((f) => f.refId)).toEqual(['A']);
    expect(response.errors).toEqual([
      { refId: 'B', message: 'SLUICE_E_BAD_QUERY: unknown event "missing"', status: 400 },
      { refId: 'C', message: 'A funnel needs at least two steps', status: undefined },
    ]);
    expect(response.state).toBe(LoadingState.Error);
  });

  it('leaves hidden targets out', async () => {
    const response = await lastValueFrom(ds.query(request([{ refId: 'A', kind: 'events', hide: true }])));
    expect(response.data).toEqual([]);
    expect(posted).toEqual([]);
  });

  it('interpolates variables and adds ad-hoc filters itself', async () => {
    await lastValueFrom(
      ds.query(
        request(
          [
            {
              refId: 'A',
              kind: 'breakdown',
              event: '$event',
              filters: [{ property: 'country', op: 'eq', value: '$countries' }],
            },
          ],
          {
            filters: [{ key: 'device', operator: '=', value: 'ios' }],
          }
        )
      )
    );
    expect(posted[0]).toMatchObject({
      event: 'order',
      filters: [
        { property: 'country', op: 'in', value: ['FR', 'DE'] },
        { property: 'device', op: 'eq', value: 'ios' },
      ],
    });
  });

  it('interpolates once when Grafana already applied the variables, even on a copy', async () => {
    const target: SluiceQuery = { refId: 'A', kind: 'breakdown', event: '$event' };
    const filters = [{ key: 'device', operator: '=', value: 'ios' }];
    const applied = ds.applyTemplateVariables(target, {}, filters);
    await lastValueFrom(ds.query(request([{ ...applied }], { filters })));
    expect(posted[0].filters).toEqual([{ property: 'device', op: 'eq', value: 'ios' }]);
    expect(posted[0].event).toBe('order');
  });

  it('reads the ad-hoc filters from the template service when the request has none (older Grafana)', async () => {
    setTemplateSrv(fakeTemplateSrv([], [{ key: 'plan', operator: '!=', value: 'free' }]));
    await lastValueFrom(ds.query(request([{ refId: 'A', kind: 'events', event: 'order' }])));
    expect(posted[0].filters).toEqual([{ property: 'plan', op: 'neq', value: 'free' }]);
  });

  it('fails a target whose ad-hoc filter cannot be sent, saying which', async () => {
    const response = await lastValueFrom(
      ds.query(request([{ refId: 'A', kind: 'events' }], { filters: [{ key: 'path', operator: '=~', value: 'a+b' }] }))
    );
    expect(posted).toEqual([]);
    expect(response.errors?.[0].message).toContain('path =~ a+b');
  });

  it('answers an annotation query with the alert episodes of the range', async () => {
    const history = jest.spyOn(ds.api, 'alertHistory').mockResolvedValue([
      {
        id: '2',
        rule_id: 'r',
        rule_name: 'Checkout p95',
        severity: 'critical',
        state: 'resolved',
        at: 2000,
        value: 500,
        threshold: 800,
      },
      {
        id: '1',
        rule_id: 'r',
        rule_name: 'Checkout p95',
        severity: 'critical',
        state: 'firing',
        at: 1000,
        value: 912,
        threshold: 800,
      },
    ]);
    const response = await lastValueFrom(
      ds.query(
        request([{ refId: 'Anno', queryType: 'alert_history', alertSeverity: 'critical', kind: undefined as never }])
      )
    );
    expect(history).toHaveBeenCalledWith({
      from: Date.parse('2026-11-22T05:00:00Z'),
      to: Date.parse('2026-11-22T06:00:00Z'),
      rule: undefined,
      severity: 'critical',
      state: undefined,
      limit: 1000,
    });
    const events = await lastValueFrom(ds.annotations!.processEvents!({} as never, response.data));
    expect(events).toEqual([
      {
        id: '1',
        time: 1000,
        timeEnd: 2000,
        isRegion: true,
        title: 'Checkout p95',
        text: 'firing → resolved\nvalue 912 vs threshold 800',
        tags: ['critical', 'resolved'],
      },
    ]);
  });
});

describe('live query', () => {
  it('streams answers keyed by refId over the proxied socket, beside the non-live targets', async () => {
    const responses: DataQueryResponse[] = [];
    const sub: Subscription = ds
      .query(
        request([
          { refId: 'A', kind: 'timeseries', event: 'order', live: true, interval: 'auto' },
          { refId: 'B', kind: 'breakdown', event: 'order' },
        ])
      )
      .subscribe((r) => responses.push(r));
    const socket = FakeWebSocket.last;
    expect(socket.url).toBe('ws://localhost/api/datasources/proxy/uid/abc/sluice/api/v1/live');
    socket.open();
    expect(socket.sent).toEqual([
      {
        type: 'subscribe',
        id: 'A-1',
        query: { kind: 'timeseries', event: 'order', timezone: 'Europe/Paris', interval: '1m', range: '1h' },
      },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 0));
    socket.receive({ type: 'result', id: 'A-1', answer: answer(7) });
    socket.receive({ type: 'error', id: 'A-1', error: { code: 'SLUICE_E_TIMEOUT', message: 'Query took too long' } });
    socket.receive({ type: 'result', id: 'A-1', answer: answer(8) });

    const http = responses.find((r) => r.key === QUERY_PACKET_KEY);
    expect(http?.data.map((f) => f.refId)).toEqual(['B']);
    const live = responses.filter((r) => r.key === 'A');
    expect(live.map((r) => r.state)).toEqual([LoadingState.Streaming, LoadingState.Error, LoadingState.Streaming]);
    expect(live.map((r) => r.data[0].fields[1].values[0])).toEqual([7, 7, 8]);
    expect(live[1].errors).toEqual([{ refId: 'A', message: 'SLUICE_E_TIMEOUT: Query took too long' }]);

    sub.unsubscribe();
    expect(socket.sent.at(-1)).toEqual({ type: 'unsubscribe', id: 'A-1' });
    expect(socket.closed).not.toBeNull();
  });

  it("streams every target when Explore's live button asks for it", () => {
    const sub = ds
      .query(request([{ refId: 'A', kind: 'events', event: 'order' }], { liveStreaming: true }))
      .subscribe();
    FakeWebSocket.last.open();
    expect(FakeWebSocket.last.sent).toEqual([expect.objectContaining({ type: 'subscribe', id: 'A-1' })]);
    expect(posted).toEqual([]);
    sub.unsubscribe();
  });

  it('reports a live target that cannot be built without opening a socket', async () => {
    const response = await firstValueFrom(ds.query(request([{ refId: 'A', kind: 'funnel', live: true, steps: [] }])));
    expect(response).toEqual({
      data: [],
      key: 'A',
      state: LoadingState.Error,
      errors: [{ refId: 'A', message: 'A funnel needs at least two steps' }],
    });
    expect(FakeWebSocket.instances).toHaveLength(0);
  });
});

describe('ad-hoc keys and values', () => {
  it("scopes keys and values to the panel's event when its queries share one", async () => {
    const properties = jest
      .spyOn(ds.api, 'properties')
      .mockResolvedValue([
        { name: 'country', type: 'string', events_estimate: 1, measure: false, rollup_dimension: true, derived: false },
      ]);
    const values = jest.spyOn(ds.api, 'values').mockResolvedValue(['FR', 'DE']);
    const queries: SluiceQuery[] = [
      { refId: 'A', kind: 'timeseries', event: '$event' },
      { refId: 'B', kind: 'breakdown', event: 'order' },
    ];
    expect(await ds.getTagKeys({ filters: [], queries })).toEqual([{ text: 'country', value: 'country' }]);
    expect(properties).toHaveBeenLastCalledWith('order');
    expect(await ds.getTagValues({ key: 'country', filters: [], queries })).toEqual([
      { text: 'FR', value: 'FR' },
      { text: 'DE', value: 'DE' },
    ]);
    expect(values).toHaveBeenLastCalledWith('country', { event: 'order', limit: 100 });
    await ds.getTagKeys({ filters: [], queries: [...queries, { refId: 'C', kind: 'events', event: 'refund' }] });
    expect(properties).toHaveBeenLastCalledWith(undefined);
  });
});

describe('interpolateVariablesInQueries', () => {
  it('gives the queries as they are sent, for Explore', () => {
    const [query] = ds.interpolateVariablesInQueries([{ refId: 'A', kind: 'events', event: '$event' }], {});
    expect(query).toMatchObject({
      refId: 'A',
      event: 'order',
      datasource: { uid: 'abc', type: 'sluice-analytics-datasource' },
    });
  });
});
