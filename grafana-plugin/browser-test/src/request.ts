import {
  AdHocVariableFilter,
  CoreApp,
  DataFrame,
  DataQuery,
  DataQueryRequest,
  DataQueryResponse,
  DataSourceApi,
  rangeUtil,
  ScopedVars,
  TimeRange,
} from '@grafana/data';
import { from, Observable } from 'rxjs';

import { templateSrv } from './template-srv';

let requestCounter = 0;

export interface RequestContext {
  range: TimeRange;
  timezone: string;
  /** Drawing width in pixels: Grafana's default maxDataPoints and the base of $__interval. */
  width: number;
  maxDataPoints?: number;
  minInterval?: string | null;
  app?: CoreApp | string;
  scopedVars?: ScopedVars;
}

/** The DataQueryRequest Grafana's query runner would build for one panel. */
export function buildRequest(targets: DataQuery[], ctx: RequestContext): DataQueryRequest<DataQuery> {
  const maxDataPoints = ctx.maxDataPoints ?? Math.max(ctx.width, 100);
  const { interval, intervalMs } = rangeUtil.calculateInterval(ctx.range, maxDataPoints, ctx.minInterval ?? undefined);
  const filters: AdHocVariableFilter[] = templateSrv.getAdhocFilters();
  return {
    requestId: `Q${++requestCounter}`,
    app: (ctx.app ?? CoreApp.Dashboard) as CoreApp,
    range: ctx.range,
    rangeRaw: ctx.range.raw,
    timezone: ctx.timezone,
    interval,
    intervalMs,
    maxDataPoints,
    targets,
    filters,
    scopedVars: {
      ...ctx.scopedVars,
      __interval: { text: interval, value: interval },
      __interval_ms: { text: String(intervalMs), value: intervalMs },
    },
    startTime: Date.now(),
  };
}

/** Runs a request through the data source; `query` may answer a Promise or an Observable. */
export function runRequest(
  ds: DataSourceApi<any, any>,
  request: DataQueryRequest<DataQuery>
): Observable<DataQueryResponse> {
  templateSrv.updateTimeRange(request.range);
  const targets = request.targets.filter((t) => !ds.filterQuery || ds.filterQuery(t));
  return from(ds.query({ ...request, targets }) as Promise<DataQueryResponse> | Observable<DataQueryResponse>);
}

export function errorText(response: DataQueryResponse | undefined, thrown?: unknown): string | undefined {
  if (thrown) {
    const e = thrown as { message?: string; data?: { message?: string }; statusText?: string };
    return e.message ?? e.data?.message ?? e.statusText ?? String(thrown);
  }
  const errors = response?.errors ?? (response?.error ? [response.error] : []);
  return errors.length ? errors.map((e) => e.message ?? e.data?.message ?? '').join('; ') : undefined;
}

export function frameRows(frame: DataFrame): number {
  return frame.length ?? frame.fields[0]?.values.length ?? 0;
}
