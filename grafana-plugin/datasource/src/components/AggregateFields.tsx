import React from 'react';
import { Combobox, InlineField, InlineFieldRow, MultiCombobox } from '@grafana/ui';

import { Aggregation, AGGREGATIONS, Compare, IntervalChoice, INTERVALS } from '../types';
import { LABEL_WIDTH, SectionProps } from './editor-props';
import { COMPARE_KINDS, INTERVAL_KINDS, maxGroupBy, SINGLE_AGGREGATION } from './kind-rules';
import { GroupByLimitRow } from './GroupByLimitRow';
import { EventPicker, PropertyPicker } from './MetaPicker';
import { NumberField } from './NumberField';
import { QueryFiltersField } from './QueryFiltersField';
import { selectors } from './selectors';
import { text } from './text';

const ids = selectors.queryEditor;
const t = text.queryEditor;

const AGGREGATION_OPTIONS = AGGREGATIONS.map((a) => ({ label: a, value: a }));
const COMPARE_OPTIONS: Array<{ label: string; value: Compare | 'none' }> = [
  { label: t.compareNone, value: 'none' },
  { label: t.comparePreviousPeriod, value: 'previous_period' },
  { label: t.comparePreviousYear, value: 'previous_year' },
];

/** Fields of the aggregate kinds: timeseries, breakdown, percentiles, forecast, anomalies. */
export function AggregateFields({ query, meta, onPatch, onRunQuery }: SectionProps) {
  const { kind } = query;
  const groups = maxGroupBy(kind);
  const intervalOptions: Array<{ label: string; value: IntervalChoice }> = [
    { label: kind === 'percentiles' ? t.intervalNone : t.intervalAuto, value: 'auto' },
    ...INTERVALS.map((i) => ({ label: i, value: i })),
  ];

  return (
    <>
      <InlineFieldRow>
        <InlineField label={t.event} labelWidth={LABEL_WIDTH}>
          <EventPicker meta={meta} value={query.event} onChange={(event) => onPatch({ event })} testId={ids.event} />
        </InlineField>
        <InlineField label={t.measure} labelWidth={LABEL_WIDTH}>
          <PropertyPicker
            meta={meta}
            event={query.event}
            measures
            value={query.measure}
            onChange={(measure) => onPatch({ measure })}
            testId={ids.measure}
            placeholder={t.measurePlaceholder}
          />
        </InlineField>
      </InlineFieldRow>
      <InlineFieldRow>
        {SINGLE_AGGREGATION.has(kind) ? (
          <InlineField label={t.aggregation} labelWidth={LABEL_WIDTH}>
            <Combobox
              data-testid={ids.aggregations}
              options={AGGREGATION_OPTIONS}
              value={query.aggregations?.[0] ?? 'count'}
              onChange={(o) => onPatch({ aggregations: [o.value as Aggregation] })}
              width={20}
            />
          </InlineField>
        ) : (
          <InlineField label={t.aggregations} labelWidth={LABEL_WIDTH}>
            <MultiCombobox
              data-testid={ids.aggregations}
              options={AGGREGATION_OPTIONS}
              value={query.aggregations ?? []}
              onChange={(options) => onPatch({ aggregations: options.map((o) => o.value as Aggregation) })}
              placeholder={kind === 'percentiles' ? 'p50, p75, p90, p95, p99' : 'count'}
              width={40}
            />
          </InlineField>
        )}
        {INTERVAL_KINDS.has(kind) && (
          <InlineField label={t.interval} labelWidth={LABEL_WIDTH}>
            <Combobox
              data-testid={ids.interval}
              options={intervalOptions}
              value={query.interval ?? 'auto'}
              onChange={(o) => onPatch({ interval: o.value as IntervalChoice })}
              width={22}
            />
          </InlineField>
        )}
        {COMPARE_KINDS.has(kind) && (
          <InlineField label={t.compare} labelWidth={LABEL_WIDTH}>
            <Combobox
              data-testid={ids.compare}
              options={COMPARE_OPTIONS}
              value={query.compare ?? 'none'}
              onChange={(o) => onPatch({ compare: o.value === 'none' ? undefined : (o.value as Compare) })}
              width={20}
            />
          </InlineField>
        )}
        {kind === 'forecast' && (
          <InlineField label={t.horizon} labelWidth={LABEL_WIDTH} tooltip={t.horizonTooltip}>
            <NumberField
              testId={ids.horizon}
              value={query.horizon}
              min={1}
              max={1000}
              placeholder="24"
              onChange={(horizon) => onPatch({ horizon }, false)}
              onBlur={onRunQuery}
            />
          </InlineField>
        )}
      </InlineFieldRow>
      {groups > 0 && (
        <GroupByLimitRow
          query={query}
          meta={meta}
          onPatch={onPatch}
          onRunQuery={onRunQuery}
          event={query.event}
          max={groups}
        />
      )}
      <QueryFiltersField meta={meta} event={query.event} filters={query.filters} onPatch={onPatch} />
    </>
  );
}
