import React from 'react';
import { QueryEditorProps } from '@grafana/data';
import { Combobox, InlineField, Input, Stack } from '@grafana/ui';

import { ALERT_HISTORY_QUERY, SluiceQuery } from '../types';
import { NumberField } from './NumberField';
import { selectors } from './selectors';
import { text } from './text';

// What AnnotationSupport's QueryEditor receives; the data source type is not needed here.
type Props = QueryEditorProps<any, SluiceQuery>;

const t = text.annotationEditor;
const ids = selectors.annotationEditor;
const LABEL_WIDTH = 14;

const ANY = '';
const SEVERITY_OPTIONS = [ANY, 'info', 'warning', 'critical'].map((value) => ({ value, label: value || t.any }));
const STATE_OPTIONS = [ANY, 'pending', 'firing', 'resolved', 'acknowledged'].map((value) => ({
  value,
  label: value || t.any,
}));

/** Which alert transitions become annotations: all, or one rule, severity or state. */
export function AnnotationQueryEditor({ query, onChange }: Props) {
  const update = (patch: Partial<SluiceQuery>) =>
    onChange({ ...query, refId: query.refId ?? 'Anno', queryType: ALERT_HISTORY_QUERY, ...patch });

  return (
    <Stack direction="column" gap={0}>
      <InlineField label={t.rule} labelWidth={LABEL_WIDTH} tooltip={t.ruleTooltip}>
        <Input
          data-testid={ids.rule}
          value={query.alertRule ?? ''}
          placeholder={t.anyRule}
          width={40}
          onChange={(e) => update({ alertRule: e.currentTarget.value || undefined })}
        />
      </InlineField>
      <InlineField label={t.severity} labelWidth={LABEL_WIDTH}>
        <Combobox
          data-testid={ids.severity}
          options={SEVERITY_OPTIONS}
          value={query.alertSeverity ?? ANY}
          onChange={(o) => update({ alertSeverity: o.value || undefined })}
          width={20}
        />
      </InlineField>
      <InlineField label={t.state} labelWidth={LABEL_WIDTH} tooltip={t.stateTooltip}>
        <Combobox
          data-testid={ids.state}
          options={STATE_OPTIONS}
          value={query.alertState ?? ANY}
          onChange={(o) => update({ alertState: o.value || undefined })}
          width={20}
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
