import type { Migration } from './context.js';
import { propertyValuesSelect } from '../property-values-sql.js';

// Top values per (project, event, property) and day, so editors and filters list values
// without scanning raw events. topK states are mergeable across days.
export const migration: Migration = {
  version: 4,
  name: 'top property values rollup',
  up: ({ db, retention }) => [
    `CREATE TABLE IF NOT EXISTS ${db}.property_values (
      project_id LowCardinality(String),
      event LowCardinality(String),
      property LowCardinality(String),
      day Date,
      hits SimpleAggregateFunction(sum, UInt64),
      top_values AggregateFunction(topK(100), String)
    ) ENGINE = AggregatingMergeTree
    PARTITION BY toYYYYMM(day)
    ORDER BY (project_id, event, property, day)
    TTL day + INTERVAL ${retention.hourDays} DAY
    SETTINGS non_replicated_deduplication_window = 10000`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.property_values_mv TO ${db}.property_values AS ${propertyValuesSelect(db)}`,
  ],
};
