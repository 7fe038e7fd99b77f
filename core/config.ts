// The one place that reads process.env: every setting is parsed once into a frozen,
// typed object, and an invalid value stops the start with the allowed values named.
import path from 'node:path';
import { parseBytes, parseDuration } from './units.js';

type Parser<T> = (raw: string) => T;

interface Setting<T> {
  env: string;
  default: string;
  doc: string;
  parse: Parser<T>;
}

function setting<T>(env: string, def: string, parse: Parser<T>, doc: string): Setting<T> {
  return { env, default: def, parse, doc };
}

const str: Parser<string> = (raw) => raw;
const optional: Parser<string | undefined> = (raw) => (raw === '' ? undefined : raw);

function int(min: number, max = Number.MAX_SAFE_INTEGER): Parser<number> {
  return (raw) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new Error(`must be an integer from ${min} to ${max}`);
    }
    return n;
  };
}

function duration(minMs: number): Parser<number> {
  return (raw) => {
    const ms = parseDuration(raw);
    if (ms < minMs) throw new Error(`must be at least ${minMs} ms`);
    return ms;
  };
}

function bytes(min: number): Parser<number> {
  return (raw) => {
    const n = parseBytes(raw);
    if (n < min) throw new Error(`must be at least ${min} bytes`);
    return n;
  };
}

function oneOf<T extends string>(...allowed: T[]): Parser<T> {
  return (raw) => {
    if (!(allowed as string[]).includes(raw)) throw new Error(`must be one of ${allowed.join(', ')}`);
    return raw as T;
  };
}

const port = int(0, 65535);

const httpUrl: Parser<string> = (raw) => {
  let protocol = '';
  try {
    protocol = new URL(raw).protocol;
  } catch {
    // reported below
  }
  if (protocol !== 'http:' && protocol !== 'https:') throw new Error('must be an http or https URL');
  return raw;
};

