import { ScopedVars } from '@grafana/data';
import { TemplateSrv } from '@grafana/runtime';

/** A dashboard variable for the fake template service: `$__all` as value means "All" is picked. */
export interface FakeVariable {
  name: string;
  value: string | string[];
  /** The values the variable offers (what "All" stands for without a custom all value). */
  options?: string[];
  /** A custom all value, sent as it is. */
  allValue?: string;
}

const VARIABLE = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\${(\w+)(?:\.([^:^}]+))?(?::([^}]+))?}/g;

const FORMATS: Record<string, (value: string | string[]) => string> = {
  csv: (v) => (Array.isArray(v) ? v.join(',') : v),
  pipe: (v) => (Array.isArray(v) ? v.join('|') : v),
  json: (v) => JSON.stringify(v),
  raw: (v) => (Array.isArray(v) ? v.join(',') : v),
  glob: (v) => (Array.isArray(v) && v.length > 1 ? `{${v.join(',')}}` : String(v)),
};

/**
 * Grafana's TemplateSrv as far as the data source relies on it: `$var`, `${var}`, `${var:fmt}`
 * and `[[var]]`; a format in the text wins over the one passed; a format function sees a
 * multi-value variable as an array; "All" is its options, or a custom all value left unformatted;
 * scoped variables win over the dashboard's; unknown variables are left as written.
 */
export function fakeTemplateSrv(variables: FakeVariable[] = [], adhocFilters?: unknown[]) {
  const byName = new Map(variables.map((v) => [v.name, v]));
  const srv = {
    getVariables: () => variables.map((v) => ({ name: v.name, type: 'custom' })),
    containsTemplate: (target?: string) => Boolean(target && target.match(VARIABLE)),
    updateTimeRange: () => {},
    replace(target?: string, scopedVars?: ScopedVars, format?: string | Function): string {
      if (!target) {
        return target ?? '';
      }
      return target.replace(VARIABLE, (match, v1, v2, fmt2, v3, _field, fmt3) => {
        const name: string = v1 || v2 || v3;
        const fmt: string | undefined = fmt2 || fmt3;
        const scoped = scopedVars?.[name];
        let value: string | string[];
        if (scoped) {
          value = scoped.value as string | string[];
        } else {
          const variable = byName.get(name);
          if (!variable) {
            return match;
          }
          value = variable.value;
          const all = value === '$__all' || (Array.isArray(value) && value[0] === '$__all');
          if (all) {
            if (variable.allValue !== undefined && !fmt) {
              return variable.allValue;
            }
            value = variable.options ?? [];
          }
        }
        if (fmt && FORMATS[fmt]) {
          return FORMATS[fmt](value);
        }
        if (typeof format === 'function') {
          return format(value, { name });
        }
        if (typeof format === 'string' && FORMATS[format]) {
          return FORMATS[format](value);
        }
        return FORMATS.glob(value);
      });
    },
    getAdhocFilters: adhocFilters ? () => adhocFilters : undefined,
  };
  return srv as unknown as TemplateSrv;
}
