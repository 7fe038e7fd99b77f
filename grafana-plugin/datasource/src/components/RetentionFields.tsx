import React from 'react';
import { InlineField, InlineFieldRow, RadioButtonGroup } from '@grafana/ui';

import { LABEL_WIDTH, SectionProps } from './editor-props';
import { EventPicker } from './MetaPicker';
import { NumberField } from './NumberField';
import { QueryFiltersField } from './QueryFiltersField';
import { selectors } from './selectors';
import { text } from './text';

const ids = selectors.queryEditor;
const t = text.queryEditor;

const PERIODS = [
  { label: t.periodDay, value: 'day' as const },
  { label: t.periodWeek, value: 'week' as const },
];

/** Fields of kind retention: cohorts by a start event, returns by a return event. */
export function RetentionFields({ query, meta, onPatch, onRunQuery }: SectionProps) {
  const period = query.period ?? 'day';
  return (
    <>
      <InlineFieldRow>
        <InlineField label={t.startEvent} labelWidth={LABEL_WIDTH}>
          <EventPicker
            meta={meta}
            value={query.start_event}
            onChange={(start_event) => onPatch({ start_event })}
            testId={ids.startEvent}
          />
        </InlineField>
        <InlineField label={t.returnEvent} labelWidth={LABEL_WIDTH}>
          <EventPicker
            meta={meta}
            value={query.return_event}
            onChange={(return_event) => onPatch({ return_event })}
            testId={ids.returnEvent}
          />
        </InlineField>
      </InlineFieldRow>
      <InlineFieldRow>
        <InlineField label={t.period} labelWidth={LABEL_WIDTH}>
          <div data-testid={ids.period}>
            <RadioButtonGroup options={PERIODS} value={period} onChange={(p) => onPatch({ period: p })} />
          </div>
        </InlineField>
        <InlineField label={t.periods} labelWidth={LABEL_WIDTH} tooltip={t.periodsTooltip}>
          <NumberField
            testId={ids.periods}
            value={query.periods}
            min={1}
            max={90}
            placeholder={period === 'week' ? '8' : '7'}
            onChange={(periods) => onPatch({ periods }, false)}
            onBlur={onRunQuery}
          />
        </InlineField>
      </InlineFieldRow>
      <QueryFiltersField meta={meta} event={query.start_event} filters={query.filters} onPatch={onPatch} />
    </>
  );
}
