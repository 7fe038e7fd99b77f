// The Docker Compose stack, Dockerfile and their configs, checked without a Docker engine: the
// compose file against the Compose Specification schema and a compose linter, the Dockerfile
// with a Dockerfile linter, and everything they name against the code: settings, ports, routes,
// CLI commands, paths, plugin ids, image versions. The key bootstrap script runs for real.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Ajv } from 'ajv';
import { DCLinter } from 'dclint';
import { validate as lintDockerfile } from 'dockerfile-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { createStore } from '../core/clickhouse.js';
import { loadConfig, SETTINGS } from '../core/config.js';
import { KeyStore } from '../core/keys.js';
import { ROOT, rootPath } from '../core/paths.js';
import { parseBytes, parseDuration } from '../core/units.js';
import { tempDir } from './helpers/sluice.js';

const read = (p: string): string => fs.readFileSync(rootPath(p), 'utf8');
const COMPOSE_FILE = rootPath('docker-compose.yml');
const COMPOSE_TEXT = read('docker-compose.yml');
const compose = parseYaml(COMPOSE_TEXT, { merge: true }) as any;
const services = compose.services as Record<string, any>;

const SETTING_BY_ENV = new Map(Object.values(SETTINGS).map((s) => [s.env as string, s]));
const ENV_PREFIX = /^(SLUICE|CLICKHOUSE|REDIS)_/;

// ---- Compose helpers -------------------------------------------------------------------------

/** `${VAR:-default}` / `${VAR}` as Compose resolves them with nothing set in the environment. */
const interpolate = (v: string): string => v.replace(/\$\{(\w+)(?::?-([^}]*))?\}/g, (_, _name, def) => def ?? '');

function envOf(service: any): Record<string, string> {
  const env = service.environment ?? {};
  const pairs: [string, unknown][] = Array.isArray(env) ? env.map((e: string) => [e.split('=')[0], e.split('=').slice(1).join('=')]) : Object.entries(env);
  return Object.fromEntries(pairs.map(([k, v]) => [k, interpolate(v === null || v === undefined ? '' : String(v))]));
}

/** Services running the Sluice image (they share the runtime build). */
const SLUICE = Object.entries(services).filter(([, s]) => s.build?.target === 'runtime').map(([n]) => n);
const roleOf = (name: string): string | undefined => (Array.isArray(services[name].command) ? services[name].command[0] : undefined);
const withRole = (role: string): string[] => SLUICE.filter((n) => roleOf(n) === role);

/** Short-syntax volumes as [source, target]. */
const volumesOf = (service: any): [string, string][] => (service.volumes ?? []).map((v: string) => v.split(':').slice(0, 2) as [string, string]);

const healthUrl = (service: any): URL | null => {
  const m = /https?:\/\/[^\s'"`)]+/.exec((service.healthcheck?.test ?? []).join(' '));
  return m ? new URL(m[0]) : null;
};

// ---- Dockerfile helpers ----------------------------------------------------------------------

interface Instruction {
  op: string;
  args: string;
  stage: string;
}

function parseDockerfile(text: string): { instructions: Instruction[]; args: Record<string, string>; stages: { name: string; from: string }[] } {
  const lines = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const args: Record<string, string> = {};
  const stages: { name: string; from: string }[] = [];
  const instructions: Instruction[] = [];
  for (const line of lines) {
    const [, op, rest] = /^(\w+)\s+(.*)$/.exec(line)!;
    const OP = op.toUpperCase();
    if (OP === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?/i.exec(rest)!;
      stages.push({ from: m[1].replace(/\$\{(\w+)\}/g, (_, a) => args[a] ?? ''), name: m[2] ?? String(stages.length) });
    } else if (OP === 'ARG' && stages.length === 0) {
      const [k, v] = rest.split('=');
      args[k] = v ?? '';
    }
    instructions.push({ op: OP, args: rest, stage: stages.at(-1)?.name ?? '' });
  }
  return { instructions, args, stages };
}

const DOCKERFILE_TEXT = read('Dockerfile');
const dockerfile = parseDockerfile(DOCKERFILE_TEXT);
const inStage = (stage: string, op: string): Instruction[] => dockerfile.instructions.filter((i) => i.stage === stage && i.op === op);
const runtimeEnv = (): Record<string, string> =>
  Object.fromEntries(inStage('runtime', 'ENV').flatMap((i) => [...i.args.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1], m[2]])));

