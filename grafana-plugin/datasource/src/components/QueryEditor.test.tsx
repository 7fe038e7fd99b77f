import { act, fireEvent, screen } from '@testing-library/react';

import { openOptions, pick, renderEditor } from './test-utils';
import { selectors } from './selectors';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getTemplateSrv: () => ({ getVariables: () => [{ name: 'event' }, { name: 'category' }] }),
}));

const ids = selectors.queryEditor;

// Comboboxes load their options asynchronously; a test walks through several.
jest.setTimeout(60_000);

describe('QueryEditor', () => {
  it('lists the events from the meta endpoint and the dashboard variables', async () => {
    const { api } = renderEditor();
    const labels = await openOptions(ids.event);
    expect(labels).toEqual(expect.arrayContaining(['order', 'page_view', 'add_to_cart', '$event', '$category']));
    expect(api.events).toHaveBeenCalled();
  });

  it('sets the event picked and runs the query', async () => {
    const { last, onRunQuery } = renderEditor();
    await pick(ids.event, 'page_view');
    expect(last()).toMatchObject({ kind: 'timeseries', event: 'page_view' });
    expect(onRunQuery).toHaveBeenCalled();
  });

  it('takes an event the meta endpoint has not seen', async () => {
    const { last } = renderEditor();
    await pick(ids.event, 'signup', 'signup');
    expect(last().event).toBe('signup');
  });

  it('offers only measures (marked or numeric) of the chosen event as measures', async () => {
    const { api, last } = renderEditor({ event: 'order' });
    const labels = await openOptions(ids.measure);
    expect(labels.map((l) => l.replace(/number$/, ''))).toEqual(['revenue', 'quantity', '$event', '$category']);
    expect(api.properties).toHaveBeenCalledWith('order');
    await pick(ids.measure, 'revenue');
    expect(last()).toMatchObject({ event: 'order', measure: 'revenue' });
  });

  it('adds an aggregation to the list', async () => {
    const { last } = renderEditor({ event: 'order', measure: 'revenue', aggregations: ['count'] });
    await pick(ids.aggregations, 'avg');
    expect(last().aggregations).toEqual(['count', 'avg']);
  });

  it('switches kind keeping the fields that still apply', async () => {
    const { last, onRunQuery } = renderEditor({ event: 'order', measure: 'revenue', aggregations: ['sum', 'avg'] });
    await pick(ids.kind, 'Forecast');
    expect(last()).toMatchObject({ kind: 'forecast', event: 'order', measure: 'revenue', aggregations: ['sum'] });
    expect(onRunQuery).toHaveBeenCalled();
    // forecast: one aggregation, a horizon, no group by or compare
    expect(screen.queryByTestId(ids.groupBy)).not.toBeInTheDocument();
    expect(screen.queryByTestId(ids.compare)).not.toBeInTheDocument();
    fireEvent.change(screen.getByTestId(ids.horizon), { target: { value: '12' } });
    expect(last().horizon).toBe(12);
  });

  it('picks compare and a fixed interval', async () => {
    const { last } = renderEditor({ event: 'order' });
    await pick(ids.compare, 'Previous year');
    expect(last().compare).toBe('previous_year');
    await pick(ids.interval, '1h');
    expect(last().interval).toBe('1h');
    await pick(ids.compare, 'None');
    expect(last().compare).toBeUndefined();
  });

  it('groups by at most two properties', async () => {
    const { last } = renderEditor({ kind: 'breakdown', event: 'order', group_by: ['category', 'payment_method'] });
    await pick(ids.groupBy, 'quantity');
    expect(last().group_by).toEqual(['category', 'payment_method']);
  });

  it('groups a funnel by one property of its first step; a typed limit runs on blur', async () => {
    const { api, last, onRunQuery } = renderEditor({
      kind: 'funnel',
      steps: [{ event: 'page_view' }, { event: 'order' }],
    });
    await pick(ids.groupBy, 'category');
    await pick(ids.groupBy, 'quantity');
    expect(last().group_by).toEqual(['category']);
    expect(api.properties).toHaveBeenCalledWith('page_view');
    const runs = onRunQuery.mock.calls.length;
    fireEvent.change(screen.getByTestId(ids.limit), { target: { value: '5' } });
    expect(last().limit).toBe(5);
    expect(onRunQuery).toHaveBeenCalledTimes(runs);
    fireEvent.blur(screen.getByTestId(ids.limit));
    expect(onRunQuery).toHaveBeenCalledTimes(runs + 1);
  });

  it('asks the meta endpoint once for pickers showing the same list', async () => {
    const { api } = renderEditor({ kind: 'retention' });
    await openOptions(ids.startEvent);
    await openOptions(ids.returnEvent);
    expect(api.events).toHaveBeenCalledTimes(1);
  });

  it('shows the live toggle only for kinds that stream', async () => {
    const { last } = renderEditor();
    await act(async () => {
      fireEvent.click(screen.getByTestId(ids.live));
    });
    expect(last().live).toBe(true);
    await pick(ids.kind, 'Retention');
    expect(last().live).toBeUndefined();
    expect(screen.queryByTestId(ids.live)).not.toBeInTheDocument();
  });

  it('hints at what the user can fix', () => {
    renderEditor({ kind: 'funnel', steps: [{ event: 'page_view' }] });
    const hints = screen.getAllByTestId(ids.hint).map((h) => h.textContent);
    expect(hints).toEqual(['A funnel needs at least two steps']);
  });

  it('sets the retention events and period', async () => {
    const { last } = renderEditor({ kind: 'retention' });
    await pick(ids.startEvent, 'page_view');
    await pick(ids.returnEvent, 'order');
    await act(async () => {
      fireEvent.click(screen.getByLabelText('Week'));
    });
    expect(last()).toMatchObject({
      kind: 'retention',
      start_event: 'page_view',
      return_event: 'order',
      period: 'week',
    });
    fireEvent.change(screen.getByTestId(ids.periods), { target: { value: '120' } });
    expect(last().periods).toBe(90);
  });

  it('sets the columns and rows of kind events', async () => {
    const { last } = renderEditor({ kind: 'events', event: 'order' });
    await pick(ids.properties, 'revenue');
    await pick(ids.properties, 'category');
    expect(last().properties).toEqual(['revenue', 'category']);
    fireEvent.change(screen.getByTestId(ids.limit), { target: { value: '50' } });
    expect(last().limit).toBe(50);
  });
});

describe('QueryEditor defaults', () => {
  it('fills a new query with the defaults and leaves a saved one as it is', async () => {
    const fresh = renderEditor({ kind: undefined as never });
    await pick(ids.event, 'order');
    expect(fresh.last()).toMatchObject({ kind: 'timeseries', aggregations: ['count'], event: 'order' });
    fresh.unmount();

    const saved = renderEditor({ kind: 'percentiles', event: 'order', measure: 'revenue' });
    await pick(ids.compare, 'Previous period');
    expect(saved.last().aggregations).toBeUndefined();
  });
});
