// Top-level properties of each event as (property, value text): strings unquoted, numbers and
// booleans as written; objects, arrays and long values are left out of the top-values rollup.
export function propertyValuesSelect(db: string, where = ''): string {
  return `SELECT
    project_id, event, kv.1 AS property, toDate(timestamp) AS day,
    toUInt64(count()) AS hits,
    topKState(100)(if(startsWith(kv.2, '"'), JSONExtractString(concat('[', kv.2, ']'), 1), kv.2)) AS top_values
  FROM ${db}.events
  ARRAY JOIN JSONExtractKeysAndValuesRaw(toJSONString(properties)) AS kv
  WHERE length(kv.2) <= 202 AND NOT startsWith(kv.2, '{') AND NOT startsWith(kv.2, '[')${where ? ` AND (${where})` : ''}
  GROUP BY project_id, event, property, day`;
}
