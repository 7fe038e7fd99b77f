import type { Migration } from './context.js';

// Alert rules and what became of them. Rules and per-rule state are small tables replaced by
// version (read with FINAL); the audit log and the alert history only grow.
export const migration: Migration = {
  version: 5,
  name: 'alert rules, state, history and audit',
  up: ({ db }) => [
    `CREATE TABLE IF NOT EXISTS ${db}.alert_rules (
      project_id String,
      id String,
      rule String,
      updated_at DateTime64(3, 'UTC'),
      version UInt64,
      is_deleted UInt8
    ) ENGINE = ReplacingMergeTree(version, is_deleted)
    ORDER BY (project_id, id)`,
    `CREATE TABLE IF NOT EXISTS ${db}.alert_state (
      project_id String,
      rule_id String,
      state LowCardinality(String),
      since DateTime64(3, 'UTC'),
      value Nullable(Float64),
      last_eval DateTime64(3, 'UTC'),
      last_error String,
      last_notified DateTime64(3, 'UTC'),
      acknowledged UInt8,
      evaluations UInt64,
      version UInt64,
      is_deleted UInt8
    ) ENGINE = ReplacingMergeTree(version, is_deleted)
    ORDER BY (project_id, rule_id)`,
    `CREATE TABLE IF NOT EXISTS ${db}.alert_events (
      project_id String,
      id String,
      rule_id String,
      rule_name String,
      severity LowCardinality(String),
      state LowCardinality(String),
      at DateTime64(3, 'UTC'),
      value Nullable(Float64),
      threshold Nullable(Float64),
      query String,
      message String,
      by String,
      notifications String
    ) ENGINE = MergeTree
    ORDER BY (project_id, at, id)`,
    `CREATE TABLE IF NOT EXISTS ${db}.alert_audit (
      project_id String,
      at DateTime64(3, 'UTC'),
      actor String,
      action LowCardinality(String),
      rule_id String,
      before String,
      after String
    ) ENGINE = MergeTree
    ORDER BY (project_id, at)`,
  ],
};
