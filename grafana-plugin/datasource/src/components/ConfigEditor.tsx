import React, { ChangeEvent } from 'react';
import { InlineField, Input, SecretInput } from '@grafana/ui';
import { DataSourcePluginOptionsEditorProps } from '@grafana/data';

import { SluiceOptions, SluiceSecureJsonData } from '../types';

type Props = DataSourcePluginOptionsEditorProps<SluiceOptions, SluiceSecureJsonData>;

export function ConfigEditor({ options, onOptionsChange }: Props) {
  const { jsonData, secureJsonFields, secureJsonData } = options;

  const onUrlChange = (event: ChangeEvent<HTMLInputElement>) =>
    onOptionsChange({ ...options, jsonData: { ...jsonData, url: event.target.value } });

  const onReadKeyChange = (event: ChangeEvent<HTMLInputElement>) =>
    onOptionsChange({ ...options, secureJsonData: { readKey: event.target.value } });

  const onResetReadKey = () =>
    onOptionsChange({
      ...options,
      secureJsonFields: { ...secureJsonFields, readKey: false },
      secureJsonData: { ...secureJsonData, readKey: '' },
    });

  return (
    <>
      <InlineField label="Sluice URL" labelWidth={14} tooltip="Base URL of the Sluice query service">
        <Input
          id="config-editor-url"
          onChange={onUrlChange}
          value={jsonData.url ?? ''}
          placeholder="http://sluice:8080"
          width={40}
        />
      </InlineField>
      <InlineField label="Read key" labelWidth={14} tooltip="Kept by Grafana's server and never sent to the browser">
        <SecretInput
          required
          id="config-editor-read-key"
          isConfigured={Boolean(secureJsonFields.readKey)}
          value={secureJsonData?.readKey ?? ''}
          placeholder="slr_..."
          width={40}
          onReset={onResetReadKey}
          onChange={onReadKeyChange}
        />
      </InlineField>
    </>
  );
}
