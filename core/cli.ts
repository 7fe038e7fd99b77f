// The `sluice` command.
import { parseArgs } from 'node:util';
import { createStore } from './clickhouse.js';
import { ConfigError, loadConfig, SETTINGS, type Config } from './config.js';
import { configTable } from './config-doc.js';
import { KeyStore } from './keys.js';
import { createLogger } from './logger.js';
import { startSluice, type Roles } from './runtime.js';
import { migrate } from '../schema/migrate.js';

const USAGE = `Usage: sluice <command>

  start                   ingest + query in one process (the default on the embedded engine)
  ingest                  the ingestion server only
  query                   the query service only
  migrate                 apply missing ClickHouse migrations
  projects create <id>    create a project
  keys create --project <id> --kind write|read [--name <name>]
  keys revoke <key id>
  config [--markdown]     list every setting with its default

Settings come from environment variables; see "sluice config".`;

async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help') {
    console.log(USAGE);
    return command ? 0 : 1;
  }
  if (command === 'config') {
    if (rest.includes('--markdown')) {
      console.log(configTable());
      return 0;
    }
    for (const s of Object.values(SETTINGS)) console.log(`${s.env.padEnd(32)} ${JSON.stringify(s.default).padEnd(14)} ${s.doc}`);
    return 0;
  }
  const config = loadConfig();
  switch (command) {
    case 'start':
      return serve(config, { ingest: true, query: true });
    case 'ingest':
      return serve(config, { ingest: true, query: false });
    case 'query':
      return serve(config, { ingest: false, query: true });
    case 'migrate': {
      const store = await createStore(config);
      const applied = await migrate(store, config);
      await store.close();
      console.log(applied.length ? `applied migrations ${applied.join(', ')}` : 'schema is up to date');
      return 0;
    }
    case 'projects':
    case 'keys':
      return manage(config, command, rest);
    default:
      console.error(`unknown command "${command}"\n\n${USAGE}`);
      return 1;
  }
}

async function manage(config: Config, what: string, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { project: { type: 'string' }, kind: { type: 'string' }, name: { type: 'string' } } });
  const store = await createStore(config);
  try {
    await migrate(store, config);
    const keys = new KeyStore(store);
    if (what === 'projects' && positionals[0] === 'create' && positionals[1]) {
      await keys.createProject(positionals[1]);
      console.log(`created project ${positionals[1]}`);
    } else if (what === 'keys' && positionals[0] === 'create') {
      const k = await keys.createKey(values.project ?? 'default', (values.kind ?? 'write') as 'write' | 'read', values.name ?? '');
      console.log(JSON.stringify(k));
    } else if (what === 'keys' && positionals[0] === 'revoke' && positionals[1]) {
      await keys.revokeKey(positionals[1]);
      console.log(`revoked ${positionals[1]}`);
    } else {
      console.error(USAGE);
      return 1;
    }
    return 0;
  } finally {
    await store.close();
  }
}

async function serve(config: Config, roles: Roles): Promise<number> {
  const log = createLogger(config.logLevel);
  const sluice = await startSluice(config, roles, log);
  if (sluice.bootstrapKeys) {
    // Shown once: only hashes are stored.
    console.log(`\nCreated project "default". Keep these keys; they are not shown again.\n  write key: ${sluice.bootstrapKeys.write}\n  read key:  ${sluice.bootstrapKeys.read}\n`);
  }
  if (sluice.ingestPort !== null) console.log(`ingest: http://${config.host}:${sluice.ingestPort}  (POST /v1/events, WS /v1/ws)`);
  if (sluice.queryPort !== null) console.log(`query:  http://${config.host}:${sluice.queryPort}`);
  return new Promise((resolve) => {
    const shutdown = (signal: string) => {
      log.info({ signal }, 'stopping: no new requests, flushing the spool');
      sluice.stop().then(
        () => resolve(0),
        (err) => {
          log.error({ err: (err as Error).message }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof ConfigError) console.error(err.message);
    else if ((err as { code?: string })?.code === 'CHDB_CONNECTION') {
      // One process owns an embedded data directory.
      console.error(`Cannot open the embedded ClickHouse: ${(err as Error).message}. If a Sluice runs on this data directory, use its admin API (POST /api/v1/admin/keys) or stop it first.`);
    } else console.error(err);
    process.exit(1);
  },
);
