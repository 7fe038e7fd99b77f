import { ComboboxOption } from '@grafana/ui';
import { getTemplateSrv } from '@grafana/runtime';

import { MetaProperty } from '../sluice-api';
import { text } from './text';

/** The dashboard's template variables as `$name` options, so a picker can take `$event`. */
export function variableOptions(): Array<ComboboxOption<string>> {
  let names: string[] = [];
  try {
    names = getTemplateSrv()
      .getVariables()
      .map((v) => v.name);
  } catch {
    // No template service outside a dashboard (e.g. in Explore before it is set up).
  }
  return names.map((name) => ({ label: `$${name}`, value: `$${name}`, group: text.queryEditor.variablesGroup }));
}

/** Measures: what the meta endpoint marks as a measure, or any numeric property. */
export function isMeasure(p: MetaProperty): boolean {
  return p.measure || /^(number|int|integer|float|double|numeric)/i.test(p.type);
}

/** Options matching what the user typed (case-insensitive substring), variables last. */
export function matching(options: Array<ComboboxOption<string>>, input: string): Array<ComboboxOption<string>> {
  const needle = input.trim().toLowerCase();
  const all = [...options, ...variableOptions()];
  return needle ? all.filter((o) => (o.label ?? o.value).toLowerCase().includes(needle)) : all;
}

/** A stored value as an option, so an async picker shows it before its options load. */
export function asOption(value: string | undefined): ComboboxOption<string> | null {
  return value ? { label: value, value } : null;
}
