// Raw events, newest first, a page at a time. The cursor is the (timestamp, event_id) of the
// last row of the previous page, so pages neither skip nor repeat rows while events land.
import { SluiceError } from '../core/errors.js';
import { filterSql, instant, Params, propertyPath } from './sql.js';
import type { Compiled } from './compile-aggregate.js';
import type { Column } from './types.js';
import type { Resolved } from './validate-query.js';

export interface Cursor {
  t: number;
  id: string;
}

export const encodeCursor = (c: Cursor): string => Buffer.from(JSON.stringify([c.t, c.id])).toString('base64url');

function decodeCursor(raw: string): Cursor {
  try {
    const [t, id] = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof t === 'number' && Number.isInteger(t) && typeof id === 'string' && /^[0-9a-f-]{36}$/i.test(id)) return { t, id };
  } catch {
    // answered below
  }
  throw new SluiceError('SLUICE_E_BAD_QUERY', 'Invalid query: /cursor is not a cursor this service gave out', { problems: [{ path: '/cursor', message: 'is not a cursor this service gave out' }] });
}

function whereSql(r: Resolved, project: string, p: Params): string[] {
  const where = [`project_id = ${p.bind(project, 'String')}`, `timestamp >= ${instant(r.from, p)}`, `timestamp < ${instant(r.to, p)}`];
  if (r.event) where.push(`event = ${p.bind(r.event, 'String')}`);
  for (const f of r.filters) where.push(filterSql(f, r.event, p));
  return where;
}

/**
 * Every event of the range in time order, for export: typed columns (timestamp as DateTime64,
 * properties as JSON text or the named properties as text). With one event the table's order
 * serves the sort, so rows stream as they are read.
 */
export function compileEventsExport(r: Resolved, db: string, project: string): { sql: string; params: Record<string, unknown> } {
  const p = new Params();
  const select = ['timestamp', 'event', 'toString(event_id) AS event_id', 'user_id', 'session_id', 'correlation_id'];
  if (r.query.properties) {
    // Paths are identifiers checked against the DSL's strict pattern (see propertyPath).
    for (const name of r.query.properties) select.push(`toString(${propertyPath(name)}) AS \`properties.${name}\``);
  } else select.push('toJSONString(properties) AS properties');
  const sql = `SELECT ${select.join(', ')}
  FROM ${db}.events
  WHERE ${whereSql(r, project, p).join(' AND ')}
  ORDER BY timestamp${r.query.limit ? ` LIMIT ${p.bind(r.limit, 'UInt32')}` : ''}`;
  return { sql, params: p.values };
}

export function compileEvents(r: Resolved, db: string, project: string): Compiled {
  const p = new Params();
  const q = r.query;
  const where = whereSql(r, project, p);
  if (q.cursor) {
    const c = decodeCursor(q.cursor);
    where.push(`(timestamp, event_id) < (${instant(c.t, p)}, toUUID(${p.bind(c.id, 'String')}))`);
  }
  const columns: Column[] = [
    { name: 'time', type: 'time' },
    { name: 'event', type: 'string' },
    { name: 'event_id', type: 'string' },
    { name: 'user_id', type: 'string' },
    { name: 'session_id', type: 'string' },
    { name: 'correlation_id', type: 'string' },
  ];
  const select = ['toInt64(toUnixTimestamp64Milli(timestamp))', 'event', 'toString(event_id)', 'user_id', 'session_id', 'correlation_id'];
  if (q.properties) {
    for (const name of q.properties) {
      select.push(`toJSONString(${propertyPath(name)})`);
      columns.push({ name, type: 'string' });
    }
  } else {
    select.push('toJSONString(properties)');
    columns.push({ name: 'properties', type: 'string' });
  }
  const sql = `SELECT ${select.join(', ')}
  FROM ${db}.events
  WHERE ${where.join(' AND ')}
  ORDER BY timestamp DESC, event_id DESC
  LIMIT ${p.bind(r.limit + 1, 'UInt32')}`;
  return { sql, params: p.values, columns, source: 'events', hidden: 0 };
}
