import React, { useState } from 'react';
import { fireEvent, render, screen } from '@testing-library/react';

import { DataSource } from '../datasource';
import { VariableQuery } from '../variables';
import { selectors } from './selectors';
import { pick, stubApi } from './test-utils';
import { VariableQueryEditor } from './VariableQueryEditor';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getTemplateSrv: () => ({ getVariables: () => [{ name: 'event' }] }),
}));

jest.setTimeout(30_000);

const ids = selectors.variableEditor;

function renderVariableEditor(initial: unknown) {
  const onChange = jest.fn<void, [VariableQuery]>();
  const datasource = { api: stubApi() } as unknown as DataSource;
  function Harness() {
    const [query, setQuery] = useState(initial as VariableQuery);
    return (
      <VariableQueryEditor
        query={query}
        datasource={datasource}
        onRunQuery={() => {}}
        onChange={(q) => {
          onChange(q);
          setQuery(q);
        }}
      />
    );
  }
  render(<Harness />);
  return { onChange, last: () => onChange.mock.calls[onChange.mock.calls.length - 1][0] };
}

describe('VariableQueryEditor', () => {
  it('lists events by default, with no event or property field', () => {
    renderVariableEditor(undefined);
    expect(screen.queryByTestId(ids.event)).toBeNull();
    expect(screen.queryByTestId(ids.property)).toBeNull();
  });

  it('reads a query saved as text', () => {
    renderVariableEditor('values(order, category)');
    expect(screen.getByTestId(ids.event)).toHaveValue('order');
    expect(screen.getByTestId(ids.property)).toHaveValue('category');
  });

  it('switches to values and takes an event, a property, a prefix and a limit', async () => {
    const { last } = renderVariableEditor({ refId: 'v', target: 'events' });
    await pick(ids.target, 'Values');
    expect(last()).toEqual({ refId: 'v', target: 'values' });
    await pick(ids.event, '$event');
    await pick(ids.property, 'category');
    fireEvent.change(screen.getByTestId(ids.prefix), { target: { value: 'sh' } });
    fireEvent.change(screen.getByTestId(ids.limit), { target: { value: '20' } });
    expect(last()).toEqual({
      refId: 'v',
      target: 'values',
      event: '$event',
      property: 'category',
      prefix: 'sh',
      limit: 20,
    });
  });

  it('drops the property when the variable no longer lists values', async () => {
    const { last } = renderVariableEditor({ refId: 'v', target: 'values', property: 'category' });
    await pick(ids.target, 'Properties');
    expect(last()).toEqual({ refId: 'v', target: 'properties' });
  });
});
