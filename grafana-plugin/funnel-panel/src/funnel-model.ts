import { DataFrame, Field, FieldColorModeId, FieldType } from '@grafana/data';

/** The numbers of one bar: a step of the whole funnel or of one group. */
export interface StepValues {
  users: number;
  /** Fraction 0..1 of the first step's users; 1 for the first step. */
  conversionFromFirst: number;
  /** Fraction 0..1 of the previous step's users; null for the first step. */
  conversionFromPrevious: number | null;
  /** Users lost since the previous step; null for the first step. */
  dropOff: number | null;
  /** Fraction 0..1 of the previous step's users lost; null for the first step. */
  dropOffRate: number | null;
  /** Median time from the previous step; null for the first step or when unknown. */
  medianTimeMs: number | null;
}

export interface FunnelStep {
  /** 1-based. */
  step: number;
  event: string;
  /** All groups together (the only bar without a breakdown). */
  total: StepValues;
  /** One entry per shown group, in the order of `FunnelModel.groups`. */
  groups: StepValues[];
}

export interface FunnelModel {
  steps: FunnelStep[];
  /** Names of the breakdown fields (empty without a breakdown). */
  groupFields: string[];
  /** Shown groups, the largest by first-step users first and "(other)" last. */
  groups: string[];
  /** Groups left out by the `maxGroups` option (still counted in the totals). */
  hiddenGroups: number;
  /** The users field's fixed colour, when the source or a transformation gives it one. */
  fieldColor?: string;
}

export type FunnelResult =
  | { status: 'ok'; model: FunnelModel }
  | { status: 'no-data' }
  | { status: 'not-funnel'; expected: string[]; found: string[] }
  | { status: 'too-few-steps'; steps: number };

/** The fields of a Sluice funnel answer (docs/api.md § funnel), in column order. */
export const FUNNEL_FIELDS = [
  'step',
  'event',
  'users',
  'conversion_from_first',
  'conversion_from_previous',
  'median_time_to_convert_ms',
];

const OTHER_GROUP = '(other)';
const NUMERIC_NAMES = new Set([
  'step',
  'conversion_from_first',
  'conversion_from_previous',
  'median_time_to_convert_ms',
]);
const EVENT_NAMES = ['event', 'step_name'];
// Breakdowns of two properties have two leading group fields (docs/api.md § funnel)
const MAX_GROUP_FIELDS = 2;

interface FunnelFields {
  users: Field;
  step?: Field;
  event?: Field;
  groups: Field[];
  conversionFromFirst?: Field;
  conversionFromPrevious?: Field;
  median?: Field;
}

interface Row {
  step: number;
  event: string;
  users: number;
  conversionFromFirst: number | null;
  conversionFromPrevious: number | null;
  medianTimeMs: number | null;
}

function named(frame: DataFrame, names: string[], type: FieldType): Field | undefined {
  return frame.fields.find((f) => f.type === type && names.includes(f.name.toLowerCase()));
}

/** Finds the funnel's fields by name, falling back to field types for other sources. */
function detectFields(frame: DataFrame): FunnelFields | undefined {
  const numbers = frame.fields.filter((f) => f.type === FieldType.number);
  const strings = frame.fields.filter((f) => f.type === FieldType.string);
  const users =
    named(frame, ['users'], FieldType.number) ?? numbers.find((f) => !NUMERIC_NAMES.has(f.name.toLowerCase()));
  const step = named(frame, ['step'], FieldType.number);
  // Without a field named like the event, the last string field names the step and the ones
  // before it are the breakdown
  const event = named(frame, EVENT_NAMES, FieldType.string) ?? strings[strings.length - 1];
  if (!users || (!event && !step)) {
    return undefined;
  }
  return {
    users,
    step,
    event,
    groups: strings.filter((f) => f !== event).slice(0, MAX_GROUP_FIELDS),
    conversionFromFirst: named(frame, ['conversion_from_first'], FieldType.number),
    conversionFromPrevious: named(frame, ['conversion_from_previous'], FieldType.number),
    median: named(frame, ['median_time_to_convert_ms'], FieldType.number),
  };
}

