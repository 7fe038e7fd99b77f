import { ScopedVars } from '@grafana/data';
import { TemplateSrv } from '@grafana/runtime';

import { Filter, FilterOp, FunnelStep, Scalar, SluiceQuery } from './types';

/**
 * Template variables in a panel query, field by field. A variable may stand for several values
 * (multi-value or "All"): where the DSL takes a list (filter values, group_by, properties,
 * aggregations) it becomes the list, elsewhere its first value. An explicit format in the
 * query (`${var:csv}`) is Grafana's to apply and is kept as one text.
 */
export interface Interpolator {
  /** The text with every variable replaced, a multi-value variable by its first value. */
  text(value: string): string;
  /** The values a text stands for: the list when it is just one multi-value variable. */
  list(value: string): string[];
}

const MAYBE_TEMPLATE = /\$|\[\[/;
// Private-use code points: cannot occur in a variable's value typed by a person.
const MARK = '\uE000';
const MARK_RE = new RegExp(`${MARK}(\\d+)${MARK}`, 'g');

export function createInterpolator(templateSrv: TemplateSrv, scopedVars: ScopedVars = {}): Interpolator {
  function expand(value: string): { whole?: string[]; text: string } {
    if (!MAYBE_TEMPLATE.test(value)) {
      return { text: value };
    }
    const lists: string[][] = [];
    // The format function sees a multi-value variable's values as an array: keep them aside
    // and leave a placeholder, to tell "the whole text is one list" from "a list inside text".
    const replaced = templateSrv.replace(value, scopedVars, (v: unknown) => {
      if (Array.isArray(v)) {
        lists.push(v.map(String));
        return `${MARK}${lists.length - 1}${MARK}`;
      }
      return v === undefined || v === null ? '' : String(v);
    });
    const only = replaced.match(new RegExp(`^${MARK}(\\d+)${MARK}$`));
    const text = replaced.replace(MARK_RE, (_, i: string) => lists[Number(i)][0] ?? '');
    return only ? { whole: lists[Number(only[1])], text } : { text };
  }
  return {
    text: (value) => expand(value).text,
    list: (value) => {
      const { whole, text } = expand(value);
      return whole ?? [text];
    },
  };
}

const NUMERIC_OPS: ReadonlySet<FilterOp> = new Set<FilterOp>(['gt', 'gte', 'lt', 'lte']);
const NUMBER_TEXT = /^\s*-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

/** A value as the op wants it: `gt`..`lte` compare numbers only when sent a JSON number. */
function typed(op: FilterOp, text: string): Scalar {
  if (NUMERIC_OPS.has(op) && NUMBER_TEXT.test(text)) {
    return Number(text);
  }
  if (op === 'exists' && (text === 'true' || text === 'false')) {
    return text === 'true';
  }
  return text;
}

function values(value: Scalar | Scalar[], op: FilterOp, ip: Interpolator): Scalar[] {
  const items = Array.isArray(value) ? value : [value];
  return items.flatMap((item) => (typeof item === 'string' ? ip.list(item).map((v) => typed(op, v)) : [item]));
}

/** One filter: eq/neq on a multi-value variable become in/not_in with its values. */
export function interpolateFilter(filter: Filter, ip: Interpolator): Filter {
  const property = ip.text(filter.property);
  if (filter.value === undefined) {
    return { ...filter, property };
  }
  const list = values(filter.value, filter.op, ip);
  if (filter.op === 'in' || filter.op === 'not_in') {
    return { ...filter, property, value: list };
  }
  if ((filter.op === 'eq' || filter.op === 'neq') && !Array.isArray(filter.value) && list.length !== 1) {
    return { ...filter, property, op: filter.op === 'eq' ? 'in' : 'not_in', value: list };
  }
  if (typeof filter.value === 'string') {
    return { ...filter, property, value: typed(filter.op, ip.text(filter.value)) };
  }
  return { ...filter, property, value: Array.isArray(filter.value) ? list : filter.value };
}

const unique = (items: string[]) => [...new Set(items.filter((item) => item !== ''))];
const lists = (items: string[], ip: Interpolator) => unique(items.flatMap((item) => ip.list(item)));

function numberOf(value: unknown, ip: Interpolator): unknown {
  if (typeof value !== 'string') {
    return value;
  }
  const text = ip.text(value);
  return NUMBER_TEXT.test(text) ? Number(text) : text;
}

const TEXT_FIELDS = ['event', 'measure', 'start_event', 'return_event', 'window', 'compare', 'period'] as const;
const NUMBER_FIELDS = ['limit', 'periods', 'horizon'] as const;
const LIST_FIELDS = ['group_by', 'properties', 'aggregations'] as const;

/**
 * A DSL-shaped object (a panel query, or a raw JSON document) with its variables replaced.
 * Fields it does not know are left as they are, except text anywhere in them.
 */
function interpolateFields<T extends Record<string, unknown>>(source: T, ip: Interpolator, deep: boolean): T {
  const out: Record<string, unknown> = { ...source };
  for (const field of TEXT_FIELDS) {
    if (typeof out[field] === 'string') {
      out[field] = ip.text(out[field] as string);
    }
  }
  for (const field of NUMBER_FIELDS) {
    out[field] = numberOf(out[field], ip);
    if (out[field] === undefined) {
      delete out[field];
    }
  }
  for (const field of LIST_FIELDS) {
    if (Array.isArray(out[field])) {
      out[field] = lists((out[field] as unknown[]).map(String), ip);
    }
  }
  if (Array.isArray(out.filters)) {
    out.filters = (out.filters as Filter[]).map((f) => interpolateFilter(f, ip));
  }
  if (Array.isArray(out.steps)) {
    out.steps = (out.steps as FunnelStep[]).map((step) => ({
      ...step,
      event: typeof step.event === 'string' ? ip.text(step.event) : step.event,
      ...(step.filters ? { filters: step.filters.map((f) => interpolateFilter(f, ip)) } : {}),
    }));
  }
  if (deep) {
    const known = new Set<string>([...TEXT_FIELDS, ...NUMBER_FIELDS, ...LIST_FIELDS, 'filters', 'steps']);
    for (const [key, value] of Object.entries(out)) {
      if (!known.has(key)) {
        out[key] = deepText(value, ip);
      }
    }
  }
  return out as T;
}

function deepText(value: unknown, ip: Interpolator): unknown {
  if (typeof value === 'string') {
    return ip.text(value);
  }
  if (Array.isArray(value)) {
    return value.map((v) => deepText(v, ip));
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deepText(v, ip)]));
  }
  return value;
}

