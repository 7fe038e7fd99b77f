import React, { ChangeEvent } from 'react';
import { Combobox, InlineField, Input, Stack, TextArea } from '@grafana/ui';
import { QueryEditorProps } from '@grafana/data';

import { DataSource } from '../datasource';
import { Kind, KINDS, SluiceOptions, SluiceQuery } from '../types';

type Props = QueryEditorProps<DataSource, SluiceQuery, SluiceOptions>;

const KIND_OPTIONS = KINDS.map((kind) => ({ label: kind, value: kind }));

// A first editor: the kind, the event and a raw JSON mode. The per-kind builder comes next.
export function QueryEditor({ query, onChange, onRunQuery }: Props) {
  const onKindChange = (kind: Kind) => {
    onChange({ ...query, kind });
    onRunQuery();
  };
  const onEventChange = (event: ChangeEvent<HTMLInputElement>) => onChange({ ...query, event: event.target.value });
  const onRawChange = (event: ChangeEvent<HTMLTextAreaElement>) =>
    onChange({ ...query, rawMode: event.target.value.trim() !== '', rawJson: event.target.value });

  return (
    <Stack direction="column" gap={1}>
      <Stack gap={0}>
        <InlineField label="Kind" labelWidth={10}>
          <Combobox
            id="query-editor-kind"
            options={KIND_OPTIONS}
            value={query.kind}
            onChange={(option) => onKindChange(option.value)}
            width={20}
          />
        </InlineField>
        <InlineField label="Event" labelWidth={10}>
          <Input id="query-editor-event" value={query.event ?? ''} onChange={onEventChange} onBlur={onRunQuery} />
        </InlineField>
      </Stack>
      <InlineField label="Raw JSON" labelWidth={10} grow tooltip="When filled, sent as the query document">
        <TextArea
          id="query-editor-raw"
          value={query.rawJson ?? ''}
          onChange={onRawChange}
          onBlur={onRunQuery}
          rows={4}
        />
      </InlineField>
    </Stack>
  );
}
