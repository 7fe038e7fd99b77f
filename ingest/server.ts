// The ingestion server: wires routes to the pipeline. No logic of its own.
import uWS from 'uWebSockets.js';
import { listen, registerNotFound, registerOps, type Listen } from '../core/http-util.js';
import { createIngestHandler, ROUTES, type HttpDeps } from './http.js';
import { registerWebSocket } from './ws.js';

export function createIngestApp(deps: HttpDeps, ready: () => string | null): uWS.TemplatedApp {
  const app = uWS.App();
  for (const r of ROUTES) app.post(r.path, createIngestHandler(deps, r.shape, r.source));
  registerWebSocket(app, '/v1/ws', deps);
  registerOps(app, deps.metrics, ready);
  registerNotFound(app, { ...Object.fromEntries(ROUTES.map((r) => [r.path, ['POST']])), '/v1/ws': ['GET'], '/healthz': ['GET'], '/readyz': ['GET'], '/metrics': ['GET'] });
  return app;
}

export async function startIngestServer(deps: HttpDeps, ready: () => string | null): Promise<Listen> {
  return listen(createIngestApp(deps, ready), deps.config.host, deps.config.ingestPort);
}