function num(field: Field | undefined, row: number): number | null {
  const v = field?.values[row];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function groupKey(fields: Field[], row: number): string {
  return fields.map((f) => String(f.values[row] ?? '(none)')).join(' / ');
}

/** Rows per group key, each group's rows in step order. */
function readRows(frame: DataFrame, fields: FunnelFields): Map<string, Row[]> {
  const byGroup = new Map<string, Row[]>();
  for (let i = 0; i < frame.length; i++) {
    const key = groupKey(fields.groups, i);
    const rows = byGroup.get(key) ?? [];
    byGroup.set(key, rows);
    const step = num(fields.step, i) ?? rows.length + 1;
    const event = fields.event?.values[i];
    rows.push({
      step,
      event: event === null || event === undefined ? `Step ${step}` : String(event),
      users: num(fields.users, i) ?? 0,
      conversionFromFirst: num(fields.conversionFromFirst, i),
      conversionFromPrevious: num(fields.conversionFromPrevious, i),
      medianTimeMs: num(fields.median, i),
    });
  }
  for (const rows of byGroup.values()) {
    rows.sort((a, b) => a.step - b.step);
  }
  return byGroup;
}

/** Fills in what the source left out: conversions from users, drop-offs, no median for step 1. */
function stepValues(rows: Array<Row | undefined>): StepValues[] {
  const first = rows[0]?.users ?? 0;
  return rows.map((row, i) => {
    const users = row?.users ?? 0;
    const fromFirst = row?.conversionFromFirst ?? (first > 0 ? users / first : 0);
    if (i === 0) {
      return {
        users,
        conversionFromFirst: fromFirst,
        conversionFromPrevious: null,
        dropOff: null,
        dropOffRate: null,
        medianTimeMs: null,
      };
    }
    const previous = rows[i - 1]?.users ?? 0;
    const fromPrevious = row?.conversionFromPrevious ?? (previous > 0 ? users / previous : 0);
    return {
      users,
      conversionFromFirst: fromFirst,
      conversionFromPrevious: fromPrevious,
      dropOff: previous - users,
      // The complement of the conversion shown next to it, so the two always add up to 100%
      dropOffRate: previous > 0 ? 1 - fromPrevious : 0,
      medianTimeMs: row?.medianTimeMs ?? null,
    };
  });
}

function orderGroups(byGroup: Map<string, Row[]>, stepNumbers: number[]): string[] {
  const firstUsers = (key: string) => byGroup.get(key)?.find((r) => r.step === stepNumbers[0])?.users ?? 0;
  return [...byGroup.keys()].sort((a, b) => {
    if ((a === OTHER_GROUP) !== (b === OTHER_GROUP)) {
      return a === OTHER_GROUP ? 1 : -1;
    }
    return firstUsers(b) - firstUsers(a) || a.localeCompare(b);
  });
}

function fixedColor(field: Field): string | undefined {
  const color = field.config.color;
  return color?.mode === FieldColorModeId.Fixed ? color.fixedColor : undefined;
}

function describeFields(frame: DataFrame): string[] {
  return frame.fields.map((f) => `${f.name} (${f.type})`);
}

/** Turns the query's frames into a funnel: steps, groups, conversions and drop-offs. */
export function buildFunnel(series: DataFrame[], maxGroups = Infinity): FunnelResult {
  const frames = series.filter((f) => f.length > 0);
  if (frames.length === 0) {
    return { status: 'no-data' };
  }
  const frame = frames.find((f) => detectFields(f));
  const fields = frame && detectFields(frame);
  if (!frame || !fields) {
    return { status: 'not-funnel', expected: FUNNEL_FIELDS, found: describeFields(frames[0]) };
  }
  const byGroup = readRows(frame, fields);
  const eventOf = new Map<number, string>();
  for (const rows of byGroup.values()) {
    rows.forEach((r) => eventOf.has(r.step) || eventOf.set(r.step, r.event));
  }
  const stepNumbers = [...eventOf.keys()].sort((a, b) => a - b);
  if (stepNumbers.length < 2) {
    return { status: 'too-few-steps', steps: stepNumbers.length };
  }

  const grouped = fields.groups.length > 0;
  const ordered = grouped ? orderGroups(byGroup, stepNumbers) : [];
  const shown = ordered.slice(0, Math.max(1, maxGroups));
  const alignedRows = (key: string) => stepNumbers.map((s) => byGroup.get(key)?.find((r) => r.step === s));
  const groupValues = new Map(ordered.map((key) => [key, stepValues(alignedRows(key))]));

  let totals: StepValues[];
  if (grouped) {
    // Medians do not add up across groups, so the total has none
    const summed = stepNumbers.map((step, i) => ({
      step,
      event: eventOf.get(step) ?? '',
      users: ordered.reduce((sum, key) => sum + (groupValues.get(key)?.[i].users ?? 0), 0),
      conversionFromFirst: null,
      conversionFromPrevious: null,
      medianTimeMs: null,
    }));
    totals = stepValues(summed);
  } else {
    totals = stepValues(alignedRows(''));
  }

  return {
    status: 'ok',
    model: {
      steps: stepNumbers.map((step, i) => ({
        step,
        event: eventOf.get(step) ?? `Step ${step}`,
        total: totals[i],
        groups: shown.map((key) => groupValues.get(key)![i]),
      })),
      groupFields: fields.groups.map((f) => f.name),
      groups: shown,
      hiddenGroups: ordered.length - shown.length,
      fieldColor: fixedColor(fields.users),
    },
  };
}
