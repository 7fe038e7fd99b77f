import React from 'react';
import { QueryEditorProps } from '@grafana/data';
import { Combobox, InlineField, Input, Stack } from '@grafana/ui';

import type { DataSource } from '../datasource';
import { SluiceOptions, SluiceQuery, SluiceVariableQuery, VariableTarget } from '../types';
import { toVariableQuery, VariableQuery } from '../variables';
import { EventPicker, PropertyPicker } from './MetaPicker';
import { metaCache } from './meta-cache';
import { NumberField } from './NumberField';
import { selectors } from './selectors';
import { text } from './text';

type Props = QueryEditorProps<DataSource, SluiceQuery, SluiceOptions, VariableQuery>;

const t = text.variableEditor;
const ids = selectors.variableEditor;
const LABEL_WIDTH = 14;

const TARGET_OPTIONS: Array<{ label: string; value: VariableTarget; description: string }> = (
  ['events', 'properties', 'measures', 'values'] as const
).map((value) => ({ value, label: t.targets[value], description: t.targetDescriptions[value] }));

/** The query of a template variable: what it lists, scoped to an event, filtered by a prefix. */
export function VariableQueryEditor({ query: stored, onChange, datasource }: Props) {
  const query = toVariableQuery(stored);
  const meta = metaCache(datasource.api);
  const update = (patch: Partial<SluiceVariableQuery>) => {
    const next: VariableQuery = { ...query, refId: stored?.refId ?? 'SluiceVariable', ...patch };
    if (next.target !== 'values') {
      delete next.property;
    }
    onChange(next);
  };

  return (
    <Stack direction="column" gap={0}>
      <InlineField label={t.target} labelWidth={LABEL_WIDTH}>
        <Combobox
          data-testid={ids.target}
          options={TARGET_OPTIONS}
          value={query.target}
          onChange={(o) => update({ target: o.value })}
          width={30}
        />
      </InlineField>
      {query.target !== 'events' && (
        <InlineField label={t.event} labelWidth={LABEL_WIDTH} tooltip={t.eventTooltip}>
          <EventPicker
            meta={meta}
            value={query.event}
            onChange={(event) => update({ event })}
            testId={ids.event}
            placeholder={t.anyEvent}
          />
        </InlineField>
      )}
      {query.target === 'values' && (
        <InlineField label={t.property} labelWidth={LABEL_WIDTH} tooltip={t.propertyTooltip}>
          <PropertyPicker
            meta={meta}
            event={query.event}
            value={query.property}
            onChange={(property) => update({ property })}
            testId={ids.property}
          />
        </InlineField>
      )}
      <InlineField label={t.prefix} labelWidth={LABEL_WIDTH} tooltip={t.prefixTooltip}>
        <Input
          data-testid={ids.prefix}
          value={query.prefix ?? ''}
          width={30}
          onChange={(e) => update({ prefix: e.currentTarget.value || undefined })}
        />
      </InlineField>
      <InlineField label={t.limit} labelWidth={LABEL_WIDTH} tooltip={t.limitTooltip}>
        <NumberField
          testId={ids.limit}
          value={query.limit}
          min={1}
          max={1000}
          onChange={(limit) => update({ limit })}
        />
      </InlineField>
    </Stack>
  );
}