/** .dockerignore patterns as Docker matches them: anchored at the context root; a match on a parent excludes its contents. */
function dockerIgnored(file: string): boolean {
  const patterns = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const toRegex = (p: string) => new RegExp(`^${p.replace(/\/+$/, '').replace(/[.+^$()|[\]{}]/g, '\\$&').replace(/\*\*\/?/g, '\u0000').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]').replace(/\u0000/g, '(?:.*/)?')}$`);
  const parts = file.split('/');
  let ignored = false;
  for (const p of patterns) {
    const negate = p.startsWith('!');
    const re = toRegex(negate ? p.slice(1) : p);
    if (parts.some((_, i) => re.test(parts.slice(0, i + 1).join('/')))) ignored = !negate;
  }
  return ignored;
}

// ---- Code facts ------------------------------------------------------------------------------

/** Routes both servers answer: the ones registerOps adds, as long as each server calls it. */
const OPS_ROUTES = [...read('core/http-util.ts').matchAll(/app\.get\('([^']+)'/g)].map((m) => m[1]);
/** CLI commands: the `case` labels of cli.ts's dispatch. */
const CLI_COMMANDS = [...read('core/cli.ts').matchAll(/case '([a-z]+)':/g)].map((m) => m[1]);

function nginxSize(v: string): number {
  const m = /^(\d+)([kmg]?)$/i.exec(v)!;
  return Number(m[1]) * { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g'];
}
const nginxSeconds = (v: string): number => parseDuration(v) / 1000;

// ---------------------------------------------------------------------------------------------

describe('docker-compose.yml', () => {
  const schemaPath = path.join(path.dirname(createRequire(import.meta.url).resolve('dclint/package.json')), 'schemas', 'compose.schema.json');
  // A draft-07 schema (Ajv's default draft); its $schema spells the meta-schema's URL as https.
  const { $schema: _draft, ...schema } = JSON.parse(fs.readFileSync(schemaPath, 'utf8'));
  const validateCompose = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true }).compile(schema);

  it('is valid against the Compose Specification schema, which refuses a broken copy', () => {
    expect(validateCompose(compose), JSON.stringify(validateCompose.errors)).toBe(true);
    const broken = structuredClone(compose);
    broken.services.query.depends_on.migrate.condition = 'service_done';
    broken.services.lb.healthcheck.intervall = '10s';
    expect(validateCompose(broken)).toBe(false);
    expect(validateCompose.errors!.map((e) => e.instancePath)).toEqual(expect.arrayContaining(['/services/query/depends_on/migrate/condition', '/services/lb/healthcheck']));
  });

  it('passes the compose linter (pinned tags, bound and unique ports, no version field)', () => {
    const style = 0; // ordering rules are taste; build with image is how the Sluice services share one build
    const linter = new DCLinter({
      quiet: true,
      debug: false,
      exclude: [],
      rules: {
        'no-build-and-image': 0,
        'service-keys-order': style,
        'services-alphabetical-order': style,
        'service-dependencies-alphabetical-order': style,
        'service-ports-alphabetical-order': style,
        'top-level-properties-order': style,
        'require-quotes-in-ports': [2, { quoteType: 'double' }],
        'no-unbound-port-interfaces': 2,
        'service-image-require-explicit-tag': 2,
        'no-duplicate-exported-ports': 2,
        'no-duplicate-container-names': 2,
        'no-quotes-in-volumes': 2,
        'no-version-field': 2,
        'require-project-name-field': 2,
        'service-container-name-regex': 2,
      },
    });
    const [result] = linter.lintFiles([COMPOSE_FILE], false);
    expect(result.messages).toEqual([]);
  });

  it('runs ClickHouse, Redis, migrate, two ingest replicas behind a load balancer, query, Grafana and k6', () => {
    expect(services.clickhouse.image).toMatch(/^clickhouse\/clickhouse-server:/);
    expect(services.redis.image).toMatch(/^redis:/);
    expect(roleOf('migrate')).toBe('migrate');
    expect(withRole('ingest')).toHaveLength(2);
    expect(withRole('query')).toHaveLength(1);
    expect(services.grafana.build.target).toBe('grafana');
    expect(services.k6.image).toMatch(/^grafana\/k6:/);
    expect(services.k6.profiles).toEqual(['load']);
    // Only the load balancer publishes the ingest port.
    expect(withRole('ingest').every((n) => !services[n].ports)).toBe(true);
  });

  it('gives Sluice services only real settings, with values Sluice accepts', () => {
    const imageEnv = runtimeEnv();
    for (const name of SLUICE) {
      const env = envOf(services[name]);
      const unknown = Object.keys(env).filter((k) => ENV_PREFIX.test(k) && !SETTING_BY_ENV.has(k));
      expect(unknown, name).toEqual([]);
      const config = loadConfig({ ...imageEnv, ...env }); // throws on an invalid value
      expect(config.embedded, `${name} talks to the ClickHouse server`).toBe(false);
      expect(config.host, `${name} listens beyond its container`).toBe('0.0.0.0');
      expect(new URL(config.clickhouseUrl!).hostname).toBe('clickhouse');
      expect(services[new URL(config.redisUrl!).hostname], 'REDIS_URL names a service').toBeDefined();
      expect(env.CLICKHOUSE_USER).toBe(envOf(services.clickhouse).CLICKHOUSE_USER);
      expect(env.CLICKHOUSE_PASSWORD).toBe(envOf(services.clickhouse).CLICKHOUSE_PASSWORD);
    }
    expect(Object.keys(imageEnv).filter((k) => ENV_PREFIX.test(k) && !SETTING_BY_ENV.has(k))).toEqual([]);
    expect(envOf(services.query).SLUICE_ADMIN_TOKEN).toBeDefined();
  });

  it("gives Grafana and k6 the variables their files read, and nothing else of Sluice's", () => {
    const provisioning = read('grafana-plugin/provisioning/datasources/sluice.yml').replace(/#.*$/gm, '');
    const grafanaReads = new Set([...provisioning.matchAll(/\$\{?(\w+)/g)].map((m) => m[1]));
    const grafanaEnv = Object.keys(envOf(services.grafana)).filter((k) => k.startsWith('SLUICE_'));
    expect(new Set(grafanaEnv)).toEqual(grafanaReads);
    expect(envOf(services.grafana).SLUICE_QUERY_URL).toBe(`http://${withRole('query')[0]}:${SETTINGS.queryPort.default}`);

    const k6Sources = ['load-tests/ingest-http.js', 'load-tests/query-mix.js', ...fs.readdirSync(rootPath('load-tests/lib')).map((f) => `load-tests/lib/${f}`)].map(read).join('\n');
    // K6_* are k6's own options; the rest must be read by a script.
    for (const name of Object.keys(envOf(services.k6)).filter((n) => !n.startsWith('K6_'))) {
      expect(k6Sources, `${name} is read by a k6 script`).toMatch(new RegExp(`__ENV\\.${name}\\b|['"]${name}['"]`));
    }
    expect(new URL(envOf(services.k6).SLUICE_INGEST_URL).hostname).toBe('lb');
    expect(services.k6.command).toEqual(['run', '/scripts/ingest-http.js']);
    expect(volumesOf(services.k6)).toContainEqual(['./load-tests', '/scripts']);
  });

  it('uses the configured ports everywhere: healthchecks, published ports, the load balancer, EXPOSE', () => {
    const ingestPort = Number(SETTINGS.ingestPort.default);
    const queryPort = Number(SETTINGS.queryPort.default);
    for (const name of withRole('ingest')) expect(Number(healthUrl(services[name])!.port), name).toBe(ingestPort);
    for (const name of withRole('query')) {
      expect(Number(healthUrl(services[name])!.port), name).toBe(queryPort);
      expect(services[name].ports).toEqual([`127.0.0.1:${queryPort}:${queryPort}`]);
    }
    const nginx = read('deploy/nginx/sluice-ingest.conf');
    const listen = Number(/^\s*listen\s+(\d+);/m.exec(nginx)![1]);
    expect(services.lb.ports).toEqual([`127.0.0.1:${ingestPort}:${listen}`]);
    const exposed = inStage('runtime', 'EXPOSE').flatMap((i) => i.args.split(/\s+/).map(Number));
    expect(exposed.sort()).toEqual([ingestPort, queryPort].sort());
  });

  it('health-checks Sluice services on /readyz, a route both servers answer', () => {
    for (const server of ['ingest/server.ts', 'query/server.ts']) expect(read(server)).toMatch(/registerOps\(app,/);
    expect(OPS_ROUTES).toEqual(expect.arrayContaining(['/healthz', '/readyz', '/metrics']));
    for (const name of [...withRole('ingest'), ...withRole('query')]) {
      const url = healthUrl(services[name])!;
      expect(url.pathname, name).toBe('/readyz');
      expect(url.hostname).toBe('127.0.0.1');
    }
    expect(OPS_ROUTES).toContain(healthUrl(services.lb)!.pathname);
    expect(services.clickhouse.healthcheck.test.join(' ')).toContain('SELECT 1');
    expect(services.redis.healthcheck.test).toEqual(['CMD', 'redis-cli', 'ping']);
  });

  it('runs sluice CLI commands, after a successful migrate', () => {
    for (const name of SLUICE.filter((n) => roleOf(n))) expect(CLI_COMMANDS, name).toContain(roleOf(name));
    expect(services.migrate.restart).toBe('no');
    for (const name of [...withRole('ingest'), ...withRole('query')]) {
      expect(services[name].depends_on.migrate, name).toEqual({ condition: 'service_completed_successfully' });
    }
    expect(services.migrate.depends_on.clickhouse.condition).toBe('service_healthy');
  });

  it('names only existing services in depends_on, without a cycle', () => {
    const deps = (n: string): string[] => Object.keys(services[n].depends_on ?? {});
    for (const name of Object.keys(services)) for (const d of deps(name)) expect(services[d], `${name} -> ${d}`).toBeDefined();
    const done = new Set<string>();
    const visit = (n: string, path: string[]): void => {
      expect(path, `cycle ${[...path, n].join(' -> ')}`).not.toContain(n);
      if (done.has(n)) return;
      for (const d of deps(n)) visit(d, [...path, n]);
      done.add(n);
    };
    for (const name of Object.keys(services)) visit(name, []);
    // Exactly one process bootstraps project "default": ingest starts after query is healthy.
    for (const name of withRole('ingest')) expect(services[name].depends_on.query.condition).toBe('service_healthy');
  });

  it('pins every image to a version: ClickHouse with the JSON type, Grafana the plugins accept, k6 as install-k6.sh', () => {
    const stages = new Set(dockerfile.stages.map((s) => s.name));
    const bases = dockerfile.stages.map((s) => s.from).filter((from) => !stages.has(from));
    const images = [...Object.values(services).map((s) => s.image as string), ...bases].filter((i) => i && !/^(sluice|sluice-grafana):/.test(i));
    for (const image of images) {
      const tag = /:([^/:@]+)$/.exec(image)?.[1] ?? '';
      expect(tag, image).toMatch(/^\d+(\.\d+)+(-[a-z]+)*$/);
    }

    const version = (image: string): number[] => /:(\d+(?:\.\d+)*)/.exec(image)![1].split('.').map(Number);
    const atLeast = (v: number[], min: number[]): boolean => {
      for (let i = 0; i < min.length; i++) if ((v[i] ?? 0) !== min[i]) return (v[i] ?? 0) > min[i];
      return true;
    };
    // The JSON column type without an experimental setting, and the release the embedded
    // engine is built from: the one every test suite runs on.
    expect(atLeast(version(services.clickhouse.image), [25, 3])).toBe(true);
    const chdb = JSON.parse(read('node_modules/chdb/package.json'));
    const embedded = /^(\d+\.\d+\.\d+)/.exec(chdb.optionalDependencies['@chdb/lib-linux-x64-gnu'])![1];
    expect(version(services.clickhouse.image).join('.'), `chdb ${chdb.version} embeds ClickHouse ${embedded}`).toBe(embedded);
    const grafanaFrom = dockerfile.stages.find((s) => s.name === 'grafana')!.from;
    expect(grafanaFrom).toMatch(/^grafana\/grafana:/);
    for (const manifest of ['grafana-plugin/datasource/src/plugin.json', 'grafana-plugin/funnel-panel/src/plugin.json']) {
      const dep: string = JSON.parse(read(manifest)).dependencies.grafanaDependency;
      const [, min] = /^>=\s*(\d+(?:\.\d+)*)$/.exec(dep)!;
      expect(atLeast(version(grafanaFrom), min.split('.').map(Number)), `${grafanaFrom} ${dep}`).toBe(true);
    }
    const k6Version = /K6_VERSION="\$\{K6_VERSION:-([\d.]+)\}"/.exec(read('scripts/install-k6.sh'))![1];
    expect(services.k6.image).toBe(`grafana/k6:${k6Version}`);
  });

  it('mounts only paths that exist in the repository', () => {
    const named = new Set(Object.keys(compose.volumes));
    for (const [name, service] of Object.entries(services)) {
      for (const [source] of volumesOf(service)) {
        if (source.startsWith('.')) expect(fs.existsSync(rootPath(source)), `${name}: ${source}`).toBe(true);
        else expect(named.has(source), `${name}: volume ${source} is declared`).toBe(true);
      }
    }
    expect(volumesOf(services.grafana)).toContainEqual(['./grafana-plugin/provisioning', '/etc/grafana/provisioning']);
    expect(volumesOf(services.lb)).toContainEqual(['./deploy/nginx/sluice-ingest.conf', '/etc/nginx/conf.d/default.conf']);
  });

  it('keeps a spool volume per ingest replica at its data directory', () => {
    const dataDir = runtimeEnv().SLUICE_DATA_DIR;
    const spools = withRole('ingest').map((n) => {
      const env = { ...runtimeEnv(), ...envOf(services[n]) };
      const spoolPath = loadConfig(env).spoolPath;
      const mount = volumesOf(services[n]).find(([, target]) => spoolPath.startsWith(`${target}/`))!;
      expect(mount, `${n} mounts a volume over ${spoolPath}`).toBeDefined();
      expect(mount[1]).toBe(dataDir);
      return mount[0];
    });
    expect(new Set(spools).size).toBe(spools.length);
  });

  it('lets a stop flush: the grace period outlasts SLUICE_SHUTDOWN_TIMEOUT', () => {
    for (const name of [...withRole('ingest'), ...withRole('query')]) {
      const shutdown = loadConfig({ ...runtimeEnv(), ...envOf(services[name]) }).shutdownTimeoutMs;
      expect(parseDuration(services[name].stop_grace_period), name).toBeGreaterThan(shutdown);
    }
  });

  it('gives Grafana both plugins under their ids, unsigned allowed, and the provisioning', () => {
    const ids = ['datasource', 'funnel-panel'].map((p) => JSON.parse(read(`grafana-plugin/${p}/src/plugin.json`)).id as string);
    const copied = inStage('grafana', 'COPY').map((i) => i.args.split(/\s+/));
    const pluginsDir = /GF_PATHS_PLUGINS=(\S+)/.exec(inStage('grafana', 'ENV').map((i) => i.args).join(' '))![1];
    for (const [i, project] of ['datasource', 'funnel-panel'].entries()) {
      expect(copied).toContainEqual(['--from=plugins', `/plugins/${project}/dist`, `${pluginsDir}/${ids[i]}`]);
    }
    const allowed = envOf(services.grafana).GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS.split(',');
    expect(allowed.sort()).toEqual([...ids].sort());
    expect(inStage('grafana', 'ENV').map((i) => i.args).join(' ')).toContain(`GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS=${ids.join(',')}`);
    const datasource = read('grafana-plugin/provisioning/datasources/sluice.yml');
    expect(datasource).toContain(`type: ${ids[0]}`);
  });

  it('hands the bootstrapped keys to Grafana and k6 through the keys volume', () => {
    const script = read('deploy/bootstrap-keys.sh');
    const defaultDir = /dir="\$\{1:-([^}]+)\}"/.exec(script)![1];
    expect(volumesOf(services.keys)).toContainEqual(['keys', defaultDir]);
    expect(volumesOf(services.keys)).toContainEqual(['./deploy/bootstrap-keys.sh', services.keys.entrypoint[1]]);
    for (const name of ['grafana', 'k6']) {
      const entry = services[name].entrypoint.join(' ');
      const dirs = [...entry.matchAll(/cat (\S+)\/(read|write)-key/g)].map((m) => m[1]);
      expect(dirs.length, name).toBeGreaterThan(0);
      for (const dir of dirs) expect(volumesOf(services[name])).toContainEqual(['keys', dir]);
      expect(services[name].depends_on.keys.condition).toBe('service_completed_successfully');
    }
  });
});

describe('deploy/env.example and README', () => {
  it('lists only variables the compose file reads, and the README shows the way in', () => {
    const example = read('deploy/env.example').split('\n').filter((l) => /^\w+=/.test(l)).map((l) => l.split('=')[0]);
    const interpolated = new Set([...COMPOSE_TEXT.matchAll(/(?<!\$)\$\{(\w+)/g)].map((m) => m[1]));
    expect(example.length).toBeGreaterThan(0);
    for (const name of example) expect(interpolated, name).toContain(name);
    const readme = read('README.md');
    const section = readme.slice(readme.indexOf('## Run the stack with Docker Compose'), readme.indexOf('## Test'));
    expect(section).toContain('cp deploy/env.example .env');
    expect(section).toContain(`127.0.0.1:${SETTINGS.ingestPort.default}`);
    expect(section).toContain(`127.0.0.1:${SETTINGS.queryPort.default}`);
    for (const [, sub] of section.matchAll(/sluice (\w+) create/g)) expect(CLI_COMMANDS).toContain(sub);
    expect(section).toContain('EMBEDDED_ENGINE=true');
    expect(DOCKERFILE_TEXT).toContain('ARG EMBEDDED_ENGINE=false');
  });
});

describe('deploy/nginx/sluice-ingest.conf', () => {
  const conf = read('deploy/nginx/sluice-ingest.conf');
  const upstream = /upstream\s+(\w+)\s*\{([^}]*)\}/.exec(conf)!;

  it('balances over exactly the ingest services, on the ingest port', () => {
    const servers = [...upstream[2].matchAll(/^\s*server\s+([\w.-]+):(\d+)/gm)].map((m) => [m[1], Number(m[2])]);
    expect(servers.map(([h]) => h).sort()).toEqual(withRole('ingest').sort());
    for (const [, port] of servers) expect(port).toBe(Number(SETTINGS.ingestPort.default));
    for (const pass of conf.matchAll(/proxy_pass\s+http:\/\/(\w+);/g)) expect(pass[1]).toBe(upstream[1]);
    expect(Object.keys(services.lb.depends_on).sort()).toEqual(withRole('ingest').sort());
  });

  it('upgrades /v1/ws to WebSocket and keeps it open longer than Sluice\'s idle timeout', () => {
    const ws = /location\s*=\s*\/v1\/ws\s*\{([^}]*)\}/.exec(conf)![1];
    expect(read('ingest/server.ts')).toContain("registerWebSocket(app, '/v1/ws'");
    expect(ws).toMatch(/proxy_set_header\s+Upgrade\s+\$http_upgrade;/);
    expect(ws).toMatch(/proxy_set_header\s+Connection\s+\$connection_upgrade;/);
    expect(conf).toMatch(/map\s+\$http_upgrade\s+\$connection_upgrade/);
    expect(conf).toMatch(/proxy_http_version\s+1\.1;/);
    const readTimeout = nginxSeconds(/proxy_read_timeout\s+(\w+);/.exec(ws)![1]);
    expect(readTimeout * 1000).toBeGreaterThan(parseDuration(SETTINGS.wsIdleTimeoutMs.default));
  });

  it('passes bodies as large as Sluice takes, and waits longer than an ack=stored answer may', () => {
    const max = nginxSize(/client_max_body_size\s+(\w+);/.exec(conf)![1]);
    expect(max).toBeGreaterThanOrEqual(parseBytes(SETTINGS.maxBodyBytes.default));
    const serverBlockTimeout = nginxSeconds(/^ {4}proxy_read_timeout\s+(\w+);/m.exec(conf)![1]);
    expect(serverBlockTimeout * 1000).toBeGreaterThan(parseDuration(SETTINGS.ackTimeoutMs.default));
    // A POST that reached a replica is never replayed on the other: it may have been stored.
    expect(/^\s*proxy_next_upstream\s+([^;]*);/m.exec(conf)![1]).not.toContain('non_idempotent');
  });
});

describe('Dockerfile', () => {
  it('passes the Dockerfile linter', async () => {
    const problems = await lintDockerfile(DOCKERFILE_TEXT);
    expect(problems.map((p) => `${p.range.start.line + 1}: ${p.message}`)).toEqual([]);
  });

  it('builds in stages and ends on a slim, non-root runtime with the sluice CLI as entrypoint', () => {
    expect(dockerfile.stages.map((s) => s.name)).toEqual(expect.arrayContaining(['deps', 'build', 'prod-deps', 'plugins', 'grafana', 'runtime']));
    expect(dockerfile.stages.at(-1)!.name).toBe('runtime');
    // uWebSockets.js (the aliased build) ships Node 20's ABI and needs glibc 2.36: Debian bookworm.
    expect(dockerfile.args.NODE_IMAGE).toMatch(/^node:20\.\d+\.\d+-bookworm-slim$/);
    expect(fs.existsSync(rootPath('node_modules/uWebSockets.js/binaries/uws_linux_x64_115.node'))).toBe(true);
    for (const stage of ['deps', 'prod-deps', 'plugins', 'runtime']) expect(dockerfile.stages.find((s) => s.name === stage)!.from).toBe(dockerfile.args.NODE_IMAGE);
    const prodInstall = inStage('prod-deps', 'RUN').map((i) => i.args).join(' ');
    expect(prodInstall).toMatch(/npm install --omit=dev --omit=optional/);
    // The binary the runtime stage loads to prove it works is one the prune keeps.
    expect(prodInstall).toContain('! -name "uws_linux_*_$(node -p process.versions.modules).node" -delete');
    expect(inStage('runtime', 'RUN').map((i) => i.args).join(' ')).toContain("require('/app/node_modules/uWebSockets.js/binaries/uws_' + process.platform");
    expect(inStage('build', 'RUN').map((i) => i.args).join(' ')).toMatch(/tsc -p \./);
    expect(inStage('runtime', 'USER').map((i) => i.args)).toEqual(['node']);
    const pkg = JSON.parse(read('package.json'));
    expect(inStage('runtime', 'ENTRYPOINT')[0].args).toBe(`["node", "/app/${pkg.bin.sluice}"]`);
    expect(read(pkg.bin.sluice)).toContain("import '../dist/core/cli.js'");
    expect(inStage('runtime', 'VOLUME')[0].args).toBe(`["${runtimeEnv().SLUICE_DATA_DIR}"]`);
  });

  it('copies what the build and the runtime read, from paths that exist and the context keeps', () => {
    const sources = dockerfile.instructions
      .filter((i) => i.op === 'COPY' && !i.args.startsWith('--from'))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    for (const source of sources) {
      const matches = source.includes('*') ? fs.readdirSync(rootPath(path.dirname(source))).filter((f) => new RegExp(`^${path.basename(source).replace('.', '\\.').replace('*', '.*')}$`).test(f)) : [source];
      expect(matches.length, source).toBeGreaterThan(0);
      if (!source.includes('*')) expect(fs.existsSync(rootPath(source)), source).toBe(true);
      expect(dockerIgnored(source), `${source} is excluded by .dockerignore`).toBe(false);
    }
    // Every folder tsc compiles is in the build stage.
    const tsconfig = JSON.parse(read('tsconfig.json'));
    const compiled = [...new Set((tsconfig.include as string[]).map((p) => p.split('/')[0]))];
    const buildCopies = inStage('build', 'COPY').map((i) => i.args.split(/\s+/)[0]);
    expect(buildCopies).toEqual(expect.arrayContaining([...compiled, 'tsconfig.json']));
    // What the registry reads at run time (schema/registry.ts).
    expect(sources).toEqual(expect.arrayContaining(['schema/envelope.json', 'schema/events/*.json', 'package.json', 'bin']));
    // The context leaves out what a host build or install made.
    for (const p of ['node_modules/ajv', 'dist/core/cli.js', 'grafana-plugin/datasource/dist/module.js', 'grafana-plugin/node_modules/x', '.git/HEAD']) {
      expect(dockerIgnored(p), p).toBe(true);
    }
  });
});

describe('deploy/bootstrap-keys.sh', () => {
  const dir = tempDir('sluice-keys-');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('creates a read and a write key of project "default" once, which Sluice accepts', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, SLUICE_DATA_DIR: path.join(dir, 'data'), SLUICE_LOG_LEVEL: 'warn', KEYS_CLI: `${process.execPath} ${path.join(ROOT, 'bin/sluice.js')}` };
    delete env.CLICKHOUSE_URL;
    const keysDir = path.join(dir, 'keys');
    fs.mkdirSync(keysDir);
    execFileSync(process.execPath, [path.join(ROOT, 'bin/sluice.js'), 'projects', 'create', 'default'], { env });
    const run = () => execFileSync('sh', [rootPath('deploy/bootstrap-keys.sh'), keysDir], { env, encoding: 'utf8' });
    expect(run()).toContain('created a read key');
    const first = { read: fs.readFileSync(path.join(keysDir, 'read-key'), 'utf8'), write: fs.readFileSync(path.join(keysDir, 'write-key'), 'utf8') };
    expect(first.read).toMatch(/^slr_[\w-]{32}$/);
    expect(first.write).toMatch(/^slw_[\w-]{32}$/);
    expect(run()).toContain('read key exists');
    expect(fs.readFileSync(path.join(keysDir, 'read-key'), 'utf8')).toBe(first.read);

    const store = await createStore(loadConfig({ SLUICE_DATA_DIR: env.SLUICE_DATA_DIR }));
    try {
      const keys = new KeyStore(store);
      expect(await keys.lookup(first.read)).toMatchObject({ project_id: 'default', kind: 'read' });
      expect(await keys.lookup(first.write)).toMatchObject({ project_id: 'default', kind: 'write' });
    } finally {
      await store.close();
    }
  });
});
