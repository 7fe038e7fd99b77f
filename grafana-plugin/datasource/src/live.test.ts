import { LiveConnection, liveDocument, LiveUpdate, liveUrl } from './live';
import { createFakeSocket, FakeWebSocket } from './testing/fake-websocket';
import { DslQuery, SluiceAnswer } from './types';

const answer = (n: number): SluiceAnswer => ({
  columns: [{ name: 'count', type: 'number' }],
  rows: [[n]],
  meta: {},
});

const QUERY: DslQuery = { kind: 'timeseries', event: 'order', range: '1h', interval: '1m' };

function connect(options = {}) {
  return new LiveConnection(() => 'ws://grafana/api/datasources/proxy/uid/abc/sluice/api/v1/live', {
    createSocket: createFakeSocket,
    idleCloseMs: 0,
    ...options,
  });
}

function collect(live: LiveConnection, query = QUERY, label = 'A') {
  const updates: LiveUpdate[] = [];
  const subscription = live.subscribe(query, label).subscribe((u) => updates.push(u));
  return { updates, subscription };
}

beforeEach(() => FakeWebSocket.reset());

describe('liveUrl', () => {
  it('makes the proxy path absolute, ws for http and wss for https', () => {
    expect(liveUrl('/api/datasources/proxy/uid/abc', 'sluice', 'http://localhost:3000/d/x')).toBe(
      'ws://localhost:3000/api/datasources/proxy/uid/abc/sluice/api/v1/live'
    );
    expect(liveUrl('/grafana/api/datasources/proxy/uid/abc', 'sluice', 'https://example.org/grafana/d/x')).toBe(
      'wss://example.org/grafana/api/datasources/proxy/uid/abc/sluice/api/v1/live'
    );
  });
});

