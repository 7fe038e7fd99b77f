import { act, fireEvent, screen } from '@testing-library/react';

import { selectors } from './selectors';
import { pick, renderEditor } from './test-utils';

jest.setTimeout(60_000);

const ids = selectors.queryEditor;
const click = (testId: string) =>
  act(async () => {
    fireEvent.click(screen.getByTestId(testId));
  });

const steps = [{ event: 'page_view' }, { event: 'add_to_cart' }, { event: 'order' }];

describe('funnel steps', () => {
  it('seeds two steps from the event when switching to a funnel', async () => {
    const { last } = renderEditor({ event: 'page_view' });
    await pick(ids.kind, 'Funnel');
    expect(last()).toMatchObject({ kind: 'funnel', steps: [{ event: 'page_view' }, { event: '' }] });
    expect(screen.getAllByTestId(ids.hint).map((h) => h.textContent)).toEqual(['Step 2 has no event']);
  });

  it('adds a step and picks its event, running once the funnel is complete', async () => {
    const { last, onRunQuery } = renderEditor({ kind: 'funnel', steps: [{ event: 'page_view' }] });
    await click(ids.funnelAddStep);
    expect(last().steps).toEqual([{ event: 'page_view' }, { event: '' }]);
    expect(onRunQuery).not.toHaveBeenCalled();
    await pick(ids.funnelStepEvent(1), 'order');
    expect(last().steps).toEqual([{ event: 'page_view' }, { event: 'order' }]);
    expect(onRunQuery).toHaveBeenCalledTimes(1);
    expect(screen.queryByTestId(ids.hint)).not.toBeInTheDocument();
  });

  it('removes a step', async () => {
    const { last } = renderEditor({ kind: 'funnel', steps });
    await click(ids.funnelStepRemove(1));
    expect(last().steps).toEqual([{ event: 'page_view' }, { event: 'order' }]);
  });

  it('moves steps up and down', async () => {
    const { last } = renderEditor({ kind: 'funnel', steps });
    await click(ids.funnelStepUp(2));
    expect(last().steps!.map((s) => s.event)).toEqual(['page_view', 'order', 'add_to_cart']);
    await click(ids.funnelStepDown(0));
    expect(last().steps!.map((s) => s.event)).toEqual(['order', 'page_view', 'add_to_cart']);
    expect(screen.getByTestId(ids.funnelStepUp(0))).toBeDisabled();
    expect(screen.getByTestId(ids.funnelStepDown(2))).toBeDisabled();
  });

  it('gives each step its own filters', async () => {
    const { last } = renderEditor({ kind: 'funnel', steps });
    await click(ids.filterAdd('step-2'));
    await pick(ids.filterProperty('step-2', 0), 'revenue');
    expect(last().steps![2]).toEqual({ event: 'order', filters: [{ property: 'revenue', op: 'eq' }] });
    expect(last().filters).toBeUndefined();
  });

  it('sets the window and strict order', async () => {
    const { last } = renderEditor({ kind: 'funnel', steps });
    await pick(ids.window, '1h');
    await click(ids.strictOrder);
    expect(last()).toMatchObject({ window: '1h', strict_order: true });
  });
});
