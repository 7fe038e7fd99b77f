// The query service's HTTP server: query API, meta, admin API and operations endpoints.
import uWS from 'uWebSockets.js';
import { listen, registerNotFound, registerOps, type Listen } from '../core/http-util.js';
import type { LiveBus } from '../core/live-bus.js';
import { registerAdmin } from './admin.js';
import { ALERT_ROUTES, registerAlerts } from './alerts/routes.js';
import { registerDashboard } from './dashboard.js';
import type { QueryDeps } from './deps.js';
import { registerLive, type Live } from './live.js';
import { registerExport } from './export.js';
import { registerMeta } from './meta.js';
import { NOTIFICATION_ROUTES, registerNotifications } from './notify/routes.js';
import { registerOpenApi } from './openapi.js';
import { registerQuery } from './query-routes.js';

export async function startQueryServer(deps: QueryDeps & { bus: LiveBus }, ready: () => string | null): Promise<Listen & { live: Live }> {
  const app = uWS.App();
  registerQuery(app, deps);
  registerMeta(app, deps);
  registerExport(app, deps);
  const live = registerLive(app, deps);
  registerDashboard(app, deps);
  registerAlerts(app, deps);
  registerNotifications(app, deps);
  registerOpenApi(app);
  registerAdmin(app, deps.config, deps.keys, deps.auth);
  registerOps(app, deps.metrics, ready);
  registerNotFound(app, {
    '/api/v1/query': ['POST'],
    '/api/v1/export': ['GET', 'POST'],
    '/api/v1/meta/events': ['GET'],
    '/api/v1/meta/properties': ['GET'],
    '/api/v1/meta/values': ['GET'],
    '/api/v1/live': ['GET'],
    '/api/v1/dashboard/summary': ['GET'],
    ...ALERT_ROUTES,
    ...NOTIFICATION_ROUTES,
  });
  return { ...(await listen(app, deps.config.host, deps.config.queryPort)), live };
}
