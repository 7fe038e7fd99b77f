import { createDataFrame, DataFrame, FieldType } from '@grafana/data';

/** A Sluice funnel answer without breakdown, as the datasource's frames.ts builds it. */
export function funnelFrame(): DataFrame {
  return createDataFrame({
    refId: 'A',
    fields: [
      { name: 'step', type: FieldType.number, values: [1, 2, 3, 4] },
      { name: 'event', type: FieldType.string, values: ['page_view', 'add_to_cart', 'checkout_started', 'order'] },
      { name: 'users', type: FieldType.number, values: [12345, 4938, 3086, 1234] },
      { name: 'conversion_from_first', type: FieldType.number, values: [1, 0.4, 0.25, 0.09996] },
      { name: 'conversion_from_previous', type: FieldType.number, values: [1, 0.4, 0.625, 0.39987] },
      { name: 'median_time_to_convert_ms', type: FieldType.number, values: [null, 45_000, 192_000, 5_400_000] },
    ],
  });
}

/** A Sluice funnel answer grouped by utm_source: one row per (group, step). */
export function groupedFunnelFrame(): DataFrame {
  const groups = ['(other)', 'google', 'bing'];
  const users = [
    [700, 100, 50],
    [600, 300, 150],
    [200, 50, 10],
  ];
  const medians = [
    [null, 1000, 2000],
    [null, 30_000, 90_000],
    [null, 500, 7_200_000],
  ];
  const rows = groups.flatMap((group, g) =>
    users[g].map((u, s) => ({
      group,
      step: s + 1,
      event: ['page_view', 'add_to_cart', 'order'][s],
      users: u,
      first: u / users[g][0],
      previous: s === 0 ? 1 : u / users[g][s - 1],
      median: medians[g][s],
    }))
  );
  return createDataFrame({
    refId: 'A',
    fields: [
      { name: 'utm_source', type: FieldType.string, values: rows.map((r) => r.group) },
      { name: 'step', type: FieldType.number, values: rows.map((r) => r.step) },
      { name: 'event', type: FieldType.string, values: rows.map((r) => r.event) },
      { name: 'users', type: FieldType.number, values: rows.map((r) => r.users) },
      { name: 'conversion_from_first', type: FieldType.number, values: rows.map((r) => r.first) },
      { name: 'conversion_from_previous', type: FieldType.number, values: rows.map((r) => r.previous) },
      { name: 'median_time_to_convert_ms', type: FieldType.number, values: rows.map((r) => r.median) },
    ],
  });
}
