// Assembles the ingestion side: spool, batcher, recovery, dedup, pipeline and the server.
import type { Redis } from 'ioredis';
import type { Store } from '../core/clickhouse.js';
import type { Config } from '../core/config.js';
import type { Listen } from '../core/http-util.js';
import type { KeyStore } from '../core/keys.js';
import type { LiveBus } from '../core/live-bus.js';
import type { Logger } from '../core/logger.js';
import type { Metrics } from '../core/metrics.js';
import { RateLimiter } from '../core/rate-limit.js';
import { loadSchemas } from '../schema/registry.js';
import { createAuthenticateStep } from './authenticate.js';
import { Batcher } from './batch.js';
import { MemoryDeduper, RedisDeduper, type Deduper } from './dedupe.js';
import { createPipeline, type Pipeline } from './pipeline.js';
import { missingRows, recoverSpool } from './recover.js';
import { RejectsWriter } from './rejects.js';
import { startIngestServer } from './server.js';
import { createSink } from './sink.js';
import { Spool } from './spool.js';

export interface Ingest {
  listen: Listen;
  pipeline: Pipeline;
  /** Stops taking events, flushes what is spooled (up to the shutdown deadline). */
  close(): Promise<void>;
}

export async function startIngest(
  deps: { config: Config; store: Store; keys: KeyStore; metrics: Metrics; log: Logger; redis?: Redis; bus?: LiveBus },
  stopping: () => boolean,
): Promise<Ingest> {
  const { config, store, metrics, log, redis } = deps;
  const spool = new Spool(config.spoolPath);
  const leftovers = spool.recover();
  const rejects = new RejectsWriter(store, metrics, log);
  const sink = createSink(store);
  const batcher = new Batcher(
    spool,
    sink,
    { maxRows: config.batchMaxRows, maxBytes: config.batchMaxBytes, lingerMs: config.batchLingerMs, concurrency: config.insertConcurrency, retryMaxMs: config.insertRetryMaxMs },
    metrics,
    log,
    (refused) => rejects.recordRefused(refused),
    (body) => missingRows(store, body),
  );
  const memoryDedup = new MemoryDeduper(config.dedupWindowMs, config.dedupMaxIds);
  const dedupe: Deduper = redis ? new RedisDeduper(redis, config.dedupWindowMs, memoryDedup, log) : memoryDedup;

  // Replay and repair finish before the server takes requests: a rebuild racing live
  // inserts into the same hours could count those inserts twice.
  metrics.rollupRepairs.inc(await recoverSpool(config.spoolPath, spool, leftovers, sink, store, log, config.insertRetryMaxMs));
  if (!redis) await seedDedup(store, memoryDedup, config);

  const landed = deps.bus && ((project: string, events: string[]) => deps.bus?.publish(project, events));
  const pipeline = createPipeline({ config, schemas: loadSchemas(), dedupe, spool, batcher, rejects, metrics, landed });
  const limiter = new RateLimiter(config.rateLimitEvents, config.rateLimitBurst, redis);
  const listen = await startIngestServer(
    { config, pipeline, authenticate: createAuthenticateStep(deps.keys), limiter, metrics },
    () => (stopping() ? 'shutting down' : batcher.degraded ? `ClickHouse inserts failing: ${batcher.lastError}` : null),
  );
  log.info({ host: config.host, port: listen.port }, 'ingest listening');

  return {
    listen,
    pipeline,
    close: async () => {
      pipeline.close();
      if (!(await batcher.drain(config.shutdownTimeoutMs))) log.warn('shutdown deadline passed: unsent events stay in the spool for the next start');
      await rejects.close();
    },
  };
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
