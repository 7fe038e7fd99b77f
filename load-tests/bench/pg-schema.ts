// The PostgreSQL peer's schema, as a team would write it for this workload: one events table
// (envelope columns typed, properties as jsonb), a BRIN index on time, btree indexes for
// "this event in this range" and "this user's events" (funnels, retention), a GIN index for
// property filters, and materialized views holding the dashboard rollups. The views are
// stale until REFRESH MATERIALIZED VIEW runs; Sluice's rollups are kept on every insert.
import type { GeneratedEvent } from '../generate-events.js';
import { quantile } from './pg-queries.js';

export const TABLE = `CREATE TABLE events (
  project_id text NOT NULL,
  event text NOT NULL,
  ts timestamptz NOT NULL,
  event_id text NOT NULL,
  received_at timestamptz NOT NULL,
  user_id text NOT NULL,
  session_id text NOT NULL,
  correlation_id text NOT NULL,
  source text NOT NULL,
  properties jsonb NOT NULL
)`;

export const COPY_COLUMNS = 'project_id, event, ts, event_id, received_at, user_id, session_id, correlation_id, source, properties';

export const INDEXES: [string, string][] = [
  ['events_ts_brin', 'CREATE INDEX events_ts_brin ON events USING brin (ts)'],
  ['events_project_event_ts', 'CREATE INDEX events_project_event_ts ON events (project_id, event, ts)'],
  ['events_user_event_ts', 'CREATE INDEX events_user_event_ts ON events (project_id, user_id, event, ts)'],
  ['events_properties_gin', 'CREATE INDEX events_properties_gin ON events USING gin (properties jsonb_path_ops)'],
];

const num = (p: string): string => `(properties->>'${p}')::float8`;

/** Materialized views: the dashboard's rollups, per project, by hour or day. */
export const VIEWS: [string, string][] = [
  [
    'mv_api_endpoint_1h',
    `CREATE MATERIALIZED VIEW mv_api_endpoint_1h AS
     SELECT project_id, date_trunc('hour', ts) AS bucket, properties->>'endpoint' AS endpoint, count(*) AS events,
       ${[0.5, 0.9, 0.95, 0.99].map((q) => `${quantile(num('duration_ms'), q)} AS p${q * 100}`).join(', ')}
     FROM events WHERE event = 'api_request' AND properties ? 'duration_ms'
     GROUP BY 1, 2, 3`,
  ],
  [
    'mv_order_1d',
    `CREATE MATERIALIZED VIEW mv_order_1d AS
     SELECT project_id, date_trunc('day', ts) AS bucket, count(*) AS events, sum(${num('revenue')}) AS revenue
     FROM events WHERE event = 'order' AND properties ? 'revenue'
     GROUP BY 1, 2`,
  ],
  [
    'mv_order_category_1h',
    `CREATE MATERIALIZED VIEW mv_order_category_1h AS
     SELECT project_id, date_trunc('hour', ts) AS bucket, coalesce(properties->>'category', '') AS category, count(*) AS events, sum(${num('revenue')}) AS revenue
     FROM events WHERE event = 'order' AND properties ? 'revenue'
     GROUP BY 1, 2, 3`,
  ],
  [
    'mv_ml_cost_1d',
    `CREATE MATERIALIZED VIEW mv_ml_cost_1d AS
     SELECT project_id, date_trunc('day', ts) AS bucket, coalesce(properties->>'provider', '') AS provider, sum(${num('cost_usd')}) AS cost_usd
     FROM events WHERE event = 'ml_job' AND properties ? 'cost_usd'
     GROUP BY 1, 2, 3`,
  ],
  [
    'mv_page_view_1h',
    `CREATE MATERIALIZED VIEW mv_page_view_1h AS
     SELECT project_id, date_trunc('hour', ts) AS bucket, count(*) AS events, count(DISTINCT user_id) FILTER (WHERE user_id <> '') AS users
     FROM events WHERE event = 'page_view'
     GROUP BY 1, 2`,
  ],
];

/** COPY's text format: backslash, tab, newline and carriage return escaped. */
export function copyField(s: string): string {
  return s.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c] as string);
}

/** One COPY line holding what Sluice stores for the event (generate-events.ts rowLine). */
export function copyLine(e: GeneratedEvent, project: string): string {
  const lag = (e.timestamp % 997) + 20;
  const iso = (ms: number): string => new Date(ms).toISOString();
  return [project, e.event, iso(e.timestamp), e.event_id, iso(e.timestamp + lag), e.user_id, e.session_id, e.correlation_id, lag % 10 === 0 ? 'ws' : 'http', JSON.stringify(e.properties)]
    .map(copyField)
    .join('\t');
}
