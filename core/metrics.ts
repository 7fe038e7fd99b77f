// Prometheus metrics shared by ingest and query. One registry per process.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'sluice_process_' });
  const m = {
    registry,
    eventsAccepted: new Counter({ name: 'sluice_events_accepted_total', help: 'Events accepted into the spool', labelNames: ['source'], registers: [registry] }),
    eventsRejected: new Counter({ name: 'sluice_events_rejected_total', help: 'Events refused, by reason', labelNames: ['reason'], registers: [registry] }),
    eventsDuplicate: new Counter({ name: 'sluice_events_duplicate_total', help: 'Events dropped as duplicates of an event_id in the window', registers: [registry] }),
    eventsStored: new Counter({ name: 'sluice_events_stored_total', help: 'Events committed to ClickHouse', registers: [registry] }),
    requestsRefused: new Counter({ name: 'sluice_requests_refused_total', help: 'Requests refused whole, by error code', labelNames: ['code'], registers: [registry] }),
    rejectsDropped: new Counter({ name: 'sluice_rejects_write_failures_total', help: 'Rejected events that could not be written to the rejects table (still counted above)', registers: [registry] }),
    batchRows: new Histogram({ name: 'sluice_batch_rows', help: 'Events per ClickHouse insert', buckets: [1, 10, 100, 1000, 5000, 10000, 25000, 50000, 100000], registers: [registry] }),
    flushSeconds: new Histogram({ name: 'sluice_flush_seconds', help: 'ClickHouse insert latency', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry] }),
    ackSeconds: new Histogram({ name: 'sluice_ack_seconds', help: 'Request receipt to ack', labelNames: ['ack'], buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10], registers: [registry] }),
    clickhouseErrors: new Counter({ name: 'sluice_clickhouse_errors_total', help: 'Failed ClickHouse operations', labelNames: ['operation'], registers: [registry] }),
    spoolBytes: new Gauge({ name: 'sluice_spool_bytes', help: 'Bytes in the spool not yet confirmed by ClickHouse', registers: [registry] }),
    spoolSegments: new Gauge({ name: 'sluice_spool_segments', help: 'Spool segments not yet confirmed by ClickHouse', registers: [registry] }),
    rollupRepairs: new Counter({ name: 'sluice_rollup_repairs_total', help: 'Rollup buckets rebuilt after a crash', registers: [registry] }),
    queries: new Counter({ name: 'sluice_queries_total', help: 'Queries answered, by kind, source table and cache outcome', labelNames: ['kind', 'source', 'cache'], registers: [registry] }),
    querySeconds: new Histogram({ name: 'sluice_query_seconds', help: 'Query latency', labelNames: ['cache'], buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 30], registers: [registry] }),
    exportBytes: new Counter({ name: 'sluice_export_bytes_total', help: 'Bytes streamed by exports, by format', labelNames: ['format'], registers: [registry] }),
    notificationsSent: new Counter({ name: 'sluice_notifications_sent_total', help: 'Alert notifications delivered, by channel', labelNames: ['channel'], registers: [registry] }),
    notificationsFailed: new Counter({ name: 'sluice_notifications_failed_total', help: 'Alert notifications that failed every attempt, by channel', labelNames: ['channel'], registers: [registry] }),
    wsConnections: new Gauge({ name: 'sluice_ws_connections', help: 'Open ingest WebSockets', registers: [registry] }),
  };
  return m;
}

export type Metrics = ReturnType<typeof createMetrics>;
