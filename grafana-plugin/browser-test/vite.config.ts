// The page the browser tests drive (test/grafana-browser.test.ts): the plugins' real modules
// mounted with @grafana/ui, behind an emulation of Grafana's data-source proxy.
//
// Env: PORT (default 5173); SLUICE_QUERY_URL and SLUICE_READ_KEY for data source `sluice`;
// SLUICE_WRONG_READ_KEY for a second instance `sluice-wrong-key` on the same Sluice; a third,
// `sluice-unreachable`, points where nothing listens.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

import { proxyEntries, readRoutes } from './datasource-proxy';

const here = path.dirname(fileURLToPath(import.meta.url));
const pluginRoot = path.resolve(here, '..');
const iconsDir = path.join(pluginRoot, 'node_modules/@grafana/ui/dist/public/img/icons');

const queryUrl = process.env.SLUICE_QUERY_URL ?? 'http://127.0.0.1:8081';
const instances = [
  { uid: 'sluice', jsonData: { url: queryUrl }, secureJsonData: { readKey: process.env.SLUICE_READ_KEY ?? '' } },
  {
    uid: 'sluice-wrong-key',
    jsonData: { url: queryUrl },
    secureJsonData: { readKey: process.env.SLUICE_WRONG_READ_KEY ?? 'slr_not_a_key' },
  },
  // Nothing listens on port 1: Grafana's server cannot reach this one.
  { uid: 'sluice-unreachable', jsonData: { url: 'http://127.0.0.1:1' }, secureJsonData: { readKey: 'slr_unused' } },
];

// Grafana serves @grafana/ui's icons under public/build/img/icons/.
function grafanaIcons(): Plugin {
  return {
    name: 'grafana-icons',
    configureServer(server) {
      // Anything else under public/ (fonts) is not in the packages: a plain 404, not the page.
      server.middlewares.use('/public', (req, res, next) => {
        if ((req.url ?? '').startsWith('/build/img/icons/')) {
          return next();
        }
        res.statusCode = 404;
        res.end();
      });
      server.middlewares.use('/public/build/img/icons', (req, res, next) => {
        const file = path.join(iconsDir, decodeURIComponent((req.url ?? '').split('?')[0]));
        if (!file.startsWith(iconsDir) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
          return next();
        }
        res.setHeader('Content-Type', 'image/svg+xml');
        res.setHeader('Cache-Control', 'max-age=3600');
        fs.createReadStream(file).pipe(res);
      });
    },
  };
}

const shared = [
  'react',
  'react-dom',
  '@grafana/data',
  '@grafana/ui',
  '@grafana/runtime',
  '@grafana/schema',
  '@grafana/i18n',
  '@emotion/css',
  '@emotion/react',
  'rxjs',
];

export default defineConfig({
  root: here,
  cacheDir: path.join(pluginRoot, 'node_modules/.vite/browser-test'),
  plugins: [react(), grafanaIcons()],
  logLevel: (process.env.VITE_LOG_LEVEL as 'info' | 'warn' | 'error' | 'silent' | undefined) ?? 'info',
  clearScreen: false,
  // What Grafana's frontend knows of each instance: its uid and jsonData, never its secure data.
  define: {
    __SLUICE_INSTANCES__: JSON.stringify(instances.map(({ uid, jsonData }) => ({ uid, jsonData }))),
  },
  resolve: {
    dedupe: shared,
    alias: { 'react-custom-scrollbars-2': path.join(here, 'shims/react-custom-scrollbars-2.ts') },
  },
  optimizeDeps: {
    entries: ['index.html'],
    // the shared packages and the entry points of them the page reaches
    include: [...shared, 'react/jsx-runtime', 'react/jsx-dev-runtime', 'react-dom/client', 'rxjs/operators', 'lodash'],
  },
  server: {
    host: '127.0.0.1',
    port: Number(process.env.PORT ?? 5173),
    strictPort: true,
    fs: { allow: [pluginRoot] },
    proxy: proxyEntries(readRoutes(path.join(pluginRoot, 'datasource/src/plugin.json')), instances),
    hmr: false,
    watch: null,
  },
});
