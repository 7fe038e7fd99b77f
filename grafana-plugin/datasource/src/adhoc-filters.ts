import { AdHocVariableFilter } from '@grafana/data';

import { Filter, Scalar, SluiceQuery } from './types';

export type AdhocResult = { ok: true; filter: Filter } | { ok: false; error: string };

const NUMBER_TEXT = /^\s*-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;
const asNumber = (text: string): Scalar => (NUMBER_TEXT.test(text) ? Number(text) : text);

// Grafana's ad-hoc regexes are anchored (as in Prometheus): `a|b` means exactly a or b.
const REGEX_META = /[\\^$.*+?()[\]{}|]/;
const CONTAINS = /^\.\*((?:[^\\^$.*+?()[\]{}|]|\\.)+)\.\*$/;

const unescape = (text: string) => text.replace(/\\(.)/g, '$1');

/** The literal alternatives of `a|b\.c`, or null when the pattern is more than that. */
function literalAlternatives(pattern: string): string[] | null {
  const body = pattern.replace(/^\^/, '').replace(/\$$/, '');
  const parts = body.match(/^\((.*)\)$/)?.[1] ?? body;
  const alternatives = parts.split(/(?<!\\)\|/);
  const literal = alternatives.every((alt) => !REGEX_META.test(alt.replace(/\\./g, '')));
  return literal ? alternatives.map(unescape) : null;
}

function fromRegex(key: string, pattern: string, negate: boolean): AdhocResult {
  const values = literalAlternatives(pattern);
  if (values) {
    const op = values.length === 1 ? (negate ? 'neq' : 'eq') : negate ? 'not_in' : 'in';
    return { ok: true, filter: { property: key, op, value: values.length === 1 ? values[0] : values } };
  }
  const contains = pattern.match(CONTAINS);
  if (contains && !negate) {
    return { ok: true, filter: { property: key, op: 'contains', value: unescape(contains[1]) } };
  }
  return {
    ok: false,
    error: `The ad-hoc filter ${key} ${negate ? '!~' : '=~'} ${pattern} cannot be sent to Sluice: it takes exact values (a|b) or .*text.*`,
  };
}

/** One of Grafana's ad-hoc filters as a DSL filter. */
export function adhocToFilter(adhoc: AdHocVariableFilter): AdhocResult {
  const { key, operator, value } = adhoc;
  const many = adhoc.values?.length ? adhoc.values : [value];
  switch (operator) {
    case '=':
      return { ok: true, filter: { property: key, op: 'eq', value } };
    case '!=':
      return { ok: true, filter: { property: key, op: 'neq', value } };
    case '=|':
      return { ok: true, filter: { property: key, op: 'in', value: many } };
    case '!=|':
      return { ok: true, filter: { property: key, op: 'not_in', value: many } };
    case '<':
      return { ok: true, filter: { property: key, op: 'lt', value: asNumber(value) } };
    case '>':
      return { ok: true, filter: { property: key, op: 'gt', value: asNumber(value) } };
    case '<=':
      return { ok: true, filter: { property: key, op: 'lte', value: asNumber(value) } };
    case '>=':
      return { ok: true, filter: { property: key, op: 'gte', value: asNumber(value) } };
    case '=~':
      return fromRegex(key, value, false);
    case '!~':
      return fromRegex(key, value, true);
    default:
      return { ok: false, error: `The ad-hoc filter operator ${operator} is not supported by Sluice` };
  }
}

const same = (a: Filter, b: Filter) => JSON.stringify(a) === JSON.stringify(b);
const merge = (own: Filter[] | undefined, extra: Filter[]) => {
  const out = [...(own ?? [])];
  for (const filter of extra) {
    // Adding a filter twice changes nothing in the answer; skipping it keeps a query that is
    // interpolated twice (by Grafana, then by query()) the same.
    if (!out.some((f) => same(f, filter))) {
      out.push(filter);
    }
  }
  return out;
};

function withFilters<T extends { kind?: unknown; filters?: Filter[]; steps?: Array<{ filters?: Filter[] }> }>(
  doc: T,
  filters: Filter[]
): T {
  if (doc.kind === 'funnel') {
    // A funnel has no filters of its own: each step has them.
    return { ...doc, steps: doc.steps?.map((step) => ({ ...step, filters: merge(step.filters, filters) })) };
  }
  return { ...doc, filters: merge(doc.filters, filters) };
}

export interface AdhocApplied {
  query: SluiceQuery;
  /** Filters that could not be sent, each with why. */
  errors: string[];
}

/** The dashboard's ad-hoc filters added to a query: to every step of a funnel, else to its filters. */
export function applyAdhocFilters(query: SluiceQuery, adhoc: AdHocVariableFilter[] | undefined): AdhocApplied {
  if (!adhoc?.length) {
    return { query, errors: [] };
  }
  const filters: Filter[] = [];
  const errors: string[] = [];
  for (const result of adhoc.map(adhocToFilter)) {
    if (result.ok) {
      filters.push(result.filter);
    } else {
      errors.push(result.error);
    }
  }
  if (!filters.length) {
    return { query, errors };
  }
  if (query.rawMode) {
    try {
      const doc = JSON.parse(query.rawJson ?? '');
      if (doc && typeof doc === 'object' && !Array.isArray(doc)) {
        return { query: { ...query, rawJson: JSON.stringify(withFilters(doc, filters), null, 2) }, errors };
      }
    } catch {
      // the query builder reports the bad JSON
    }
    return { query, errors };
  }
  return { query: withFilters(query, filters), errors };
}