/**
 * Raw JSON: parsed and replaced field by field like a builder query, so `"$country"` in a
 * filter value becomes a list where it should. Text that is not JSON until its variables are
 * replaced (`"value": $min`) is replaced as text, a multi-value variable as a JSON array.
 */
export function interpolateRawJson(
  rawJson: string,
  ip: Interpolator,
  templateSrv: TemplateSrv,
  scopedVars: ScopedVars
): string {
  try {
    const parsed: unknown = JSON.parse(rawJson);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      return JSON.stringify(interpolateFields(parsed as Record<string, unknown>, ip, true), null, 2);
    }
  } catch {
    // not JSON before replacing: replace as text below
  }
  return templateSrv.replace(rawJson, scopedVars, (v: unknown) =>
    Array.isArray(v) ? JSON.stringify(v) : JSON.stringify(String(v ?? '')).slice(1, -1)
  );
}

/** Every variable in a panel query replaced (the query itself is left untouched). */
export function interpolateQuery(
  query: SluiceQuery,
  templateSrv: TemplateSrv,
  scopedVars: ScopedVars = {}
): SluiceQuery {
  const ip = createInterpolator(templateSrv, scopedVars);
  const out = interpolateFields(query as unknown as Record<string, unknown>, ip, false) as unknown as SluiceQuery;
  if (typeof out.interval === 'string' && out.interval !== 'auto') {
    out.interval = ip.text(out.interval) as SluiceQuery['interval'];
  }
  for (const field of ['alertRule', 'alertSeverity', 'alertState'] as const) {
    const value = out[field];
    if (typeof value === 'string') {
      out[field] = ip.text(value);
    }
  }
  if (typeof out.rawJson === 'string' && out.rawJson !== '') {
    out.rawJson = interpolateRawJson(out.rawJson, ip, templateSrv, scopedVars);
  }
  return out;
}
