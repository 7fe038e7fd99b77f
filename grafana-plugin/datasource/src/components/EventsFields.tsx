import React from 'react';
import { InlineField, InlineFieldRow } from '@grafana/ui';

import { LABEL_WIDTH, SectionProps } from './editor-props';
import { EventPicker, PropertiesPicker } from './MetaPicker';
import { NumberField } from './NumberField';
import { QueryFiltersField } from './QueryFiltersField';
import { selectors } from './selectors';
import { text } from './text';

const ids = selectors.queryEditor;
const t = text.queryEditor;

/** Fields of kind events: raw events, newest first, with chosen properties as columns. */
export function EventsFields({ query, meta, onPatch, onRunQuery }: SectionProps) {
  return (
    <>
      <InlineFieldRow>
        <InlineField label={t.event} labelWidth={LABEL_WIDTH}>
          <EventPicker
            meta={meta}
            value={query.event}
            onChange={(event) => onPatch({ event })}
            testId={ids.event}
            placeholder={t.eventOptional}
          />
        </InlineField>
        <InlineField label={t.rowsLimit} labelWidth={LABEL_WIDTH} tooltip={t.rowsTooltip}>
          <NumberField
            testId={ids.limit}
            value={query.limit}
            min={1}
            max={1000}
            placeholder="100"
            onChange={(limit) => onPatch({ limit }, false)}
            onBlur={onRunQuery}
          />
        </InlineField>
      </InlineFieldRow>
      <InlineField label={t.properties} labelWidth={LABEL_WIDTH}>
        <PropertiesPicker
          meta={meta}
          event={query.event}
          value={query.properties}
          onChange={(properties) => onPatch({ properties })}
          testId={ids.properties}
          placeholder={t.propertiesPlaceholder}
          width={60}
        />
      </InlineField>
      <QueryFiltersField meta={meta} event={query.event} filters={query.filters} onPatch={onPatch} />
    </>
  );
}
