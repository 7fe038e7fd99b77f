import React, { useState } from 'react';
import { fireEvent, render, screen } from '@testing-library/react';

import { SluiceQuery } from '../types';
import { AnnotationQueryEditor } from './AnnotationQueryEditor';
import { selectors } from './selectors';
import { pick } from './test-utils';

jest.setTimeout(30_000);

const ids = selectors.annotationEditor;

function renderAnnotationEditor(initial: Partial<SluiceQuery>) {
  const onChange = jest.fn<void, [SluiceQuery]>();
  function Harness() {
    const [query, setQuery] = useState({ refId: 'Anno', ...initial } as SluiceQuery);
    return (
      <AnnotationQueryEditor
        query={query}
        datasource={{} as never}
        onRunQuery={() => {}}
        onChange={(q) => {
          onChange(q);
          setQuery(q);
        }}
      />
    );
  }
  render(<Harness />);
  return () => onChange.mock.calls[onChange.mock.calls.length - 1][0];
}

describe('AnnotationQueryEditor', () => {
  it('narrows the alert history by rule, severity and state, and clears back to all', async () => {
    const last = renderAnnotationEditor({ queryType: 'alert_history' });
    fireEvent.change(screen.getByTestId(ids.rule), { target: { value: 'rule-1' } });
    await pick(ids.severity, 'critical');
    await pick(ids.state, 'firing');
    expect(last()).toEqual({
      refId: 'Anno',
      queryType: 'alert_history',
      alertRule: 'rule-1',
      alertSeverity: 'critical',
      alertState: 'firing',
    });
    await pick(ids.severity, 'All');
    expect(last().alertSeverity).toBeUndefined();
  });
});
