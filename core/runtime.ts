// Builds and starts a Sluice process: storage, migrations, keys, the ingestion pipeline and
// the servers. `sluice start` runs both servers; `sluice ingest` / `sluice query` one each.
import { Redis } from 'ioredis';
import { Batcher } from '../ingest/batch.js';
import { MemoryDeduper, RedisDeduper, type Deduper } from '../ingest/dedupe.js';
import { createAuthenticateStep } from '../ingest/authenticate.js';
import { createPipeline, type Pipeline } from '../ingest/pipeline.js';
import { RejectsWriter } from '../ingest/rejects.js';
import { missingRows, recoverSpool } from '../ingest/recover.js';
import { startIngestServer } from '../ingest/server.js';
import { createSink } from '../ingest/sink.js';
import { Spool } from '../ingest/spool.js';
import { startQueryServer } from '../query/server.js';
import { migrate } from '../schema/migrate.js';
import { loadSchemas } from '../schema/registry.js';
import { createStore, type Store } from './clickhouse.js';
import type { Config } from './config.js';
import { closeListen, type Listen } from './http-util.js';
import { KeyStore } from './keys.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { RateLimiter } from './rate-limit.js';

export interface Roles {
  ingest: boolean;
  query: boolean;
}

export interface Sluice {
  config: Config;
  store: Store;
  keys: KeyStore;
  metrics: Metrics;
  log: Logger;
  ingestPort: number | null;
  queryPort: number | null;
  /** Keys created on first start (printed once), or null. */
  bootstrapKeys: { write: string; read: string } | null;
  pipeline: Pipeline | null;
  stop(): Promise<void>;
}

export async function startSluice(config: Config, roles: Roles, log: Logger = createLogger(config.logLevel)): Promise<Sluice> {
  const metrics = createMetrics();
  const store = await createStore(config);
  await migrate(store, config);
  const keys = new KeyStore(store);
  const bootstrapKeys = await keys.bootstrap();
  await keys.refresh();
  const redis = config.redisUrl ? new Redis(config.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: 1000 }) : undefined;
  redis?.on('error', (err) => log.warn({ err: err.message }, 'redis error'));

  let ingest: Listen | null = null;
  let query: Listen | null = null;
  let stopping = false;
  let pipeline: Pipeline | null = null;
  let batcher: Batcher | null = null;
  let rejects: RejectsWriter | null = null;

  if (roles.ingest) {
    const spool = new Spool(config.spoolPath);
    const leftovers = spool.recover();
    rejects = new RejectsWriter(store, metrics, log);
    const rejectsWriter = rejects;
    const sink = createSink(store);
    batcher = new Batcher(
      spool,
      sink,
      { maxRows: config.batchMaxRows, maxBytes: config.batchMaxBytes, lingerMs: config.batchLingerMs, concurrency: config.insertConcurrency, retryMaxMs: config.insertRetryMaxMs },
      metrics,
      log,
      (refused) => rejectsWriter.recordRefused(refused),
      (body) => missingRows(store, body),
    );
    const memoryDedup = new MemoryDeduper(config.dedupWindowMs, config.dedupMaxIds);
    const dedupe: Deduper = redis ? new RedisDeduper(redis, config.dedupWindowMs, memoryDedup, log) : memoryDedup;
    // Replay and repair finish before the server takes requests: a rebuild racing live
    // inserts into the same hours could count those inserts twice.
    metrics.rollupRepairs.inc(await recoverSpool(config.spoolPath, spool, leftovers, sink, store, log, config.insertRetryMaxMs));
    if (!redis) await seedDedup(store, memoryDedup, config);
    pipeline = createPipeline({ config, schemas: loadSchemas(), dedupe, spool, batcher, rejects, metrics });
    const limiter = new RateLimiter(config.rateLimitEvents, config.rateLimitBurst, redis);
    const b = batcher;
    ingest = await startIngestServer(
      { config, pipeline, authenticate: createAuthenticateStep(keys), limiter, metrics },
      () => (stopping ? 'shutting down' : b.degraded ? `ClickHouse inserts failing: ${b.lastError}` : null),
    );
    log.info({ host: config.host, port: ingest.port }, 'ingest listening');
  }
  if (roles.query) {
    query = await startQueryServer({ config, keys, metrics }, () => (stopping ? 'shutting down' : null));
    log.info({ host: config.host, port: query.port }, 'query listening');
  }

  async function stop(): Promise<void> {
    if (stopping) return;
    stopping = true;
    closeListen(ingest);
    closeListen(query);
    pipeline?.close();
    if (batcher) {
      const drained = await batcher.drain(config.shutdownTimeoutMs);
      if (!drained) log.warn('shutdown deadline passed: unsent events stay in the spool for the next start');
    }
    await rejects?.close();
    redis?.disconnect();
    await store.close();
    log.info('stopped');
  }

  return { config, store, keys, metrics, log, ingestPort: ingest?.port ?? null, queryPort: query?.port ?? null, bootstrapKeys, pipeline, stop };
}

/** In-process dedup forgets on restart: remember the ids stored within the window. */
async function seedDedup(store: Store, dedup: MemoryDeduper, config: Config): Promise<void> {
  const rows = await store.rows<{ p: string; ids: string[] }>(
    `SELECT project_id AS p, groupArray(toString(event_id)) AS ids FROM (
       SELECT project_id, event_id FROM ${store.db}.events
       WHERE received_at >= now64(3) - toIntervalMillisecond({w:UInt64})
       ORDER BY received_at DESC LIMIT {n:UInt64}
     ) GROUP BY project_id`,
    { w: config.dedupWindowMs, n: config.dedupMaxIds },
  );
  for (const r of rows) dedup.remember(r.p, r.ids);
}
