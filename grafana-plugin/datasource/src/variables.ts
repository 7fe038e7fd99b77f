import { MetricFindValue, ScopedVars } from '@grafana/data';
import { TemplateSrv } from '@grafana/runtime';

import { createInterpolator } from './interpolate';
import { isMeasure } from './components/meta-options';
import { SluiceApi } from './sluice-api';
import { SluiceVariableQuery, VariableTarget } from './types';

/** The meta endpoints a variable reads (a subset of SluiceApi, so tests can stub it). */
export type VariableApi = Pick<SluiceApi, 'events' | 'properties' | 'values'>;

export const DEFAULT_VARIABLE_QUERY: SluiceVariableQuery = { target: 'events' };

const TARGETS: ReadonlySet<VariableTarget> = new Set<VariableTarget>(['events', 'properties', 'measures', 'values']);

/**
 * A variable query written as text, for `metricFindQuery` and old dashboards:
 * `events`, `properties(event?)`, `measures(event?)`, `values(property)` or
 * `values(event, property)`. Null when the text is none of these.
 */
export function parseVariableQuery(text: string): SluiceVariableQuery | null {
  const match = text.trim().match(/^(\w+)\s*(?:\((.*)\))?$/);
  const target = match?.[1] as VariableTarget | undefined;
  if (!target || !TARGETS.has(target)) {
    return null;
  }
  const args = (match?.[2] ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '');
  if (target === 'events') {
    return { target };
  }
  if (target === 'values') {
    if (args.length === 0) {
      return null;
    }
    return args.length === 1 ? { target, property: args[0] } : { target, event: args[0], property: args[1] };
  }
  return args.length ? { target, event: args[0] } : { target };
}

/** A stored variable query, whatever shape an older dashboard saved it in. */
export function toVariableQuery(stored: unknown): SluiceVariableQuery {
  if (typeof stored === 'string') {
    return parseVariableQuery(stored) ?? DEFAULT_VARIABLE_QUERY;
  }
  const query = stored as Partial<SluiceVariableQuery> | undefined;
  return query?.target && TARGETS.has(query.target) ? (query as SluiceVariableQuery) : DEFAULT_VARIABLE_QUERY;
}

const byPrefix = (prefix: string | undefined) => (name: string) => !prefix || name.startsWith(prefix);

/**
 * The values a variable lists. `event` and `property` may name other variables
 * (`values` of `$prop` for `$event`): they are replaced first, a multi-value one by its first value.
 */
export async function listVariableValues(
  api: VariableApi,
  query: SluiceVariableQuery,
  templateSrv: TemplateSrv,
  scopedVars: ScopedVars = {}
): Promise<MetricFindValue[]> {
  const ip = createInterpolator(templateSrv, scopedVars);
  const event = query.event ? ip.text(query.event) || undefined : undefined;
  const property = query.property ? ip.text(query.property) : '';
  const prefix = query.prefix ? ip.text(query.prefix) : undefined;
  const limit = query.limit && query.limit > 0 ? query.limit : undefined;
  let names: string[];
  switch (query.target) {
    case 'events':
      names = (await api.events()).map((e) => e.name).filter(byPrefix(prefix));
      break;
    case 'properties':
      names = (await api.properties(event)).map((p) => p.name).filter(byPrefix(prefix));
      break;
    case 'measures':
      names = (await api.properties(event))
        .filter(isMeasure)
        .map((p) => p.name)
        .filter(byPrefix(prefix));
      break;
    case 'values':
      if (!property) {
        return [];
      }
      names = await api.values(property, { event, prefix, limit });
      break;
    default:
      return [];
  }
  return names.slice(0, limit).map((name) => ({ text: name, value: name }));
}

/** A variable query as Grafana hands it over (it carries a refId). */
export type VariableQuery = SluiceVariableQuery & { refId: string };
