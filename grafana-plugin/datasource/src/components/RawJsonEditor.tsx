import React from 'react';
import { Stack, Text, TextArea } from '@grafana/ui';

import { parseRaw } from './raw-document';
import { selectors } from './selectors';
import { text } from './text';

interface Props {
  value: string;
  onChange: (value: string) => void;
  /** Called on blur when the text is a JSON object, so a broken draft is never sent. */
  onRunQuery: () => void;
}

/** The query document as JSON text, with the parse error shown under it. */
export function RawJsonEditor({ value, onChange, onRunQuery }: Props) {
  const parsed = parseRaw(value);
  return (
    <Stack direction="column" gap={0.5}>
      <TextArea
        data-testid={selectors.queryEditor.rawJson}
        value={value}
        rows={Math.min(24, Math.max(6, value.split('\n').length + 1))}
        invalid={!parsed.ok}
        spellCheck={false}
        style={{ fontFamily: 'monospace' }}
        onChange={(e) => onChange(e.currentTarget.value)}
        onBlur={() => parsed.ok && onRunQuery()}
      />
      {!parsed.ok && (
        <div data-testid={selectors.queryEditor.rawError}>
          <Text color="error" variant="bodySmall">
            {parsed.error === 'not an object' ? text.queryEditor.rawNotObject : text.queryEditor.rawError(parsed.error)}
          </Text>
        </div>
      )}
    </Stack>
  );
}
