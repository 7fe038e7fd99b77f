// One factory for the ClickHouse client: the embedded engine (chdb) when CLICKHOUSE_URL is
// unset, a server over HTTP otherwise. Everything else talks to ClickHouse through `Store`.
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import type { Session } from 'chdb';
import { flushWith, queuedConnection, StatementQueue } from './chdb-guard.js';
import { concatParquet, dropRepeatedHeader } from './chdb-stream.js';
import type { Config } from './config.js';
import { ClickHouseFailure } from './errors.js';

type Settings = Record<string, string | number>;
export type StreamFormat = 'CSVWithNames' | 'JSONEachRow' | 'Parquet';

export interface Store {
  readonly client: ClickHouseClient;
  readonly embedded: boolean;
  readonly db: string;
  /** CLICKHOUSE_CLUSTER: DDL and mutations go ON CLUSTER to the `_local` tables (schema/cluster.ts). */
  readonly cluster: string | undefined;
  /** DDL and statements without a result. Settings are inlined, never left on the session. */
  command(sql: string, params?: Record<string, unknown>): Promise<void>;
  /** Rows as objects (JSONEachRow). */
  rows<T>(sql: string, params?: Record<string, unknown>): Promise<T[]>;
  /** Inserts JSONEachRow bytes as one statement with per-statement settings. */
  insertJsonLines(table: string, body: Buffer, settings?: Settings): Promise<void>;
  /**
   * The result of a SELECT (without FORMAT or SETTINGS clauses) as bytes in `format`, yielded
   * as the engine produces them, a block at a time. Settings apply to this statement only.
   * Ending the iteration early, or aborting `signal`, cancels the query.
   */
  stream(sql: string, params: Record<string, unknown>, format: StreamFormat, settings?: Settings, signal?: AbortSignal): AsyncIterable<Uint8Array>;
  close(): Promise<void>;
}

/** What the store uses of the embedded engine besides the client. */
interface Chdb {
  rawInsert(p: { table: string; values: Buffer; format: 'JSONEachRow'; settings?: Settings }): Promise<unknown>;
  /** A further connection to the same data: a chdb connection streams one query at a time. */
  connect(): Pick<Session, 'queryStreamBind' | 'close'>;
}

export async function createStore(config: Config): Promise<Store> {
  let client: ClickHouseClient;
  let chdb: Chdb | undefined;
  if (config.embedded) {
    fs.mkdirSync(config.dataDir, { recursive: true });
    // chdb/connection ships CommonJS only; load it lazily so server mode never loads the engine.
    const { createChdbConnection } = (await import('chdb/connection')) as typeof import('chdb/connection');
    const { Session: ChdbSession } = await import('chdb');
    const path = `${config.dataDir}/clickhouse`;
    const raw = createChdbConnection({ path });
    const queue = new StatementQueue(flushWith(raw as unknown as Parameters<typeof flushWith>[0]));
    const connection = queuedConnection(raw, queue);
    const extension = raw.chdb as unknown as Pick<Chdb, 'rawInsert'>;
    chdb = {
      rawInsert: (p) => queue.run(() => extension.rawInsert(p)),
      // Connections to the same directory share the one engine and its data.
      connect: () => new ChdbSession(path),
    };
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
  return new ClickHouseStore(client, config.clickhouseDatabase, config.clickhouseCluster, chdb);
}

class ClickHouseStore implements Store {
  readonly embedded: boolean;
  private readonly streaming = new Set<{ close(): void }>();
  constructor(
    readonly client: ClickHouseClient,
    readonly db: string,
    readonly cluster: string | undefined,
    private readonly chdb?: Chdb,
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

  async *stream(sql: string, params: Record<string, unknown>, format: StreamFormat, settings: Settings = {}, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
    try {
      yield* this.chdb ? this.streamEmbedded(this.chdb, sql, params, format, settings, signal) : this.streamServer(sql, params, format, settings, signal);
    } catch (err) {
      throw err instanceof ClickHouseFailure ? err : new ClickHouseFailure('stream', err);
    }
  }

  // The client's query().stream() over the embedded connection hands over the whole result as
  // one chunk; chdb's own stream fetches a block at a time, and only when asked for the next.
  // Each block comes framed as a complete output of its own (see chdb-stream.ts).
  private async *streamEmbedded(chdb: Chdb, sql: string, params: Record<string, unknown>, format: StreamFormat, settings: Settings, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
    const session = chdb.connect();
    this.streaming.add(session);
    try {
      // Page indexes hold file offsets inside the data, which concatenation would break.
      const all = format === 'Parquet' ? { output_format_parquet_write_page_index: 0, ...settings } : settings;
      const blocks = session.queryStreamBind(withSettings(sql, all), params, { format, signal });
      const bytes = (async function* () {
        for await (const block of blocks) yield block.raw();
      })();
      if (format === 'CSVWithNames') yield* dropRepeatedHeader(bytes);
      else if (format === 'Parquet') yield* concatParquet(bytes);
      else yield* bytes;
    } finally {
      this.streaming.delete(session);
      session.close(); // cancels the query if it is still running
    }
  }

  private async *streamServer(sql: string, params: Record<string, unknown>, format: StreamFormat, settings: Settings, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
    const { stream } = await this.client.exec({ query: `${sql}\nFORMAT ${format}`, query_params: params, clickhouse_settings: settings, abort_signal: signal });
    // Leaving the loop destroys the response, which closes the connection and so the query.
    for await (const chunk of stream) yield chunk as Uint8Array;
  }

  async close(): Promise<void> {
    for (const session of this.streaming) session.close();
    await this.client.close();
  }
}

/** Settings as the statement's own SETTINGS clause (session-level SETs outlive the statement). */
function withSettings(sql: string, settings: Settings): string {
  const entries = Object.entries(settings);
  if (!entries.length) return sql;
  const clause = entries.map(([name, value]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`invalid setting name ${JSON.stringify(name)}`);
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new Error(`invalid value for setting ${name}`);
      return `${name} = ${value}`;
    }
    return `${name} = '${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  });
  // On its own line, so that a trailing comment in the query cannot swallow it.
  return `${sql}\nSETTINGS ${clause.join(', ')}`;
}
