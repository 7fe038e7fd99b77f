import type { Migration } from './context.js';

export const migration: Migration = {
  version: 2,
  name: 'projects and api keys',
  up: ({ db }) => [
    `CREATE TABLE IF NOT EXISTS ${db}.projects (
      id String,
      name String,
      created_at DateTime64(3, 'UTC'),
      version UInt64,
      is_deleted UInt8
    ) ENGINE = ReplacingMergeTree(version, is_deleted)
    ORDER BY id`,
    `CREATE TABLE IF NOT EXISTS ${db}.api_keys (
      id String,
      project_id String,
      kind LowCardinality(String),
      key_hash String,
      prefix String,
      name String,
      created_at DateTime64(3, 'UTC'),
      version UInt64,
      is_deleted UInt8
    ) ENGINE = ReplacingMergeTree(version, is_deleted)
    ORDER BY id`,
  ],
};
