import {
  DataFrame,
  DataQuery,
  DataQueryResponse,
  DataSourceApi,
  FieldType,
  MetricFindValue,
  TimeRange,
} from '@grafana/data';
import { lastValueFrom, from, Observable } from 'rxjs';

import { buildRequest } from './request';
import { PageVariable, templateSrv } from './template-srv';

// The parts of a dashboard JSON the page reads.
export interface DashboardPanel {
  id?: number;
  type: string;
  title?: string;
  gridPos?: { x: number; y: number; w: number; h: number };
  targets?: DataQuery[];
  datasource?: unknown;
  options?: Record<string, unknown>;
  fieldConfig?: { defaults: Record<string, unknown>; overrides: unknown[] };
  maxDataPoints?: number;
  interval?: string;
  panels?: DashboardPanel[];
  collapsed?: boolean;
}

export interface DashboardVariable {
  name: string;
  type: PageVariable['type'];
  query?: unknown;
  current?: { text?: unknown; value?: string | string[] };
  options?: Array<{ text?: unknown; value: string }>;
  multi?: boolean;
  includeAll?: boolean;
  allValue?: string | null;
  filters?: PageVariable['filters'];
  datasource?: { type?: string; uid?: string } | string | null;
  regex?: string;
}

export interface Dashboard {
  title: string;
  uid?: string;
  time?: { from: string; to: string };
  timezone?: string;
  templating?: { list: DashboardVariable[] };
  annotations?: { list: Array<Record<string, unknown>> };
  panels: DashboardPanel[];
}

/** Panels with queries, rows opened (a collapsed row keeps its panels inside it). */
export function flatPanels(panels: DashboardPanel[]): DashboardPanel[] {
  return panels.flatMap((p) => (p.type === 'row' ? (p.panels ?? []) : [p]));
}

/** A variable query's answer as its values, from frames (text/value fields) or find values. */
function valuesOf(answer: DataQueryResponse | MetricFindValue[]): string[] {
  if (Array.isArray(answer)) {
    return answer.map((v) => String(v.value ?? v.text));
  }
  const out: string[] = [];
  for (const item of answer.data as Array<DataFrame | MetricFindValue>) {
    // Grafana takes either frames (a text/value field) or find values, as its variable runner does.
    if (!('fields' in item)) {
      out.push(String(item.value ?? item.text));
      continue;
    }
    const frame = item;
    const field =
      frame.fields.find((f) => f.name === 'value') ??
      frame.fields.find((f) => f.name === 'text') ??
      frame.fields.find((f) => f.type === FieldType.string) ??
      frame.fields[0];
    out.push(...(field?.values ?? []).map(String));
  }
  return out;
}

/** The options of a query variable, asked through the data source's variable support. */
async function queryOptions(ds: DataSourceApi<any, any>, v: DashboardVariable, range: TimeRange): Promise<string[]> {
  const variables = ds.variables as
    | {
        getType?: () => string;
        query?: (r: unknown) => Observable<DataQueryResponse>;
        toDataQuery?: (q: unknown) => DataQuery;
      }
    | undefined;
  const query = (typeof v.query === 'object' && v.query ? { refId: 'variable', ...v.query } : v.query) as DataQuery;
  if (variables?.query) {
    const request = buildRequest([query], { range, timezone: 'utc', width: 1000, app: 'dashboard' });
    return valuesOf(await lastValueFrom(from(variables.query(request))));
  }
  if (variables?.toDataQuery) {
    const request = buildRequest([variables.toDataQuery(query)], { range, timezone: 'utc', width: 1000 });
    return valuesOf(await lastValueFrom(from(ds.query(request) as Promise<DataQueryResponse>)));
  }
  if (ds.metricFindQuery) {
    return valuesOf(await ds.metricFindQuery(query, { range }));
  }
  throw new Error(`the data source has no variable support for ${v.name}`);
}

function asList(value: unknown): string[] {
  if (value === undefined || value === null || value === '') {
    return [];
  }
  return (Array.isArray(value) ? value : [value]).map(String);
}

/**
 * The dashboard's variables with their options and selection: the saved current value when it
 * is still an option (or All), else the first option, as Grafana picks them.
 */
export async function resolveVariables(
  dashboard: Dashboard,
  ds: DataSourceApi<any, any>,
  range: TimeRange,
  overrides: (vars: PageVariable[]) => PageVariable[]
): Promise<PageVariable[]> {
  const resolved: PageVariable[] = [];
  for (const v of dashboard.templating?.list ?? []) {
    const base = {
      name: v.name,
      type: v.type,
      multi: v.multi,
      includeAll: v.includeAll,
      allValue: v.allValue,
      datasource: typeof v.datasource === 'string' ? { uid: v.datasource } : v.datasource,
    };
    let options: string[] = [];
    switch (v.type) {
      case 'query':
        templateSrv.setVariables(overrides(resolved));
        options = await queryOptions(ds, v, range);
        if (v.regex) {
          const re = new RegExp(v.regex.replace(/^\/(.*)\/\w*$/, '$1'));
          options = options.filter((o) => re.test(o));
        }
        break;
      case 'custom':
        options = v.options?.length
          ? v.options.map((o) => o.value)
          : String(v.query ?? '')
              .split(/\s*,\s*/)
              .filter(Boolean);
        break;
      case 'constant':
      case 'textbox':
        options = [String(v.query ?? v.current?.value ?? '')];
        break;
      case 'interval':
        options = String(v.query ?? '')
          .split(/\s*,\s*/)
          .filter(Boolean);
        break;
      case 'datasource':
        options = ['sluice'];
        break;
      case 'adhoc':
        resolved.push({ ...base, current: [], options: [], filters: v.filters ?? [] });
        continue;
    }
    options = options.filter((o) => o !== '$__all');
    const saved = asList(v.current?.value);
    const kept = saved.filter((s) => s === '$__all' || options.includes(s) || v.type === 'textbox');
    const current = kept.length ? kept : v.includeAll ? ['$__all'] : options.slice(0, 1);
    resolved.push({ ...base, current, options });
  }
  return overrides(resolved);
}
