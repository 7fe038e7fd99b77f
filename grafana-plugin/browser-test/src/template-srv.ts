import type { AdHocVariableFilter, ScopedVars, TimeRange, TypedVariableModel } from '@grafana/data';
import type { TemplateSrv } from '@grafana/runtime';

// A small stand-in for Grafana's template service: $var, ${var}, ${var:format}, [[var]], multi
// values and All, scoped variables ($__interval and the like), ad-hoc filters.

export interface PageVariable {
  name: string;
  type: 'query' | 'custom' | 'constant' | 'textbox' | 'interval' | 'adhoc' | 'datasource';
  /** The selected values; `['$__all']` for All. */
  current: string[];
  options: string[];
  multi?: boolean;
  includeAll?: boolean;
  allValue?: string | null;
  filters?: AdHocVariableFilter[];
  datasource?: { type?: string; uid?: string } | null;
}

const ALL = '$__all';
// The same expression Grafana's template service uses.
const VARIABLE = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\${(\w+)(?:\.([^:^}]+))?(?::([^}]+))?}/g;

type Format = string | ((value: unknown, variable?: unknown) => string) | undefined;

function formatValue(value: string | string[], format: Format, variable?: unknown): string {
  if (typeof format === 'function') {
    return format(value, variable);
  }
  const values = Array.isArray(value) ? value : [value];
  switch (format) {
    case 'csv':
    case 'raw':
    case 'text':
      return values.join(',');
    case 'pipe':
      return values.join('|');
    case 'json':
      return JSON.stringify(Array.isArray(value) ? values : value);
    case 'doublequote':
      return values.map((v) => `"${v}"`).join(',');
    case 'singlequote':
      return values.map((v) => `'${v}'`).join(',');
    case 'sqlstring':
      return values.map((v) => `'${v.replace(/'/g, "''")}'`).join(',');
    case 'queryparam':
      return values.map((v) => `var-${encodeURIComponent(v)}`).join('&');
    case 'regex':
      return values.length === 1 ? values[0] : `(${values.join('|')})`;
    default:
      // Grafana's default for several values is the glob form.
      return values.length === 1 ? values[0] : `{${values.join(',')}}`;
  }
}

export class PageTemplateSrv implements TemplateSrv {
  private variables: PageVariable[] = [];
  private range: TimeRange | undefined;

  setVariables(variables: PageVariable[]): void {
    this.variables = variables;
  }

  variable(name: string): PageVariable | undefined {
    return this.variables.find((v) => v.name === name);
  }

  /** The values a variable stands for now (All expanded). */
  values(v: PageVariable): string[] {
    if (v.current.length === 1 && v.current[0] === ALL) {
      return v.allValue ? [v.allValue] : v.options.filter((o) => o !== ALL);
    }
    return v.current;
  }

  getVariables(): TypedVariableModel[] {
    return this.variables.map((v, index) => {
      const value = v.multi ? v.current : (v.current[0] ?? '');
      return {
        id: v.name,
        name: v.name,
        label: v.name,
        type: v.type,
        index,
        rootStateKey: 'page',
        global: false,
        hide: 0,
        skipUrlSync: false,
        state: 'Done',
        error: null,
        description: null,
        multi: Boolean(v.multi),
        includeAll: Boolean(v.includeAll),
        allValue: v.allValue ?? null,
        query: '',
        current: { text: value, value, selected: true },
        options: v.options.map((o) => ({ text: o, value: o, selected: v.current.includes(o) })),
        filters: v.filters ?? [],
        datasource: v.datasource ?? null,
      } as unknown as TypedVariableModel;
    });
  }

  /** Filters of the ad-hoc variables (all of them: the page has one data source). */
  getAdhocFilters(): AdHocVariableFilter[] {
    return this.variables.filter((v) => v.type === 'adhoc').flatMap((v) => v.filters ?? []);
  }

  containsTemplate(target?: string): boolean {
    if (!target) {
      return false;
    }
    VARIABLE.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = VARIABLE.exec(target))) {
      const name = m[1] || m[2] || m[4];
      if (this.variable(name) || name.startsWith('__')) {
        return true;
      }
    }
    return false;
  }

  updateTimeRange(timeRange: TimeRange): void {
    this.range = timeRange;
  }

  replace(target?: string, scopedVars?: ScopedVars, format?: Format): string {
    if (!target) {
      return target ?? '';
    }
    return target.replace(VARIABLE, (match, var1, var2, fmt2, var3, fieldPath, fmt3) => {
      const name: string = var1 || var2 || var3;
      const fmt: Format = fmt2 || fmt3 || format;
      const scoped = scopedVars?.[name];
      if (scoped) {
        const value =
          fieldPath && typeof scoped.value === 'object'
            ? (scoped.value as Record<string, unknown>)[fieldPath]
            : scoped.value;
        return formatValue(Array.isArray(value) ? value.map(String) : String(value), fmt, scoped);
      }
      const builtin = this.builtin(name);
      if (builtin !== undefined) {
        return builtin;
      }
      const v = this.variable(name);
      if (!v || v.type === 'adhoc') {
        return match;
      }
      const values = this.values(v);
      return formatValue(v.multi || values.length > 1 ? values : (values[0] ?? ''), fmt, v);
    });
  }

  private builtin(name: string): string | undefined {
    if (!this.range) {
      return undefined;
    }
    const from = this.range.from.valueOf();
    const to = this.range.to.valueOf();
    switch (name) {
      case '__from':
        return String(from);
      case '__to':
        return String(to);
      case '__range_ms':
        return String(to - from);
      case '__range_s':
        return String(Math.round((to - from) / 1000));
      case '__range':
        return `${Math.round((to - from) / 1000)}s`;
      default:
        return undefined;
    }
  }
}

export const templateSrv = new PageTemplateSrv();
