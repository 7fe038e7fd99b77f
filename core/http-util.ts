// Small helpers shared by the ingest and query servers (uWebSockets.js).
import uWS from 'uWebSockets.js';
import type { Config } from './config.js';
import type { Metrics } from './metrics.js';

export type Listen = { socket: uWS.us_listen_socket; port: number };

export function listen(app: uWS.TemplatedApp, host: string, port: number): Promise<Listen> {
  return new Promise((resolve, reject) => {
    app.listen(host, port, (socket) => {
      if (!socket) reject(new Error(`cannot listen on ${host}:${port}`));
      else resolve({ socket, port: uWS.us_socket_local_port(socket) });
    });
  });
}

export function closeListen(l: Listen | null): void {
  if (l) uWS.us_listen_socket_close(l.socket);
}

/** /healthz, /readyz and /metrics. `ready` says why the node is not ready, or null. */
export function registerOps(app: uWS.TemplatedApp, metrics: Metrics, ready: () => string | null): void {
  app.get('/healthz', (res) => {
    res.cork(() => res.writeHeader('Content-Type', 'application/json').end('{"status":"ok"}'));
  });
  app.get('/readyz', (res) => {
    const why = ready();
    res.cork(() => {
      res.writeStatus(why ? '503 Service Unavailable' : '200 OK').writeHeader('Content-Type', 'application/json');
      res.end(JSON.stringify(why ? { status: 'not_ready', reason: why } : { status: 'ready' }));
    });
  });
  app.get('/metrics', (res) => {
    const state = { aborted: false };
    res.onAborted(() => (state.aborted = true));
    void metrics.registry.metrics().then((text) => {
      if (state.aborted) return;
      res.cork(() => res.writeHeader('Content-Type', metrics.registry.contentType).end(text));
    });
  });
}

/** Answers what no route took: 405 on a known path (naming the methods it takes), else 404. */
export function registerNotFound(app: uWS.TemplatedApp, known: Record<string, string[]> = {}): void {
  app.any('/*', (res, req) => {
    const method = req.getMethod().toUpperCase();
    const url = req.getUrl();
    const allowed = known[url];
    const body = allowed
      ? JSON.stringify({ error: { code: 'SLUICE_E_METHOD', message: `${method} is not allowed on ${url}; use ${allowed.join(' or ')}` } })
      : JSON.stringify({ error: { code: 'SLUICE_E_NOT_FOUND', message: `No route ${method} ${url}` } });
    res.cork(() => {
      res.writeStatus(allowed ? '405 Method Not Allowed' : '404 Not Found').writeHeader('Content-Type', 'application/json');
      if (allowed) res.writeHeader('Allow', allowed.join(', '));
      res.end(body);
    });
  });
}

/** WebSocket behaviour both servers share: backpressure bound, idle timeout, pings. */
export function wsSettings(config: Config, maxPayloadLength: number) {
  return {
    maxPayloadLength,
    maxBackpressure: config.wsMaxBackpressureBytes,
    closeOnBackpressureLimit: 1,
    idleTimeout: Math.round(config.wsIdleTimeoutMs / 1000),
    sendPingsAutomatically: true,
  } as const;
}
