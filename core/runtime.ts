// Builds and starts a Sluice process: storage, migrations, keys, and the ingest and query
// sides. `sluice start` runs both; `sluice ingest` / `sluice query` one each.
import { Redis } from 'ioredis';
import { startIngest, type Ingest } from '../ingest/start.js';
import type { Pipeline } from '../ingest/pipeline.js';
import { AlertEngine } from '../query/alerts/engine.js';
import { Authenticator } from '../query/auth.js';
import { QueryCache } from '../query/cache.js';
import { QueryGate } from '../query/gate.js';
import type { Live } from '../query/live.js';
import { ChannelNotifier } from '../query/notify/notifier.js';
import { startQueryServer } from '../query/server.js';
import { QueryService } from '../query/service.js';
import { migrate } from '../schema/migrate.js';
import { createStore, type Store } from './clickhouse.js';
import type { Config } from './config.js';
import { closeListen, type Listen } from './http-util.js';
import { KeyStore } from './keys.js';
import { LiveBus } from './live-bus.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';

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
  /** The change feed: ingest publishes what committed, live subscriptions listen. */
  bus: LiveBus;
  live: Live | null;
  /** Alert rule evaluation (query role, SLUICE_ALERTS=on). */
  alerts: AlertEngine | null;
  /** Alert notifications (query role only). */
  notifier: ChannelNotifier | null;
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

  let stopping = false;
  const bus = new LiveBus(log, redis);
  const ingest: Ingest | null = roles.ingest ? await startIngest({ config, store, keys, metrics, log, redis, bus }, () => stopping) : null;
  let query: (Listen & { live: Live }) | null = null;
  let alerts: AlertEngine | null = null;
  let notifier: ChannelNotifier | null = null;
  if (roles.query) {
    notifier = new ChannelNotifier({ config, store, metrics, log });
    const service = new QueryService(store, config, new QueryCache(config, redis));
    const deps = { config, store, keys, metrics, log, redis, bus, service, auth: new Authenticator(config, keys), gate: new QueryGate(config, redis), notifier };
    query = await startQueryServer(deps, () => (stopping ? 'shutting down' : null));
    log.info({ host: config.host, port: query.port }, 'query listening');
    if (config.alerts) {
      alerts = new AlertEngine(deps);
      alerts.start();
    }
  }

  async function stop(): Promise<void> {
    if (stopping) return;
    stopping = true;
    closeListen(ingest?.listen ?? null);
    closeListen(query);
    query?.live.close();
    await alerts?.stop();
    notifier?.close();
    await ingest?.close();
    await bus.close();
    redis?.disconnect();
    await store.close();
    log.info('stopped');
  }

  return {
    config,
    store,
    keys,
    metrics,
    log,
    ingestPort: ingest?.listen.port ?? null,
    queryPort: query?.port ?? null,
    bootstrapKeys,
    pipeline: ingest?.pipeline ?? null,
    bus,
    live: query?.live ?? null,
    alerts,
    notifier,
    stop,
  };
}
