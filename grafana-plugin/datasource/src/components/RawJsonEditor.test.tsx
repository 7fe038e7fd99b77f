import { act, fireEvent, screen } from '@testing-library/react';

import { selectors } from './selectors';
import { renderEditor } from './test-utils';

// Renders the whole editor, which is slow on a busy machine.
jest.setTimeout(60_000);

const ids = selectors.queryEditor;
const toggleRaw = () =>
  act(async () => {
    fireEvent.click(screen.getByTestId(ids.rawToggle));
  });

describe('raw JSON mode', () => {
  it('starts from the document the builder sends, without the dashboard range', async () => {
    const { last } = renderEditor({
      kind: 'breakdown',
      event: 'order',
      measure: 'revenue',
      aggregations: ['sum'],
      group_by: ['category'],
      interval: '1h',
      horizon: 5,
    });
    await toggleRaw();
    expect(last().rawMode).toBe(true);
    expect(JSON.parse(last().rawJson!)).toEqual({
      kind: 'breakdown',
      event: 'order',
      measure: 'revenue',
      aggregations: ['sum'],
      group_by: ['category'],
    });
    expect(screen.getByTestId(ids.rawJson)).toHaveValue(last().rawJson);
  });

  it('shows the parse error inline and sends nothing broken', async () => {
    const { onRunQuery } = renderEditor({ rawMode: true, rawJson: '{"kind": "events"}' });
    expect(screen.queryByTestId(ids.rawError)).not.toBeInTheDocument();
    fireEvent.change(screen.getByTestId(ids.rawJson), { target: { value: '{"kind": ' } });
    expect(screen.getByTestId(ids.rawError)).toHaveTextContent(/^Not valid JSON: .+/);
    fireEvent.blur(screen.getByTestId(ids.rawJson));
    expect(onRunQuery).not.toHaveBeenCalled();
    fireEvent.change(screen.getByTestId(ids.rawJson), { target: { value: '[1]' } });
    expect(screen.getByTestId(ids.rawError)).toHaveTextContent('The query must be a JSON object');
  });

  it('goes back to the builder with the fields of the edited document', async () => {
    const { last, onRunQuery } = renderEditor({ event: 'order' });
    await toggleRaw();
    const doc = { kind: 'events', event: 'page_view', limit: 20, properties: ['path'], interval: '1h' };
    fireEvent.change(screen.getByTestId(ids.rawJson), { target: { value: JSON.stringify(doc) } });
    fireEvent.blur(screen.getByTestId(ids.rawJson));
    expect(onRunQuery).toHaveBeenCalledTimes(1);
    await toggleRaw();
    expect(last()).toMatchObject({ rawMode: false, ...doc, interval: '1h' });
    expect(last().measure).toBeUndefined();
    expect(screen.getByTestId(ids.limit)).toHaveValue(20);
  });

  it('keeps the builder query when the raw text does not parse', async () => {
    const { last } = renderEditor({ event: 'order', rawMode: true, rawJson: '{oops' });
    await toggleRaw();
    expect(last()).toMatchObject({ kind: 'timeseries', event: 'order', rawMode: false });
  });
});
