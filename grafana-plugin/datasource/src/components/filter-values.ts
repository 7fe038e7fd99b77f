import { Filter, FilterOp, Scalar } from '../types';

const MULTI: ReadonlySet<FilterOp> = new Set<FilterOp>(['in', 'not_in']);
const NUMERIC: ReadonlySet<FilterOp> = new Set<FilterOp>(['gt', 'gte', 'lt', 'lte']);

export const takesValues = (op: FilterOp) => MULTI.has(op);
export const takesValue = (op: FilterOp) => op !== 'exists';

/** The filter's value(s) as text, for the pickers. */
export function valueTexts(value: Filter['value']): string[] {
  if (value === undefined || value === null || value === '') {
    return [];
  }
  return (Array.isArray(value) ? value : [value]).map(String);
}

// `gt`..`lte` compare numbers only when the value is a JSON number, so numeric text becomes one;
// the other ops compare text, where "200" and 200 match alike. Variables stay text.
function typed(op: FilterOp, text: string): Scalar {
  const trimmed = text.trim();
  return NUMERIC.has(op) && trimmed !== '' && !trimmed.startsWith('$') && Number.isFinite(Number(trimmed))
    ? Number(trimmed)
    : text;
}

/** A filter's value for its op, from the text(s) picked. */
export function valueFor(op: FilterOp, texts: string[]): Filter['value'] {
  if (!takesValue(op)) {
    return undefined;
  }
  if (takesValues(op)) {
    return texts.map((t) => typed(op, t));
  }
  return texts.length ? typed(op, texts[0]) : undefined;
}

/** The filter after its op changed, carrying the value over in the new op's shape. */
export function withOp(filter: Filter, op: FilterOp): Filter {
  const value = valueFor(op, valueTexts(filter.value));
  const next: Filter = { property: filter.property, op };
  if (value !== undefined) {
    next.value = value;
  }
  return next;
}

/** Whether a filter can be sent: a property, and a value unless the op takes none. */
export function isComplete(filter: Filter): boolean {
  if (!filter.property) {
    return false;
  }
  return !takesValue(filter.op) || valueTexts(filter.value).length > 0;
}

export const allComplete = (filters: Filter[] | undefined) => (filters ?? []).every(isComplete);
