// What the query service's routes are built from.
import type { Redis } from 'ioredis';
import type { Store } from '../core/clickhouse.js';
import type { Config } from '../core/config.js';
import type { KeyStore } from '../core/keys.js';
import type { Logger } from '../core/logger.js';
import type { Metrics } from '../core/metrics.js';
import type { Authenticator } from './auth.js';
import type { QueryGate } from './gate.js';
import type { ChannelNotifier } from './notify/notifier.js';
import type { QueryService } from './service.js';

export interface QueryDeps {
  config: Config;
  store: Store;
  keys: KeyStore;
  metrics: Metrics;
  log: Logger;
  redis?: Redis;
  auth: Authenticator;
  gate: QueryGate;
  service: QueryService;
  /** Sends alert events to the project's channels. */
  notifier: ChannelNotifier;
}
