// Emulates Grafana's data-source proxy for this plugin: `/api/datasources/proxy/uid/<uid>/<route
// path>/...` goes to the route's `url` with the route's headers, both filled from the instance's
// jsonData and secureJsonData the way Grafana fills `{{ .JsonData.x }}` / `{{ .SecureJsonData.x }}`.
// The routes are read from the plugin's own plugin.json, so what is tested is what Grafana runs.
import fs from 'node:fs';
import type { ProxyOptions } from 'vite';

interface Route {
  path: string;
  url?: string;
  method?: string;
  headers?: Array<{ name: string; content: string }>;
}

/** One configured data source instance, as Grafana's server would hold it. */
export interface Instance {
  uid: string;
  jsonData: Record<string, string>;
  secureJsonData: Record<string, string>;
}

export function fillTemplate(template: string, instance: Instance): string {
  return template.replace(/\{\{\s*\.(JsonData|SecureJsonData)\.(\w+)\s*\}\}/g, (_, scope: string, key: string) => {
    const source = scope === 'JsonData' ? instance.jsonData : instance.secureJsonData;
    return source[key] ?? '';
  });
}

export function readRoutes(pluginJsonPath: string): Route[] {
  const plugin = JSON.parse(fs.readFileSync(pluginJsonPath, 'utf8')) as { routes?: Route[] };
  return plugin.routes ?? [];
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Vite proxy entries: one per instance and route, HTTP and WebSocket alike. */
export function proxyEntries(routes: Route[], instances: Instance[]): Record<string, ProxyOptions> {
  const entries: Record<string, ProxyOptions> = {};
  for (const instance of instances) {
    for (const route of routes) {
      if (!route.url) {
        continue;
      }
      const prefix = `/api/datasources/proxy/uid/${instance.uid}/${route.path.replace(/^\/+|\/+$/g, '')}`;
      const match = new RegExp(`^${escape(prefix)}(?=/|\\?|$)`);
      const headers: Record<string, string> = {};
      for (const h of route.headers ?? []) {
        headers[h.name] = fillTemplate(h.content, instance);
      }
      entries[`^${escape(prefix)}(/|\\?|$)`] = {
        target: fillTemplate(route.url, instance),
        changeOrigin: true,
        ws: true,
        headers,
        rewrite: (path) => path.replace(match, '') || '/',
        configure: (proxy) => {
          // Grafana's proxy never forwards the browser's own credentials to the data source.
          proxy.on('proxyReq', (req) => req.removeHeader('cookie'));
          proxy.on('proxyReqWs', (req) => req.removeHeader('cookie'));
          // Grafana answers 502 when it cannot reach the data source (Vite would say 500).
          proxy.on('error', (_err, _req, res) => {
            if ('writeHead' in res && !res.headersSent) {
              res.writeHead(502, { 'Content-Type': 'application/json' });
              res.end(JSON.stringify({ message: 'Bad Gateway' }));
            }
          });
        },
      };
    }
  }
  return entries;
}
