# syntax=docker/dockerfile:1
# Sluice and its Grafana. Targets:
#   runtime (default)  the `sluice` command: ingest, query, migrate, keys
#   grafana            Grafana with Sluice's data source and funnel panel built in
# Node 20 on Debian bookworm: the uWebSockets.js build Sluice uses needs glibc 2.36 and Node 20's ABI.
ARG NODE_IMAGE=node:20.20.2-bookworm-slim
ARG GRAFANA_IMAGE=grafana/grafana:12.4.10

# All dependencies, dev ones included, for the TypeScript build. `npm install` with the lockfile,
# not `npm ci`: chdb lists platform libraries that the registry does not have, which `npm ci`
# takes for a lockfile out of sync.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --ignore-scripts --no-audit --no-fund

FROM deps AS build
COPY tsconfig.json ./
COPY core ./core
COPY schema ./schema
COPY ingest ./ingest
COPY query ./query
RUN npx tsc -p . && test -f dist/core/cli.js

# Production dependencies only. The embedded engine's library (an optional dependency, ~540 MB)
# is left out unless asked for: in this image Sluice talks to a ClickHouse server (CLICKHOUSE_URL).
# uWebSockets.js ships binaries for every platform and Node ABI: only Linux for this Node stay.
FROM ${NODE_IMAGE} AS prod-deps
ARG EMBEDDED_ENGINE=false
WORKDIR /app
COPY package.json package-lock.json ./
RUN if [ "$EMBEDDED_ENGINE" = "true" ]; then npm install --omit=dev --ignore-scripts --no-audit --no-fund; \
    else npm install --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund; fi \
    && npm cache clean --force \
    && find node_modules/uWebSockets.js/binaries -name '*.node' ! -name "uws_linux_*_$(node -p process.versions.modules).node" -delete

# The Grafana plugins, built the way grafana-plugin/README.md does (npm install, then webpack).
FROM ${NODE_IMAGE} AS plugins
WORKDIR /plugins
COPY grafana-plugin/package.json grafana-plugin/package-lock.json ./
COPY grafana-plugin/browser-test/package.json ./browser-test/
COPY grafana-plugin/datasource ./datasource
COPY grafana-plugin/funnel-panel ./funnel-panel
RUN npm install --no-audit --no-fund --workspace datasource --workspace funnel-panel \
    && npm run build --workspace datasource --workspace funnel-panel \
    && test -f datasource/dist/plugin.json && test -f funnel-panel/dist/plugin.json

FROM ${GRAFANA_IMAGE} AS grafana
# Outside /var/lib/grafana, which a data volume would hide (and keep stale across rebuilds).
# Directories are named by plugin id, as Grafana's own installer does.
ENV GF_PATHS_PLUGINS=/usr/share/grafana/sluice-plugins \
    GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS=sluice-analytics-datasource,sluice-funnel-panel
COPY --from=plugins /plugins/datasource/dist /usr/share/grafana/sluice-plugins/sluice-analytics-datasource
COPY --from=plugins /plugins/funnel-panel/dist /usr/share/grafana/sluice-plugins/sluice-funnel-panel

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    SLUICE_HOST=0.0.0.0 \
    SLUICE_DATA_DIR=/var/lib/sluice
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY --from=build /app/dist ./dist
# Read at run time: the envelope and the per-event JSON Schemas.
COPY schema/envelope.json ./schema/
COPY schema/events/*.json ./schema/events/
# uWebSockets.js falls back to a slow JavaScript server when its binary does not load (an older
# glibc, another Node ABI): load the binary itself so such an image fails to build instead.
RUN node -e "require('/app/node_modules/uWebSockets.js/binaries/uws_' + process.platform + '_' + process.arch + '_' + process.versions.modules + '.node')" \
    && ln -s /app/bin/sluice.js /usr/local/bin/sluice \
    && mkdir -p /var/lib/sluice && chown node:node /var/lib/sluice
USER node
# Spool (and, with the embedded engine, its data): one volume per instance.
VOLUME ["/var/lib/sluice"]
# SLUICE_INGEST_PORT, SLUICE_QUERY_PORT defaults.
EXPOSE 8080 8081
ENTRYPOINT ["node", "/app/bin/sluice.js"]
# No default role: compose names one (ingest, query, migrate); "start" needs EMBEDDED_ENGINE=true.
CMD ["help"]
