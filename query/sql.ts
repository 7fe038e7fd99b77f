// Pieces of generated SQL. Every value a caller supplies (event names, filter values, time
// zones, instants, limits) is bound as a query parameter. Property names are the one exception:
// they are identifiers (a path into the JSON column), and a path given as a bound parameter
// (getSubcolumn(properties, {p:String})) makes the engine read the whole JSON column, 4-5
// times slower. So a property name is written as a quoted identifier, and only after it
// matched the DSL's strict pattern (letters, digits, `_ $ . -`): no quote, backtick, space or
// comment can reach the statement that way.
import { dimensionExpr } from '../schema/rollup-sql.js';
import { METRICS } from '../schema/metrics.js';
import { PROPERTY_NAME } from './dsl-schema.js';
import type { Filter, Interval, Scalar } from './types.js';

export class Params {
  readonly values: Record<string, unknown> = {};
  private n = 0;

  bind(value: unknown, type: string): string {
    const name = `p${this.n++}`;
    this.values[name] = value;
    return `{${name}:${type}}`;
  }
}

/** Envelope fields a query can name like properties. */
export const COLUMNS = ['user_id', 'session_id', 'correlation_id'] as const;
const isColumn = (name: string): boolean => (COLUMNS as readonly string[]).includes(name);

/** A dimension derived from a property (api_request status -> status_class), for this event. */
function derived(event: string | undefined, name: string): string | null {
  for (const m of METRICS) {
    if (m.event !== event) continue;
    const dim = m.dimensions.find((d) => d.name === name && d.derive);
    if (dim) return dimensionExpr(dim);
  }
  return null;
}

/** `items[].product_id` -> ['items', 'product_id']: an array property and the path inside each item. */
export function arrayPath(name: string): [string, string] | null {
  const at = name.indexOf('[].');
  return at < 0 ? null : [name.slice(0, at), name.slice(at + 3)];
}

/** ARRAY JOIN of the items of an array property, one row per item as `__item` (JSON text). */
export function arrayJoinSql(array: string, p: Params): string {
  return `ARRAY JOIN JSONExtractArrayRaw(ifNull(toJSONString(${propertyPath(array)}), '[]')) AS __item`;
}

const SAFE_PATH = new RegExp(PROPERTY_NAME);

/** `properties.\`name\``: the JSON column's path, as an identifier. */
export function propertyPath(name: string): string {
  if (!SAFE_PATH.test(name) || name.includes('[]') || name.includes('`')) throw new Error(`unsafe property name ${JSON.stringify(name)}`);
  return `properties.\`${name}\``;
}

const itemKeys = (path: string, p: Params): string => path.split('.').map((k) => p.bind(k, 'String')).join(', ');

/** The property's value as text ('' when missing), on raw events. Matches the rollups' dimension text. */
export function textExpr(name: string, event: string | undefined, p: Params): string {
  if (isColumn(name)) return name;
  const item = arrayPath(name);
  if (item) {
    const keys = itemKeys(item[1], p);
    return `substring(multiIf(JSONType(__item, ${keys}) = 'String', JSONExtractString(__item, ${keys}), JSONExtractRaw(__item, ${keys})), 1, 256)`;
  }
  return derived(event, name) ?? `substring(toString(${propertyPath(name)}), 1, 256)`;
}

/** The property's value as a number, NULL when missing or not numeric. */
export function numberExpr(name: string, p: Params): string {
  const item = arrayPath(name);
  if (item) return `accurateCastOrNull(JSONExtractRaw(__item, ${itemKeys(item[1], p)}), 'Float64')`;
  const v = isColumn(name) ? name : propertyPath(name);
  return `accurateCastOrNull(${v}, 'Float64')`;
}

const asText = (v: Scalar): string => String(v);
const list = (v: Filter['value']): Scalar[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/** One filter on raw events. */
export function filterSql(f: Filter, event: string | undefined, p: Params): string {
  const text = (): string => textExpr(f.property, event, p);
  const value = f.value as Scalar;
  switch (f.op) {
    case 'eq':
      return `${text()} = ${p.bind(asText(value), 'String')}`;
    case 'neq':
      return `${text()} != ${p.bind(asText(value), 'String')}`;
    case 'in':
      return `${text()} IN ${p.bind(list(f.value).map(asText), 'Array(String)')}`;
    case 'not_in':
      return `${text()} NOT IN ${p.bind(list(f.value).map(asText), 'Array(String)')}`;
    case 'contains':
      return `position(${text()}, ${p.bind(asText(value), 'String')}) > 0`;
    case 'exists': {
      const item = arrayPath(f.property);
      const present = item ? `JSONHas(__item, ${itemKeys(item[1], p)})` : isColumn(f.property) ? `${f.property} != ''` : derived(event, f.property) ? `${text()} != ''` : `isNotNull(${propertyPath(f.property)})`;
      return value === false ? `NOT (${present})` : present;
    }
    default: {
      const op = { gt: '>', gte: '>=', lt: '<', lte: '<=' }[f.op];
      if (typeof value === 'number') return `${numberExpr(f.property, p)} ${op} ${p.bind(value, 'Float64')}`;
      return `${text()} ${op} ${p.bind(asText(value), 'String')}`;
    }
  }
}

/** Can this filter be answered from a rollup dimension column (text equality only)? */
export function rollupFilterable(f: Filter): boolean {
  if (!['eq', 'neq', 'in', 'not_in', 'exists'].includes(f.op)) return false;
  // '' is what a rollup stores for a missing dimension; long values are cut at 256 characters.
  return list(f.value).every((v) => typeof v !== 'boolean' && asText(v) !== '' && asText(v).length <= 256) || f.op === 'exists';
}

/** One filter on a rollup dimension column. */
export function rollupFilterSql(f: Filter, column: string, p: Params): string {
  const value = f.value as Scalar;
  switch (f.op) {
    case 'eq':
      return `${column} = ${p.bind(asText(value), 'String')}`;
    case 'neq':
      return `${column} != ${p.bind(asText(value), 'String')}`;
    case 'in':
      return `${column} IN ${p.bind(list(f.value).map(asText), 'Array(String)')}`;
    case 'not_in':
      return `${column} NOT IN ${p.bind(list(f.value).map(asText), 'Array(String)')}`;
    case 'exists':
      return value === false ? `${column} = ''` : `${column} != ''`;
    default:
      throw new Error(`filter ${f.op} has no rollup form`);
  }
}

/** Epoch ms of the start of the bucket holding `col`, in the bound time zone. */
export function bucketSql(col: string, interval: Interval, tz: string): string {
  switch (interval) {
    case '1h':
      return `toInt64(toUnixTimestamp(toStartOfHour(${col}, ${tz}))) * 1000`;
    case '1d':
      return `toInt64(toUnixTimestamp(toStartOfDay(${col}, ${tz}))) * 1000`;
    case '1w':
      return `toInt64(toUnixTimestamp(toDateTime(toStartOfWeek(${col}, 1, ${tz}), ${tz}))) * 1000`;
    case '1M':
      return `toInt64(toUnixTimestamp(toDateTime(toStartOfMonth(${col}, ${tz}), ${tz}))) * 1000`;
    default:
      return `toInt64(toUnixTimestamp(toStartOfInterval(${col}, INTERVAL ${parseInt(interval, 10)} MINUTE, ${tz}))) * 1000`;
  }
}

/** A DateTime64(3) literal bound from epoch ms. */
export function instant(ms: number, p: Params): string {
  return `fromUnixTimestamp64Milli(${p.bind(ms, 'Int64')}, 'UTC')`;
}
