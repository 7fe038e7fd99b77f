import type { Migration } from './context.js';

// Small tables read with FINAL: each change is a new row with a higher version.
export const migration: Migration = {
  version: 6,
  name: 'notification channels, in-app notifications and preferences',
  up: ({ db }) => [
    // One row per project: the channel settings and severity routing as JSON.
    `CREATE TABLE IF NOT EXISTS ${db}.notification_channels (
      project String,
      config String,
      updated_at DateTime64(3, 'UTC'),
      updated_by String,
      version UInt64,
      is_deleted UInt8
    ) ENGINE = ReplacingMergeTree(version, is_deleted)
    ORDER BY project`,
    // recipient "*" is the project feed; any other value is one user's own copy.
    `CREATE TABLE IF NOT EXISTS ${db}.notifications (
      id String,
      project String,
      recipient String,
      rule_id String,
      rule_name String,
      alert_id String,
      severity LowCardinality(String),
      state LowCardinality(String),
      title String,
      body String,
      value Nullable(Float64),
      threshold Nullable(Float64),
      created_at DateTime64(3, 'UTC'),
      read_at Nullable(DateTime64(3, 'UTC')),
      version UInt64,
      is_deleted UInt8
    ) ENGINE = ReplacingMergeTree(version, is_deleted)
    ORDER BY (project, recipient, id)`,
    // kind "user" (name: JWT sub or key id) or "team" (name: the team).
    `CREATE TABLE IF NOT EXISTS ${db}.notification_preferences (
      project String,
      kind LowCardinality(String),
      name String,
      teams Array(String),
      severities Array(String),
      channels Array(String),
      mute_until Nullable(DateTime64(3, 'UTC')),
      email Array(String),
      sms Array(String),
      updated_at DateTime64(3, 'UTC'),
      updated_by String,
      version UInt64,
      is_deleted UInt8
    ) ENGINE = ReplacingMergeTree(version, is_deleted)
    ORDER BY (project, kind, name)`,
  ],
};