describe('LiveConnection', () => {
  it('opens one socket and subscribes once it is open', () => {
    const live = connect();
    collect(live);
    expect(FakeWebSocket.instances).toHaveLength(1);
    const socket = FakeWebSocket.last;
    expect(socket.url).toBe('ws://grafana/api/datasources/proxy/uid/abc/sluice/api/v1/live');
    expect(socket.sent).toEqual([]);
    socket.open();
    expect(socket.sent).toEqual([{ type: 'subscribe', id: 'A-1', query: QUERY }]);
  });

  it('sends the interval when one is configured', () => {
    collect(connect({ interval: '10s' }));
    FakeWebSocket.last.open();
    expect(FakeWebSocket.last.sent[0]).toMatchObject({ type: 'subscribe', interval: '10s' });
  });

  it('shares the socket between panels and routes each answer to its subscriber, in order', () => {
    const live = connect();
    const a = collect(live, QUERY, 'A');
    const socket = FakeWebSocket.last;
    socket.open();
    const b = collect(live, { ...QUERY, event: 'refund' }, 'A');
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(socket.sent.map((m) => m.id)).toEqual(['A-1', 'A-2']);
    socket.receive({ type: 'result', id: 'A-1', answer: answer(1) });
    socket.receive({ type: 'result', id: 'A-2', answer: answer(10) });
    socket.receive({ type: 'result', id: 'A-1', answer: answer(2) });
    expect(a.updates).toEqual([
      { type: 'result', answer: answer(1) },
      { type: 'result', answer: answer(2) },
    ]);
    expect(b.updates).toEqual([{ type: 'result', answer: answer(10) }]);
  });

  it("passes Sluice's error with its code, to the subscription it names or to all", () => {
    const live = connect();
    const a = collect(live, QUERY, 'A');
    const b = collect(live, QUERY, 'B');
    const socket = FakeWebSocket.last;
    socket.open();
    socket.receive({
      type: 'error',
      id: 'A-1',
      error: {
        code: 'SLUICE_E_BAD_QUERY',
        message: 'Invalid query',
        problems: [{ path: '/event', message: 'unknown' }],
      },
    });
    socket.receive({ type: 'error', id: null, error: { code: 'SLUICE_E_BAD_REQUEST', message: 'not JSON' } });
    expect(a.updates).toEqual([
      {
        type: 'error',
        code: 'SLUICE_E_BAD_QUERY',
        message: 'SLUICE_E_BAD_QUERY: Invalid query',
        problems: [{ path: '/event', message: 'unknown' }],
      },
      { type: 'error', code: 'SLUICE_E_BAD_REQUEST', message: 'SLUICE_E_BAD_REQUEST: not JSON', problems: undefined },
    ]);
    expect(b.updates).toHaveLength(1);
  });

  it('unsubscribes when a panel leaves and closes the socket when the last one does', () => {
    const live = connect();
    const a = collect(live, QUERY, 'A');
    const b = collect(live, QUERY, 'B');
    const socket = FakeWebSocket.last;
    socket.open();
    a.subscription.unsubscribe();
    expect(socket.sent.at(-1)).toEqual({ type: 'unsubscribe', id: 'A-1' });
    expect(socket.closed).toBeNull();
    expect(live.size).toBe(1);
    b.subscription.unsubscribe();
    expect(socket.sent.at(-1)).toEqual({ type: 'unsubscribe', id: 'B-2' });
    expect(socket.closed).toEqual({ code: 1000, reason: 'no subscriptions' });
    expect(live.connected).toBe(false);
    // a later panel opens a fresh socket
    collect(live);
    expect(FakeWebSocket.instances).toHaveLength(2);
  });

  it('keeps the socket for a moment after the last panel leaves, for the panels of a refresh', () => {
    jest.useFakeTimers();
    try {
      const live = connect({ idleCloseMs: 1000 });
      const a = collect(live, QUERY, 'A');
      const socket = FakeWebSocket.last;
      socket.open();
      a.subscription.unsubscribe();
      expect(socket.sent.at(-1)).toEqual({ type: 'unsubscribe', id: 'A-1' });
      jest.advanceTimersByTime(900);
      expect(socket.closed).toBeNull();
      // the refreshed panel subscribes on the same socket
      const b = collect(live, QUERY, 'A');
      expect(FakeWebSocket.instances).toHaveLength(1);
      expect(socket.sent.at(-1)).toEqual({ type: 'subscribe', id: 'A-2', query: QUERY });
      jest.advanceTimersByTime(5000);
      expect(socket.closed).toBeNull();
      b.subscription.unsubscribe();
      jest.advanceTimersByTime(999);
      expect(socket.closed).toBeNull();
      jest.advanceTimersByTime(1);
      expect(socket.closed).toEqual({ code: 1000, reason: 'no subscriptions' });
      expect(live.connected).toBe(false);
    } finally {
      jest.useRealTimers();
    }
  });

  it('never sends on a socket still connecting when its only panel leaves', () => {
    const live = connect();
    const a = collect(live);
    const socket = FakeWebSocket.last;
    a.subscription.unsubscribe();
    expect(socket.sent).toEqual([]);
    expect(socket.closed).not.toBeNull();
  });

  describe('reconnecting', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    it('reopens with growing waits and subscribes everything again', () => {
      const live = connect({ minBackoffMs: 1000, maxBackoffMs: 4000 });
      const a = collect(live, QUERY, 'A');
      const b = collect(live, QUERY, 'B');
      FakeWebSocket.last.open();
      FakeWebSocket.last.drop(1006);
      expect(a.updates.at(-1)).toEqual({
        type: 'error',
        message: 'The live connection to Sluice closed (code 1006); reconnecting in 1s',
      });
      jest.advanceTimersByTime(999);
      expect(FakeWebSocket.instances).toHaveLength(1);
      jest.advanceTimersByTime(1);
      expect(FakeWebSocket.instances).toHaveLength(2);
      // the second attempt fails before opening: the wait doubles
      FakeWebSocket.last.drop();
      jest.advanceTimersByTime(1999);
      expect(FakeWebSocket.instances).toHaveLength(2);
      jest.advanceTimersByTime(1);
      expect(FakeWebSocket.instances).toHaveLength(3);
      // the third failure waits 4s, capped at maxBackoffMs
      FakeWebSocket.last.drop();
      jest.advanceTimersByTime(4000);
      expect(FakeWebSocket.instances).toHaveLength(4);
      const socket = FakeWebSocket.last;
      socket.open();
      expect(socket.sent).toEqual([
        { type: 'subscribe', id: 'A-1', query: QUERY },
        { type: 'subscribe', id: 'B-2', query: QUERY },
      ]);
      socket.receive({ type: 'result', id: 'B-2', answer: answer(5) });
      expect(b.updates.at(-1)).toEqual({ type: 'result', answer: answer(5) });
      // an answer resets the wait
      socket.drop();
      jest.advanceTimersByTime(1000);
      expect(FakeWebSocket.instances).toHaveLength(5);
    });

    it('stops reconnecting when the last panel leaves while waiting', () => {
      const live = connect();
      const a = collect(live);
      FakeWebSocket.last.open();
      FakeWebSocket.last.drop();
      a.subscription.unsubscribe();
      jest.advanceTimersByTime(60_000);
      expect(FakeWebSocket.instances).toHaveLength(1);
    });
  });
});

describe('liveDocument', () => {
  const doc: DslQuery = {
    kind: 'timeseries',
    event: 'order',
    from: '2026-11-22T05:00:00.000Z',
    to: '2026-11-22T06:00:00.000Z',
  };
  const hour = 3_600_000;

  it('sends a range ending now as a relative range of the same length', () => {
    expect(liveDocument(doc, { from: 0, to: hour, rawTo: 'now' })).toEqual({
      kind: 'timeseries',
      event: 'order',
      range: '1h',
    });
    expect(liveDocument(doc, { from: 0, to: 6 * hour, rawTo: 'now' })).toMatchObject({ range: '6h' });
    expect(liveDocument(doc, { from: 0, to: 7 * 24 * hour, rawTo: 'now' })).toMatchObject({ range: '1w' });
    expect(liveDocument(doc, { from: 0, to: 2 * 24 * hour, rawTo: 'now' })).toMatchObject({ range: '2d' });
    // `now-90m` and `now` read a few milliseconds apart
    expect(liveDocument(doc, { from: 3, to: 90 * 60_000, rawTo: 'now' })).toMatchObject({ range: '90m' });
  });

  it('keeps a range ending in the past, one too long, and a raw document naming its own', () => {
    expect(liveDocument(doc, { from: 0, to: hour, rawTo: 'now-1h' })).toBe(doc);
    expect(liveDocument(doc, { from: 0, to: 100_000 * hour + 60_000, rawTo: 'now' })).toBe(doc);
    expect(liveDocument(doc, { from: 0, to: hour, rawTo: 'now' }, true)).toBe(doc);
  });
});
