import type { Migration } from './context.js';

export const migration: Migration = {
  version: 1,
  name: 'events and rejects',
  up: ({ db, retention }) => [
    `CREATE TABLE IF NOT EXISTS ${db}.events (
      project_id LowCardinality(String),
      event LowCardinality(String),
      timestamp DateTime64(3, 'UTC'),
      event_id UUID,
      received_at DateTime64(3, 'UTC'),
      user_id String,
      session_id String,
      correlation_id String,
      source LowCardinality(String),
      properties JSON
    ) ENGINE = MergeTree
    PARTITION BY toYYYYMM(timestamp)
    ORDER BY (project_id, event, timestamp)
    TTL toDateTime(timestamp) + INTERVAL ${retention.rawDays} DAY
    SETTINGS non_replicated_deduplication_window = 10000`,
    `CREATE TABLE IF NOT EXISTS ${db}.rejects (
      project_id LowCardinality(String),
      received_at DateTime64(3, 'UTC'),
      source LowCardinality(String),
      reason LowCardinality(String),
      event String,
      errors String,
      raw String
    ) ENGINE = MergeTree
    PARTITION BY toYYYYMMDD(received_at)
    ORDER BY (project_id, received_at)
    TTL toDateTime(received_at) + INTERVAL ${retention.rejectsDays} DAY`,
  ],
};
