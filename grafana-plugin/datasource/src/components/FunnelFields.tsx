import React from 'react';
import { Combobox, InlineField, InlineFieldRow, InlineSwitch } from '@grafana/ui';

import { FunnelStep } from '../types';
import { LABEL_WIDTH, SectionProps } from './editor-props';
import { allComplete } from './filter-values';
import { FunnelStepsEditor } from './FunnelStepsEditor';
import { maxGroupBy, MIN_STEPS } from './kind-rules';
import { PropertiesPicker } from './MetaPicker';
import { NumberField } from './NumberField';
import { selectors } from './selectors';
import { text } from './text';

const ids = selectors.queryEditor;
const t = text.queryEditor;

const WINDOWS = ['5m', '30m', '1h', '6h', '1d', '7d', '30d'].map((w) => ({ label: w, value: w }));

const stepsComplete = (steps: FunnelStep[]) =>
  steps.length >= MIN_STEPS && steps.every((s) => s.event && allComplete(s.filters));

/** Fields of kind funnel: steps, window, strict order, group by (a property of the first step). */
export function FunnelFields({ query, meta, onPatch, onRunQuery }: SectionProps) {
  const steps = query.steps ?? [];
  return (
    <>
      <InlineField label={t.steps} labelWidth={LABEL_WIDTH} grow>
        <FunnelStepsEditor
          meta={meta}
          steps={steps}
          isComplete={stepsComplete}
          onChange={(next, run) => onPatch({ steps: next }, run)}
        />
      </InlineField>
      <InlineFieldRow>
        <InlineField label={t.window} labelWidth={LABEL_WIDTH} tooltip={t.windowTooltip}>
          <Combobox
            data-testid={ids.window}
            options={WINDOWS}
            value={query.window ?? '1d'}
            createCustomValue
            onChange={(o) => onPatch({ window: o.value })}
            width={14}
          />
        </InlineField>
        <InlineField label={t.strictOrder} labelWidth={LABEL_WIDTH} tooltip={t.strictOrderTooltip}>
          <InlineSwitch
            data-testid={ids.strictOrder}
            value={query.strict_order ?? false}
            onChange={(e) => onPatch({ strict_order: e.currentTarget.checked || undefined })}
          />
        </InlineField>
      </InlineFieldRow>
      <InlineFieldRow>
        <InlineField label={t.groupBy} labelWidth={LABEL_WIDTH}>
          <PropertiesPicker
            meta={meta}
            event={steps[0]?.event}
            value={query.group_by}
            max={maxGroupBy('funnel')}
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
    </>
  );
}
