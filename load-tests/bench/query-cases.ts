// The queries the query benchmark times: what a dashboard asks, in the DSL of docs (DESIGN §5).
// `aim` ties a case to a stated target (summary sections and rollup time series under 50 ms,
// funnels under 1 s at p95).

export type Aim = 'summary' | 'rollup-timeseries' | 'funnel';

export interface QueryCase {
  name: string;
  /** GET /api/v1/dashboard/summary?sections=<section>, or POST /api/v1/query with `body`. */
  section?: string;
  body?: Record<string, unknown>;
  aim?: Aim;
}

export const SUMMARY_SECTIONS = ['health', 'business', 'ml', 'support'] as const;

const DAY = 86_400_000;

/** The 7-day p95-by-endpoint hourly series: the rollup-vs-raw pair uses it twice. */
export const P95_BY_ENDPOINT = { kind: 'timeseries', event: 'api_request', measure: 'duration_ms', aggregations: ['p95'], range: '7d', interval: '1h', group_by: ['endpoint'] };
export const P95_BY_ENDPOINT_RAW = { ...P95_BY_ENDPOINT, source: 'events' };

export function queryCases(now = Date.now()): QueryCase[] {
  // Retention over 8 whole weeks: cohorts from the Monday 8 weeks back up to now.
  const monday = new Date(now - 56 * DAY);
  monday.setUTCHours(0, 0, 0, 0);
  monday.setUTCDate(monday.getUTCDate() - ((monday.getUTCDay() + 6) % 7));
  return [
    ...SUMMARY_SECTIONS.map((section): QueryCase => ({ name: `dashboard summary: ${section}`, section, aim: 'summary' })),
    { name: 'timeseries: p95 duration_ms by endpoint, 7d by 1h', body: P95_BY_ENDPOINT, aim: 'rollup-timeseries' },
    { name: 'timeseries: p95 duration_ms by endpoint, 7d by 1h, raw events', body: P95_BY_ENDPOINT_RAW },
    { name: 'timeseries: order revenue sum/count/avg, 30d by 1d, vs previous period', body: { kind: 'timeseries', event: 'order', measure: 'revenue', aggregations: ['sum', 'count', 'avg'], range: '30d', interval: '1d', compare: 'previous_period' }, aim: 'rollup-timeseries' },
    { name: 'timeseries: api_request count/p99 by status class, 24h by 5m', body: { kind: 'timeseries', event: 'api_request', measure: 'duration_ms', aggregations: ['count', 'p99'], range: '24h', interval: '5m', group_by: ['status_class'] }, aim: 'rollup-timeseries' },
    { name: 'timeseries: ml_job cost_usd by provider, 90d by 1d', body: { kind: 'timeseries', event: 'ml_job', measure: 'cost_usd', aggregations: ['sum'], range: '90d', interval: '1d', group_by: ['provider'] }, aim: 'rollup-timeseries' },
    { name: 'timeseries: page_view count and users, 30d by 1h', body: { kind: 'timeseries', event: 'page_view', aggregations: ['count', 'uniq_users'], range: '30d', interval: '1h' }, aim: 'rollup-timeseries' },
    { name: 'funnel: page_view → add_to_cart → checkout_started → order, 7d, 1h window', body: { kind: 'funnel', steps: [{ event: 'page_view' }, { event: 'add_to_cart' }, { event: 'checkout_started' }, { event: 'order' }], range: '7d', window: '1h' }, aim: 'funnel' },
    {
      name: 'funnel: 10 steps (pages, their API calls, cart, checkout, order, next page), 7d, 1h window',
      body: {
        kind: 'funnel',
        steps: [
          { event: 'page_view' },
          { event: 'api_request' },
          { event: 'page_view', filters: [{ property: 'path', op: 'contains', value: '/products/' }] },
          { event: 'api_request', filters: [{ property: 'endpoint', op: 'eq', value: '/api/products/:id' }] },
          { event: 'add_to_cart' },
          { event: 'page_view', filters: [{ property: 'path', op: 'eq', value: '/checkout' }] },
          { event: 'api_request', filters: [{ property: 'endpoint', op: 'contains', value: 'checkout' }] },
          { event: 'checkout_started' },
          { event: 'order' },
          { event: 'page_view' },
        ],
        range: '7d',
        window: '1h',
      },
      // Shown beside the 4-step funnel the aim is stated for: how the cost grows with steps.
    },
    { name: 'retention: page_view → page_view, 8 weeks', body: { kind: 'retention', start_event: 'page_view', return_event: 'page_view', period: 'week', periods: 8, from: monday.toISOString(), to: new Date(now).toISOString() } },
    { name: 'breakdown: top 10 categories by order revenue, 30d', body: { kind: 'breakdown', event: 'order', measure: 'revenue', aggregations: ['sum', 'count'], group_by: ['category'], range: '30d', limit: 10 } },
    { name: 'breakdown: top 10 page paths by views, 7d', body: { kind: 'breakdown', event: 'page_view', aggregations: ['count', 'uniq_users'], group_by: ['path'], range: '7d', limit: 10 } },
    { name: 'percentiles: api_request duration_ms by endpoint, 24h', body: { kind: 'percentiles', event: 'api_request', measure: 'duration_ms', aggregations: ['p50', 'p90', 'p95', 'p99'], group_by: ['endpoint'], range: '24h' } },
    { name: 'percentiles: ticket first_response_ms by channel, 30d', body: { kind: 'percentiles', event: 'ticket', measure: 'first_response_ms', aggregations: ['p50', 'p90', 'p99'], group_by: ['channel'], range: '30d' } },
    { name: 'events: latest 100 errors of checkout-api, 7d', body: { kind: 'events', event: 'error', filters: [{ property: 'service', op: 'eq', value: 'checkout-api' }], range: '7d', limit: 100 } },
  ];
}
