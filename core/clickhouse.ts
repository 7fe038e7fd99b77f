// One factory for the ClickHouse client: the embedded engine (chdb) when CLICKHOUSE_URL is
// unset, a server over HTTP otherwise. Everything else talks to ClickHouse through `Store`.
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import type { Config } from './config.js';
import { ClickHouseFailure } from './errors.js';

type Settings = Record<string, string | number>;

export interface Store {
  readonly client: ClickHouseClient;
  readonly embedded: boolean;
  readonly db: string;
  /** DDL and statements without a result. Settings are inlined, never left on the session. */
  command(sql: string, params?: Record<string, unknown>): Promise<void>;
  /** Rows as objects (JSONEachRow). */
  rows<T>(sql: string, params?: Record<string, unknown>): Promise<T[]>;
  /** Inserts JSONEachRow bytes as one statement with per-statement settings. */
  insertJsonLines(table: string, body: Buffer, settings?: Settings): Promise<void>;
  close(): Promise<void>;
}

interface ChdbRawInsert {
  rawInsert(p: { table: string; values: Buffer; format: 'JSONEachRow'; settings?: Settings }): Promise<unknown>;
}

export async function createStore(config: Config): Promise<Store> {
  let client: ClickHouseClient;
  let chdb: ChdbRawInsert | undefined;
  if (config.embedded) {
    fs.mkdirSync(config.dataDir, { recursive: true });
    // chdb/connection ships CommonJS only; load it lazily so server mode never loads the engine.
    const { createChdbConnection } = (await import('chdb/connection')) as typeof import('chdb/connection');
    const connection = createChdbConnection({ path: `${config.dataDir}/clickhouse` });
    chdb = connection.chdb as unknown as ChdbRawInsert;
    client = createClient({ connection } as unknown as Parameters<typeof createClient>[0]);
  } else {
    client = createClient({
      url: config.clickhouseUrl,
      username: config.clickhouseUser,
      password: config.clickhousePassword,
      request_timeout: 60_000,
      max_open_connections: 16,
      compression: { request: false, response: true },
    });
  }
  return new ClickHouseStore(client, config.clickhouseDatabase, chdb);
}

class ClickHouseStore implements Store {
  readonly embedded: boolean;
  constructor(
    readonly client: ClickHouseClient,
    readonly db: string,
    private readonly chdb?: ChdbRawInsert,
  ) {
    this.embedded = chdb !== undefined;
  }

  async command(sql: string, params?: Record<string, unknown>): Promise<void> {
    try {
      await this.client.command({ query: sql, query_params: params });
    } catch (err) {
      throw new ClickHouseFailure('command', err);
    }
  }

  async rows<T>(sql: string, params?: Record<string, unknown>): Promise<T[]> {
    try {
      const rs = await this.client.query({ query: sql, query_params: params, format: 'JSONEachRow' });
      return await rs.json<T>();
    } catch (err) {
      throw new ClickHouseFailure('query', err);
    }
  }

  async insertJsonLines(table: string, body: Buffer, settings: Settings = {}): Promise<void> {
    try {
      if (this.chdb) {
        // rawInsert hands the bytes to the engine untouched and applies settings to this
        // statement only (session-level settings would leak into later inserts).
        await this.chdb.rawInsert({ table, values: body, format: 'JSONEachRow', settings });
      } else {
        // insert() only takes objects for JSON formats; exec() sends the bytes as they are.
        const { stream } = await this.client.exec({
          query: `INSERT INTO ${table} FORMAT JSONEachRow`,
          values: Readable.from([body], { objectMode: false }),
          clickhouse_settings: settings,
        });
        stream.resume(); // the (empty) answer must be read for the socket to be reused
      }
    } catch (err) {
      throw new ClickHouseFailure('insert', err);
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
