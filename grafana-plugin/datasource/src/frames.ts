import { createDataFrame, DataFrame, FieldConfig, FieldType } from '@grafana/data';

import { Column, ColumnType, Compare, Kind, SluiceAnswer } from './types';

const FIELD_TYPES: Record<ColumnType, FieldType> = {
  time: FieldType.time,
  number: FieldType.number,
  string: FieldType.string,
};

const PERIOD_NAMES: Record<Compare, string> = {
  previous_period: 'previous period',
  previous_year: 'previous year',
};

// Prediction intervals as band pairs: the upper field is filled down to its lower field so a
// time-series panel shades the band, and neither edge draws a line of its own.
const BANDS: Record<string, string> = {
  upper_80: 'lower_80',
  upper_95: 'lower_95',
  upper: 'lower',
};
const BAND_EDGES = new Set([...Object.keys(BANDS), ...Object.values(BANDS)]);

export interface FrameOptions {
  refId?: string;
  kind?: Kind;
}

/** The name shown for a column: compare columns say which period they come from. */
export function fieldName(column: string, compare: Compare | undefined): string {
  const period = PERIOD_NAMES[compare ?? 'previous_period'];
  if (column.endsWith('_previous')) {
    return `${column.slice(0, -'_previous'.length)} (${period})`;
  }
  if (column.endsWith('_change')) {
    return `${column.slice(0, -'_change'.length)} change vs ${period}`;
  }
  return column;
}

function toNumber(value: unknown): number | null {
  if (value === null || value === undefined || value === '') {
    return null;
  }
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : null;
}

function toValue(type: ColumnType, value: unknown): unknown {
  if (type === 'string') {
    return value === null || value === undefined ? null : String(value);
  }
  return toNumber(value);
}

function fieldConfig(column: Column, kind: Kind | undefined): FieldConfig {
  if (kind !== 'forecast' && kind !== 'anomalies') {
    return {};
  }
  if (column.name in BANDS) {
    return { custom: { fillBelowTo: BANDS[column.name], lineWidth: 0, fillOpacity: 20 } };
  }
  if (BAND_EDGES.has(column.name)) {
    return { custom: { lineWidth: 0 } };
  }
  return {};
}

/** Converts one Sluice answer into one Grafana data frame, column for column. */
export function answerToFrame(answer: SluiceAnswer, options: FrameOptions = {}): DataFrame {
  const compare = answer.meta?.compare?.kind;
  const fields = answer.columns.map((column, index) => ({
    name: fieldName(column.name, compare),
    type: FIELD_TYPES[column.type] ?? FieldType.other,
    values: answer.rows.map((row) => toValue(column.type, row[index])),
    config: fieldConfig(column, options.kind),
  }));
  return createDataFrame({
    refId: options.refId,
    fields,
    meta: {
      custom: answer.meta,
      preferredVisualisationType: options.kind === 'events' ? 'table' : undefined,
    },
  });
}
