import { AdHocVariableFilter, rangeUtil, TimeRange } from '@grafana/data';

import { PageVariable } from './template-srv';

/** The view and its parameters from the hash: `#/<view>/<arg>?a=1&b=2`. */
export function currentRoute(): { view: string; arg: string; params: URLSearchParams } {
  const hash = window.location.hash.replace(/^#\/?/, '');
  const [path, qs] = hash.split('?');
  const [view, ...rest] = path.split('/');
  return { view: view || 'editor', arg: decodeURIComponent(rest.join('/')), params: new URLSearchParams(qs ?? '') };
}

/** `from`/`to` as Grafana takes them: `now-7d`, `now`, epoch ms or ISO. */
export function timeRange(
  params: URLSearchParams,
  fallback = { from: 'now-7d', to: 'now' },
  timeZone = 'utc'
): TimeRange {
  const raw = (name: 'from' | 'to') => {
    const v = params.get(name) ?? fallback[name];
    return /^\d+$/.test(v) ? new Date(Number(v)).toISOString() : v;
  };
  return rangeUtil.convertRawToRange({ from: raw('from'), to: raw('to') }, timeZone);
}

/**
 * Variables given in the URL as Grafana does: `var-<name>=value` (repeated for several values,
 * `$__all` for All), and ad-hoc filters as `var-<name>=key|op|value` for a variable of type adhoc.
 */
export function applyUrlVariables(variables: PageVariable[], params: URLSearchParams): PageVariable[] {
  const out = variables.map((v) => ({ ...v }));
  const names = new Set<string>();
  params.forEach((_, key) => key.startsWith('var-') && names.add(key.slice(4)));
  for (const name of names) {
    const values = params.getAll(`var-${name}`);
    let v = out.find((x) => x.name === name);
    const isAdhoc = v ? v.type === 'adhoc' : values.every((x) => x.split('|').length === 3);
    if (!v) {
      v = { name, type: isAdhoc ? 'adhoc' : 'custom', current: [], options: values, multi: values.length > 1 };
      out.push(v);
    }
    if (isAdhoc) {
      v.filters = values.filter(Boolean).map((x): AdHocVariableFilter => {
        const [key, operator, value] = x.split('|');
        return { key, operator, value };
      });
    } else {
      v.current = values;
    }
  }
  return out;
}
