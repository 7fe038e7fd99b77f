import React from 'react';
import { InlineField, InlineFieldRow } from '@grafana/ui';

import { LABEL_WIDTH, SectionProps } from './editor-props';
import { PropertiesPicker } from './MetaPicker';
import { NumberField } from './NumberField';
import { selectors } from './selectors';
import { text } from './text';

const ids = selectors.queryEditor;
const t = text.queryEditor;

interface Props extends SectionProps {
  /** The event whose properties are suggested. */
  event?: string;
  /** Most group-by properties the kind takes. */
  max: number;
}

/** Group-by properties and the top-N limit of the grouped kinds (the rest summed into "(other)"). */
export function GroupByLimitRow({ query, meta, onPatch, onRunQuery, event, max }: Props) {
  return (
    <InlineFieldRow>
      <InlineField label={t.groupBy} labelWidth={LABEL_WIDTH}>
        <PropertiesPicker
          meta={meta}
          event={event}
          value={query.group_by}
          max={max}
          onChange={(group_by) => onPatch({ group_by })}
          testId={ids.groupBy}
          placeholder={t.groupByPlaceholder}
        />
      </InlineField>
      <InlineField label={t.limit} labelWidth={LABEL_WIDTH} tooltip={t.limitTooltip}>
        <NumberField
          testId={ids.limit}
          value={query.limit}
          min={1}
          placeholder="10"
          onChange={(limit) => onPatch({ limit }, false)}
          onBlur={onRunQuery}
        />
      </InlineField>
    </InlineFieldRow>
  );
}
