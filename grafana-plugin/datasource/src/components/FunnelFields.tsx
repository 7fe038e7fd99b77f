import React from 'react';
import { Combobox, InlineField, InlineFieldRow, InlineSwitch } from '@grafana/ui';

import { FunnelStep } from '../types';
import { LABEL_WIDTH, SectionProps } from './editor-props';
import { allComplete } from './filter-values';
import { FunnelStepsEditor } from './FunnelStepsEditor';
import { GroupByLimitRow } from './GroupByLimitRow';
import { maxGroupBy, MIN_STEPS } from './kind-rules';
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
      <GroupByLimitRow
        query={query}
        meta={meta}
        onPatch={onPatch}
        onRunQuery={onRunQuery}
        event={steps[0]?.event}
        max={maxGroupBy('funnel')}
      />
    </>
  );
}
