import React, { ChangeEvent } from 'react';
import { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { Field, FieldSet, Input, SecretInput } from '@grafana/ui';

import { SluiceOptions, SluiceSecureJsonData } from '../types';
import { selectors } from './selectors';
import { text } from './text';

type Props = DataSourcePluginOptionsEditorProps<SluiceOptions, SluiceSecureJsonData>;

const t = text.configEditor;
const ids = selectors.configEditor;

export function ConfigEditor({ options, onOptionsChange }: Props) {
  const { jsonData, secureJsonFields, secureJsonData } = options;

  const onUrlChange = (event: ChangeEvent<HTMLInputElement>) =>
    onOptionsChange({ ...options, jsonData: { ...jsonData, url: event.target.value.trim() } });

  const onReadKeyChange = (event: ChangeEvent<HTMLInputElement>) =>
    onOptionsChange({ ...options, secureJsonData: { ...secureJsonData, readKey: event.target.value } });

  const onResetReadKey = () =>
    onOptionsChange({
      ...options,
      secureJsonFields: { ...secureJsonFields, readKey: false },
      secureJsonData: { ...secureJsonData, readKey: '' },
    });

  return (
    <>
      <FieldSet label={t.connection}>
        <Field label={t.url} description={t.urlDescription} required>
          <Input
            id="config-editor-url"
            data-testid={ids.url}
            onChange={onUrlChange}
            value={jsonData.url ?? ''}
            placeholder={t.urlPlaceholder}
            width={50}
          />
        </Field>
      </FieldSet>
      <FieldSet label={t.authentication}>
        <Field label={t.readKey} description={t.readKeyDescription} required>
          <SecretInput
            id="config-editor-read-key"
            data-testid={ids.readKey}
            isConfigured={Boolean(secureJsonFields?.readKey)}
            value={secureJsonData?.readKey ?? ''}
            placeholder={t.readKeyPlaceholder}
            width={50}
            onReset={onResetReadKey}
            onChange={onReadKeyChange}
          />
        </Field>
      </FieldSet>
    </>
  );
}
