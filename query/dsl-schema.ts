// The query DSL as a JSON Schema (2020-12). ajv validates every query against it before
// anything runs, and the OpenAPI document embeds the same object.
import { RANGE_PATTERN } from './time-range.js';
import { AGGREGATIONS, FILTER_OPS, INTERVALS, KINDS, RANGES } from './types.js';

/**
 * Property names: letters, digits and `_ - $ .` (a dot reaches into nested objects); one `[]`
 * reaches into the objects of an array (`items[].product_id`: each item counts as a row).
 */
export const PROPERTY_NAME = '^[A-Za-z0-9_$][A-Za-z0-9_$.-]{0,99}(\\[\\]\\.[A-Za-z0-9_$][A-Za-z0-9_$.-]{0,99})?$';
export const EVENT_NAME = { type: 'string', minLength: 1, maxLength: 200 } as const;
export const MAX_STEPS = 20;
export const MAX_FILTERS = 20;
export const MAX_IN_VALUES = 1000;
export const MAX_HORIZON = 1000;
export const DEFAULT_HORIZON = 24;

const scalar = { type: ['string', 'number', 'boolean'], maxLength: 1000 } as const;
const property = { type: 'string', pattern: PROPERTY_NAME } as const;
const instant = { type: 'string', format: 'date-time' } as const;

const filter = {
  type: 'object',
  additionalProperties: false,
  required: ['property', 'op'],
  properties: {
    property,
    op: { enum: [...FILTER_OPS] },
    value: { oneOf: [scalar, { type: 'array', items: scalar, minItems: 1, maxItems: MAX_IN_VALUES }] },
  },
} as const;

const filters = { type: 'array', items: filter, maxItems: MAX_FILTERS } as const;

export const QUERY_SCHEMA = {
  $id: 'https://sluice.dev/schemas/query.json',
  title: 'Query',
  type: 'object',
  additionalProperties: false,
  required: ['kind'],
  properties: {
    kind: { enum: [...KINDS], description: 'What to compute.' },
    event: { ...EVENT_NAME, description: 'The event the query reads (all kinds but funnel and retention).' },
    measure: { ...property, description: 'Numeric property the aggregations apply to. Without it only count and uniq_users apply.' },
    aggregations: {
      type: 'array',
      items: { enum: [...AGGREGATIONS] },
      minItems: 1,
      maxItems: AGGREGATIONS.length,
      uniqueItems: true,
    },
    range: {
      type: 'string',
      pattern: RANGE_PATTERN,
      examples: [...RANGES],
      description: 'A range ending now: a count and a unit (m, h, d, w, y), e.g. 15m, 6h, 7d; or give from and to.',
    },
    from: { ...instant, description: 'Start of the range (inclusive), ISO-8601 instant.' },
    to: { ...instant, description: 'End of the range (exclusive), ISO-8601 instant.' },
    interval: { enum: [...INTERVALS], description: 'Bucket width (1M: calendar month).' },
    timezone: { type: 'string', minLength: 1, maxLength: 64, description: 'IANA time zone for buckets, days and weeks (default UTC).' },
    filters,
    group_by: { type: 'array', items: property, maxItems: 2, uniqueItems: true },
    limit: { type: 'integer', minimum: 1, maximum: 1000, description: 'Top-N groups (the rest become "(other)"), or rows per page for kind events.' },
    compare: { enum: ['previous_period', 'previous_year'] },
    source: { enum: ['auto', 'events', 'rollup_1m', 'rollup_1h'], description: 'Force a finer table than the one chosen (for checks and benchmarks).' },
    steps: {
      type: 'array',
      minItems: 2,
      maxItems: MAX_STEPS,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['event'],
        properties: { event: EVENT_NAME, filters },
      },
    },
    window: { type: 'string', pattern: '^[0-9]{1,6}(s|m|h|d)$', description: 'Funnel conversion window, e.g. 30m, 1h, 7d.' },
    strict_order: { type: 'boolean', description: 'Funnel: no other step event may come between two steps.' },
    start_event: EVENT_NAME,
    return_event: EVENT_NAME,
    period: { enum: ['day', 'week'] },
    periods: { type: 'integer', minimum: 1, maximum: 90 },
    cursor: { type: 'string', maxLength: 200 },
    properties: { type: 'array', items: property, maxItems: 50, uniqueItems: true, description: 'Events: properties returned as columns (default: all, as one JSON column).' },
    horizon: { type: 'integer', minimum: 1, maximum: MAX_HORIZON, description: `Forecast: buckets ahead (default ${DEFAULT_HORIZON}).` },
  },
} as const;
