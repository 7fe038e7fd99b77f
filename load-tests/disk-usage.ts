// Disk used by each Sluice table, and per million raw events, for sizing (docs/operations.md).
// Reads the configured ClickHouse (SLUICE_DATA_DIR or CLICKHOUSE_URL); embedded, the data
// directory must not be in use by a running Sluice.
//   node --import tsx load-tests/disk-usage.ts
// On a cluster this counts the node it reaches; docs/operations.md has the cluster-wide query.
import { createStore } from '../core/clickhouse.js';
import { loadConfig } from '../core/config.js';

const config = loadConfig();
const store = await createStore(config);
try {
  const tables = await store.rows<{ table: string; rows: string; disk: string; raw: string }>(
    `SELECT table, sum(rows) AS rows, sum(bytes_on_disk) AS disk, sum(data_uncompressed_bytes) AS raw
     FROM system.parts WHERE database = {db:String} AND active GROUP BY table ORDER BY sum(bytes_on_disk) DESC`,
    { db: store.db },
  );
  const [span] = await store.rows<{ days: string }>(`SELECT uniqExact(toDate(timestamp)) AS days FROM ${store.db}.events`);
  const events = Number(tables.find((t) => t.table.replace(/_local$/, '') === 'events')?.rows ?? 0);
  const mb = (n: number) => (n / 1e6).toFixed(1);
  const perMillion = (n: number) => (events ? mb((n / events) * 1e6) : '-');
  console.log(`${events.toLocaleString('en')} events over ${span.days} days\n`);
  console.log('table | rows | MB on disk | MB uncompressed | MB on disk per million events');
  for (const t of tables) console.log(`${t.table} | ${Number(t.rows).toLocaleString('en')} | ${mb(Number(t.disk))} | ${mb(Number(t.raw))} | ${perMillion(Number(t.disk))}`);
  const total = tables.reduce((s, t) => s + Number(t.disk), 0);
  console.log(`all tables | | ${mb(total)} | | ${perMillion(total)}`);
} finally {
  await store.close();
}
