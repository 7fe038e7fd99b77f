// The query service's HTTP server: admin API and operations endpoints.
import uWS from 'uWebSockets.js';
import type { Config } from '../core/config.js';
import { listen, registerNotFound, registerOps, type Listen } from '../core/http-util.js';
import type { KeyStore } from '../core/keys.js';
import type { Metrics } from '../core/metrics.js';
import { registerAdmin } from './admin.js';

export interface QueryDeps {
  config: Config;
  keys: KeyStore;
  metrics: Metrics;
}

export async function startQueryServer(deps: QueryDeps, ready: () => string | null): Promise<Listen> {
  const app = uWS.App();
  registerAdmin(app, deps.config, deps.keys);
  registerOps(app, deps.metrics, ready);
  registerNotFound(app);
  return listen(app, deps.config.host, deps.config.queryPort);
}