/** Every setting, its default and what it does. README's configuration table is generated from this list. */
export const SETTINGS = {
  host: setting('SLUICE_HOST', '127.0.0.1', str, 'Address the ingest and query servers bind to.'),
  ingestPort: setting('SLUICE_INGEST_PORT', '8080', port, 'Ingest server port (HTTP and WebSocket).'),
  queryPort: setting('SLUICE_QUERY_PORT', '8081', port, 'Query service port (query API, admin API, live, health, metrics).'),
  dataDir: setting('SLUICE_DATA_DIR', './data', str, 'Data directory: embedded ClickHouse files and the spool.'),
  logLevel: setting('SLUICE_LOG_LEVEL', 'info', oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'), 'Log level (pino).'),

  clickhouseUrl: setting('CLICKHOUSE_URL', '', optional, 'ClickHouse server URL. Unset: the embedded engine under SLUICE_DATA_DIR.'),
  clickhouseUser: setting('CLICKHOUSE_USER', 'default', str, 'ClickHouse server user.'),
  clickhousePassword: setting('CLICKHOUSE_PASSWORD', '', str, 'ClickHouse server password.'),
  clickhouseDatabase: setting('CLICKHOUSE_DATABASE', 'sluice', (raw) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(raw)) throw new Error('must be an identifier: letters, digits, underscore');
    return raw;
  }, 'Database holding Sluice tables.'),
  clickhouseCluster: setting('CLICKHOUSE_CLUSTER', '', (raw) => {
    if (raw !== '' && !/^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/.test(raw)) throw new Error('must be a cluster name: letters, digits, _ . -');
    return optional(raw);
  }, 'Cluster name for ON CLUSTER DDL (server mode only).'),
  redisUrl: setting('REDIS_URL', '', optional, 'Redis URL. Set: dedup windows, rate limits, the query cache and live fan-out are shared by every instance.'),
  adminToken: setting('SLUICE_ADMIN_TOKEN', '', optional, 'Bearer token for the admin API. Unset: the admin API is closed.'),

  ackTimeoutMs: setting('SLUICE_ACK_TIMEOUT', '10s', duration(100), 'How long an ack=stored request waits for its insert before 503 (events stay spooled).'),
  batchMaxRows: setting('SLUICE_BATCH_MAX_ROWS', '50000', int(1, 1_000_000), 'Most events in one ClickHouse insert.'),
  batchMaxBytes: setting('SLUICE_BATCH_MAX_BYTES', '32MiB', bytes(1024), 'Most bytes in one ClickHouse insert.'),
  batchLingerMs: setting('SLUICE_BATCH_LINGER', '20ms', duration(0), 'How long an idle sink waits for more events before inserting.'),
  insertConcurrency: setting('SLUICE_INSERT_CONCURRENCY', '1', int(1, 16), 'Inserts in flight at once. The embedded engine runs one statement at a time, so more only splits batches; a ClickHouse server can take 2-4.'),
  insertRetryMaxMs: setting('SLUICE_INSERT_RETRY_MAX', '5s', duration(10), 'Longest back-off between retries of a failed insert.'),
  spoolDir: setting('SLUICE_SPOOL_DIR', '', optional, 'Spool directory. Default: <SLUICE_DATA_DIR>/spool.'),
  spoolMaxBytes: setting('SLUICE_SPOOL_MAX_BYTES', '1GiB', bytes(1024), 'Spool bound: beyond it new requests get 503 before anything is accepted.'),

  dedupWindowMs: setting('SLUICE_DEDUP_WINDOW', '15m', duration(1000), 'Window in which a repeated event_id in a project is a duplicate.'),
  dedupMaxIds: setting('SLUICE_DEDUP_MAX_IDS', '5000000', int(1000), 'Most event ids remembered in process (oldest minutes are forgotten first).'),

  maxBodyBytes: setting('SLUICE_MAX_BODY_BYTES', '10MiB', bytes(1024), 'Largest request body or WebSocket frame (after gzip decoding too).'),
  maxEventsPerRequest: setting('SLUICE_MAX_EVENTS_PER_REQUEST', '10000', int(1), 'Most events in one request or frame.'),
  maxEventBytes: setting('SLUICE_MAX_EVENT_BYTES', '64KiB', bytes(64), 'Largest single event (its JSON text).'),
  maxProperties: setting('SLUICE_MAX_PROPERTIES', '200', int(1), 'Most keys in an event\'s properties (all levels).'),
  maxPropertyDepth: setting('SLUICE_MAX_PROPERTY_DEPTH', '5', int(1, 32), 'Deepest nesting of objects and arrays in properties.'),
  maxStringLength: setting('SLUICE_MAX_STRING_LENGTH', '8192', int(1), 'Longest string value in an event.'),
  maxFutureSkewMs: setting('SLUICE_MAX_FUTURE_SKEW', '5m', duration(0), 'How far into the future a timestamp may be.'),

  rateLimitEvents: setting('SLUICE_RATE_LIMIT_EVENTS', '250000', int(0), 'Events per second per write key (0: no limit).'),
  rateLimitBurst: setting('SLUICE_RATE_LIMIT_BURST', '2', int(1, 60), 'Seconds of events a key may send at once above the rate.'),

  wsMaxBackpressureBytes: setting('SLUICE_WS_MAX_BACKPRESSURE', '16MiB', bytes(1024), 'Unsent answer bytes per WebSocket before it is closed (a client that does not read its acks).'),
  wsIdleTimeoutMs: setting('SLUICE_WS_IDLE_TIMEOUT', '120s', duration(8000), 'WebSocket idle timeout.'),

  retentionRawDays: setting('SLUICE_RETENTION_RAW_DAYS', '30', int(1), 'Raw events TTL in days; also the oldest accepted timestamp.'),
  retention1mDays: setting('SLUICE_RETENTION_1M_DAYS', '30', int(1), 'Minute rollup TTL in days.'),
  retention1hDays: setting('SLUICE_RETENTION_1H_DAYS', '400', int(1), 'Hour rollup TTL in days.'),
  retention1dDays: setting('SLUICE_RETENTION_1D_DAYS', '0', int(0), 'Day rollup TTL in days (0: kept).'),
  retentionRejectsDays: setting('SLUICE_RETENTION_REJECTS_DAYS', '7', int(1), 'Rejected events TTL in days.'),

  jwtSecret: setting('SLUICE_JWT_SECRET', '', optional, 'HS256 secret for query-service JWTs. Unset (and no JWKS URL): JWTs are refused.'),
  jwksUrl: setting('SLUICE_JWKS_URL', '', optional, 'JWKS URL for query-service JWTs signed with public keys (RS256, ES256, EdDSA).'),
  jwtIssuer: setting('SLUICE_JWT_ISSUER', '', optional, 'Required `iss` of JWTs. Unset: not checked.'),
  jwtAudience: setting('SLUICE_JWT_AUDIENCE', '', optional, 'Required `aud` of JWTs. Unset: not checked.'),

  queryRateLimit: setting('SLUICE_QUERY_RATE_LIMIT', '20', int(0), 'Queries per second per read key or JWT subject (0: no limit); bursts of twice that.'),
  queryMaxConcurrent: setting('SLUICE_QUERY_MAX_CONCURRENT', '4', int(1, 256), 'Queries one key or subject may run at once; more get 429.'),
  queryMaxRangeMs: setting('SLUICE_QUERY_MAX_RANGE', '400d', duration(60_000), 'Longest time range of one query.'),
  queryMaxRows: setting('SLUICE_QUERY_MAX_ROWS', '100000', int(1), 'Most rows in one query answer (ClickHouse max_result_rows); export has its own bound.'),
  queryTimeoutMs: setting('SLUICE_QUERY_TIMEOUT', '30s', duration(100), 'Longest query execution (ClickHouse max_execution_time).'),
  queryMaxBodyBytes: setting('SLUICE_QUERY_MAX_BODY_BYTES', '256KiB', bytes(1024), 'Largest query document.'),
  exportMaxRows: setting('SLUICE_EXPORT_MAX_ROWS', '50000000', int(1), 'Most rows one export streams.'),
  cacheTtlMs: setting('SLUICE_CACHE_TTL', '5m', duration(0), 'How long a query answer over a closed range is cached (0: no cache).'),
  cacheFreshnessMs: setting('SLUICE_CACHE_FRESHNESS', '10s', duration(0), 'Oldest cached answer served for a range that reaches now.'),
  cacheMaxBytes: setting('SLUICE_CACHE_MAX_BYTES', '64MiB', bytes(0), 'In-process cache size (with REDIS_URL the cache lives in Redis).'),
  liveIntervalMs: setting('SLUICE_LIVE_INTERVAL', '5s', duration(500), 'Shortest interval between re-queries of one live subscription.'),
  liveMaxSubscriptions: setting('SLUICE_LIVE_MAX_SUBSCRIPTIONS', '1000', int(1), 'Most live subscriptions one process serves.'),

  smtpUrl: setting('SLUICE_SMTP_URL', '', optional, 'SMTP server for alert emails, e.g. smtp://user:pass@host:587 (smtps:// for TLS). Unset: email notifications are skipped.'),
  smtpFrom: setting('SLUICE_SMTP_FROM', 'sluice@localhost', str, 'From address of alert emails.'),
  twilioAccountSid: setting('SLUICE_TWILIO_ACCOUNT_SID', '', optional, 'Twilio account SID for alert SMS. Unset: SMS notifications are skipped.'),
  twilioAuthToken: setting('SLUICE_TWILIO_AUTH_TOKEN', '', optional, 'Twilio auth token (never logged or returned).'),
  twilioFrom: setting('SLUICE_TWILIO_FROM', '', optional, 'Twilio sender number (E.164) of alert SMS.'),
  twilioBaseUrl: setting('SLUICE_TWILIO_BASE_URL', 'https://api.twilio.com', httpUrl, 'Base URL of Twilio\'s REST API.'),
  notifyAttempts: setting('SLUICE_NOTIFY_ATTEMPTS', '3', int(1, 10), 'Attempts per notification target before it is recorded as failed.'),
  notifyTimeoutMs: setting('SLUICE_NOTIFY_TIMEOUT', '3s', duration(100), 'Longest single notification attempt (HTTP request or SMTP send).'),
  notifyBackoffMs: setting('SLUICE_NOTIFY_BACKOFF', '500ms', duration(0), 'Delay before the first retry of a notification; doubles for each later one, each delay jittered between half and all of it.'),

  alerts: setting('SLUICE_ALERTS', 'on', (raw) => oneOf('on', 'off')(raw) === 'on', 'Alert rule evaluation in `sluice start` and `sluice query` (on, off). The alerts API answers either way.'),
  alertMinIntervalMs: setting('SLUICE_ALERT_MIN_INTERVAL', '10s', duration(1000), 'Shortest evaluation interval (`every`) an alert rule may have.'),
  alertTickS: setting('SLUICE_ALERT_TICK', '1', int(1, 59), 'Seconds between the alert scheduler\'s checks for due rules.'),
  alertLockTtlMs: setting('SLUICE_ALERT_LOCK_TTL', '15s', duration(1000), 'With REDIS_URL: expiry of the lock that lets one instance evaluate alerts; another takes over this long after the holder dies.'),
  alertTimeoutMs: setting('SLUICE_ALERT_TIMEOUT', '30s', duration(100), 'Longest evaluation of one alert rule; a slower one is recorded as an error on the rule.'),

  shutdownTimeoutMs: setting('SLUICE_SHUTDOWN_TIMEOUT', '30s', duration(100), 'Longest graceful shutdown (flush) on SIGTERM.'),
} as const;

type Settings = typeof SETTINGS;
type Parsed = { [K in keyof Settings]: ReturnType<Settings[K]['parse']> };

export type Config = Readonly<Parsed & { spoolPath: string; embedded: boolean }>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Record<keyof Settings, string>> = {}): Config {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(SETTINGS) as [keyof Settings, Setting<unknown>][]) {
    const raw = overrides[key] ?? env[s.env] ?? s.default;
    try {
      out[key] = s.parse(raw.trim());
    } catch (err) {
      problems.push(`${s.env}=${JSON.stringify(raw)}: ${(err as Error).message}`);
    }
  }
  if (out.clickhouseCluster !== undefined && out.clickhouseUrl === undefined) problems.push('CLICKHOUSE_CLUSTER needs CLICKHOUSE_URL: a cluster is made of ClickHouse servers');
  if (problems.length > 0) throw new ConfigError(problems);
  const parsed = out as Parsed;
  const dataDir = path.resolve(parsed.dataDir);
  return Object.freeze({
    ...parsed,
    dataDir,
    spoolPath: path.resolve(parsed.spoolDir ?? path.join(dataDir, 'spool')),
    embedded: parsed.clickhouseUrl === undefined,
  });
}
