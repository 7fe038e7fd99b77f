import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';

import { ConfigEditor } from './ConfigEditor';
import { selectors } from './selectors';
import { text } from './text';

const ids = selectors.configEditor;

function renderConfig(overrides: Record<string, unknown> = {}) {
  const onOptionsChange = jest.fn();
  const options = {
    jsonData: { url: 'http://sluice:8081' },
    secureJsonFields: {},
    secureJsonData: {},
    ...overrides,
  } as never;
  render(<ConfigEditor options={options} onOptionsChange={onOptionsChange} />);
  return onOptionsChange;
}

describe('ConfigEditor', () => {
  it("says the URL is reached by Grafana's server and the key never reaches the browser", () => {
    renderConfig();
    expect(screen.getByText(text.configEditor.urlDescription)).toBeInTheDocument();
    expect(screen.getByText(text.configEditor.readKeyDescription)).toBeInTheDocument();
    expect(screen.getByTestId(ids.url)).toHaveValue('http://sluice:8081');
  });

  it('stores the URL in jsonData and the key in secureJsonData', () => {
    const onOptionsChange = renderConfig();
    fireEvent.change(screen.getByTestId(ids.url), { target: { value: ' http://other:8081 ' } });
    expect(onOptionsChange).toHaveBeenLastCalledWith(
      expect.objectContaining({ jsonData: { url: 'http://other:8081' } })
    );
    fireEvent.change(screen.getByTestId(ids.readKey), { target: { value: 'slr_abc' } });
    expect(onOptionsChange).toHaveBeenLastCalledWith(
      expect.objectContaining({ secureJsonData: { readKey: 'slr_abc' } })
    );
  });

  it('shows a stored key as configured and resets it', () => {
    const onOptionsChange = renderConfig({ secureJsonFields: { readKey: true } });
    fireEvent.click(screen.getByRole('button', { name: /reset/i }));
    expect(onOptionsChange).toHaveBeenLastCalledWith(
      expect.objectContaining({ secureJsonFields: { readKey: false }, secureJsonData: { readKey: '' } })
    );
  });
});
