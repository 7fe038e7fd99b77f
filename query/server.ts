// The query service's HTTP server: query API, meta, admin API and operations endpoints.
import uWS from 'uWebSockets.js';
import { listen, registerNotFound, registerOps, type Listen } from '../core/http-util.js';
import { registerAdmin } from './admin.js';
import type { QueryDeps } from './deps.js';
import { registerMeta } from './meta.js';
import { registerQuery } from './query-routes.js';

export async function startQueryServer(deps: QueryDeps, ready: () => string | null): Promise<Listen> {
  const app = uWS.App();
  registerQuery(app, deps);
  registerMeta(app, deps);
  registerAdmin(app, deps.config, deps.keys, deps.auth);
  registerOps(app, deps.metrics, ready);
  registerNotFound(app, {
    '/api/v1/query': ['POST'],
    '/api/v1/meta/events': ['GET'],
    '/api/v1/meta/properties': ['GET'],
    '/api/v1/meta/values': ['GET'],
  });
  return listen(app, deps.config.host, deps.config.queryPort);
}
