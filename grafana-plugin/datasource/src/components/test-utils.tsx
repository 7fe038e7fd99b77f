import React, { useState } from 'react';
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';

import { DataSource } from '../datasource';
import { MetaEvent, MetaProperty } from '../sluice-api';
import { SluiceQuery } from '../types';
import { QueryEditor } from './QueryEditor';

export const EVENTS: MetaEvent[] = [
  { name: 'order', count: 120, has_schema: true },
  { name: 'page_view', count: 900, has_schema: true },
  { name: 'add_to_cart', count: 300, has_schema: false },
];

export const PROPERTIES: MetaProperty[] = [
  { name: 'revenue', type: 'number', events_estimate: 120, measure: true, rollup_dimension: false, derived: false },
  { name: 'category', type: 'string', events_estimate: 120, measure: false, rollup_dimension: true, derived: false },
  { name: 'quantity', type: 'number', events_estimate: 80, measure: false, rollup_dimension: false, derived: false },
  {
    name: 'payment_method',
    type: 'string',
    events_estimate: 120,
    measure: false,
    rollup_dimension: true,
    derived: false,
  },
];

/** A stubbed meta API: the editor only reads events, properties and values. */
export function stubApi() {
  return {
    events: jest.fn(async () => EVENTS),
    properties: jest.fn(async (_event?: string) => PROPERTIES),
    values: jest.fn(async (_property: string, _opts?: { event?: string; prefix?: string }) => [
      'shoes',
      'shirts',
      'hats',
    ]),
  };
}

/** Renders the editor holding its query like a panel does; `last()` is the latest query. */
export function renderEditor(initial: Partial<SluiceQuery> = {}, api = stubApi()) {
  const onChange = jest.fn<void, [SluiceQuery]>();
  const onRunQuery = jest.fn();
  const datasource = { api } as unknown as DataSource;
  function Harness() {
    const [query, setQuery] = useState<SluiceQuery>({ refId: 'A', kind: 'timeseries', ...initial });
    return (
      <QueryEditor
        query={query}
        datasource={datasource}
        onChange={(q) => {
          onChange(q);
          setQuery(q);
        }}
        onRunQuery={onRunQuery}
      />
    );
  }
  const view = render(<Harness />);
  const last = (): SluiceQuery => onChange.mock.calls[onChange.mock.calls.length - 1][0];
  return { ...view, api, onChange, onRunQuery, last };
}

// Options load asynchronously; on a busy machine that takes longer than waitFor's default second.
const WAIT = { timeout: 10_000 };

/** The option elements of an open combobox. */
function optionsOf(input: HTMLElement): HTMLElement[] {
  const listbox = document.getElementById(input.getAttribute('aria-controls') ?? '');
  // A plain selector: role queries compute styles of the whole page and are slow here.
  return listbox ? Array.from(listbox.querySelectorAll<HTMLElement>('[role="option"]')) : [];
}

/** Opens a combobox (by its test id) and gives the labels of its options once they are listed. */
export async function openOptions(testId: string, typed?: string): Promise<string[]> {
  const input = screen.getByTestId(testId);
  await act(async () => {
    // A click toggles the menu: only open it when it is closed.
    if (input.getAttribute('aria-expanded') !== 'true') {
      fireEvent.click(input);
    }
    if (typed !== undefined) {
      fireEvent.change(input, { target: { value: typed } });
    }
  });
  await waitFor(() => {
    if (!optionsOf(input).length || (typed && !optionsOf(input).some((o) => o.textContent?.includes(typed)))) {
      throw new Error(`no options listed for ${testId}`);
    }
  }, WAIT);
  return optionsOf(input).map((o) => o.textContent ?? '');
}

/** Opens a combobox and picks the option whose text starts with `label`. */
export async function pick(testId: string, label: string, typed?: string) {
  await openOptions(testId, typed);
  const option = optionsOf(screen.getByTestId(testId)).find((o) => (o.textContent ?? '').startsWith(label));
  if (!option) {
    throw new Error(`no option ${label} in ${testId}`);
  }
  await act(async () => {
    fireEvent.click(option);
  });
}
