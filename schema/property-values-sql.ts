// Top-level properties of each event as (property, value text): strings unquoted, numbers and
// booleans as written; objects, arrays and long values are left out of the top-values rollup.
//
// Listing every property of every event costs more than all the other rollups together (each
// row's JSON is written out again and parsed), so the rollup reads a fixed 1-in-8 sample of
// events, chosen by a hash of event_id: value lists for editors stay complete for any value
// seen in more than a few dozen events, and `hits` times PROPERTY_VALUES_SAMPLING estimates
// how many events carry the property.
export const PROPERTY_VALUES_SAMPLING = 8;
export const PROPERTY_VALUES_SAMPLE_FILTER = `cityHash64(event_id) % ${PROPERTY_VALUES_SAMPLING} = 0`;

export function propertyValuesSelect(db: string, where = ''): string {
  return `SELECT
    project_id, event, kv.1 AS property, toDate(timestamp) AS day,
    toUInt64(count()) AS hits,
    topKState(100)(if(startsWith(kv.2, '"'), JSONExtractString(concat('[', kv.2, ']'), 1), kv.2)) AS top_values
  FROM ${db}.events
  ARRAY JOIN JSONExtractKeysAndValuesRaw(toJSONString(properties)) AS kv
  WHERE ${PROPERTY_VALUES_SAMPLE_FILTER} AND length(kv.2) <= 202 AND NOT startsWith(kv.2, '{') AND NOT startsWith(kv.2, '[')${where ? ` AND (${where})` : ''}
  GROUP BY project_id, event, property, day`;
}
