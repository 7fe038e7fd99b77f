import { act, fireEvent, screen } from '@testing-library/react';

import { selectors } from './selectors';
import { openOptions, pick, renderEditor } from './test-utils';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getTemplateSrv: () => ({ getVariables: () => [{ name: 'category' }] }),
}));

jest.setTimeout(60_000);

const ids = selectors.queryEditor;

describe('FiltersEditor', () => {
  it('adds an empty row without running the query, then fills it', async () => {
    const { last, onRunQuery } = renderEditor({ event: 'order' });
    await act(async () => {
      fireEvent.click(screen.getByTestId(ids.filterAdd('query')));
    });
    expect(last().filters).toEqual([{ property: '', op: 'eq' }]);
    expect(onRunQuery).not.toHaveBeenCalled();

    await pick(ids.filterProperty('query', 0), 'category');
    expect(last().filters).toEqual([{ property: 'category', op: 'eq' }]);
    expect(onRunQuery).not.toHaveBeenCalled();

    await pick(ids.filterValue('query', 0), 'shoes');
    expect(last().filters).toEqual([{ property: 'category', op: 'eq', value: 'shoes' }]);
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('suggests values of the row property for the query event, and variables', async () => {
    const { api } = renderEditor({ event: 'order', filters: [{ property: 'category', op: 'eq' }] });
    const labels = await openOptions(ids.filterValue('query', 0));
    expect(labels).toEqual(['shoes', 'shirts', 'hats', '$category']);
    expect(api.values).toHaveBeenCalledWith('category', { event: 'order', prefix: undefined, limit: 50 });
  });

  it('takes several values for in and keeps the one it had', async () => {
    const { last } = renderEditor({ event: 'order', filters: [{ property: 'category', op: 'eq', value: 'shoes' }] });
    await pick(ids.filterOp('query', 0), 'in');
    expect(last().filters).toEqual([{ property: 'category', op: 'in', value: ['shoes'] }]);
    await pick(ids.filterValue('query', 0), 'hats');
    expect(last().filters).toEqual([{ property: 'category', op: 'in', value: ['shoes', 'hats'] }]);
  });

  it('sends numbers for gt and no value for exists', async () => {
    const { last } = renderEditor({ event: 'order', filters: [{ property: 'revenue', op: 'gt' }] });
    await pick(ids.filterValue('query', 0), '100', '100');
    expect(last().filters).toEqual([{ property: 'revenue', op: 'gt', value: 100 }]);
    await pick(ids.filterOp('query', 0), 'exists');
    expect(last().filters).toEqual([{ property: 'revenue', op: 'exists' }]);
    expect(screen.queryByTestId(ids.filterValue('query', 0))).not.toBeInTheDocument();
  });

  it('removes a row', async () => {
    const { last } = renderEditor({
      event: 'order',
      filters: [
        { property: 'category', op: 'eq', value: 'shoes' },
        { property: 'revenue', op: 'gt', value: 10 },
      ],
    });
    await act(async () => {
      fireEvent.click(screen.getByTestId(ids.filterRemove('query', 0)));
    });
    expect(last().filters).toEqual([{ property: 'revenue', op: 'gt', value: 10 }]);
    expect(screen.queryByTestId(ids.filterRow('query', 1))).not.toBeInTheDocument();
  });
});
