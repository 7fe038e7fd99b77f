import {
  applyFieldOverrides,
  DataFrame,
  FieldColorModeId,
  Field,
  FieldConfigSource,
  FieldType,
  GrafanaTheme2,
} from '@grafana/data';

import { templateSrv } from './template-srv';

/** Display processors and field state, as Grafana's panel query runner adds them. */
export function withDisplay(
  frames: DataFrame[],
  theme: GrafanaTheme2,
  timeZone: string,
  fieldConfig?: FieldConfigSource
): DataFrame[] {
  const source = fieldConfig ?? { defaults: {}, overrides: [] };
  return applyFieldOverrides({
    data: frames,
    // Grafana's panels default to the classic palette: one colour per series.
    fieldConfig: { ...source, defaults: { color: { mode: FieldColorModeId.PaletteClassic }, ...source.defaults } },
    replaceVariables: (value: string) => templateSrv.replace(value),
    theme,
    timeZone,
  });
}

/**
 * A long frame (time, group columns, numbers) as one frame per group, the wide shape a
 * time-series panel draws; frames without string fields are kept as they are.
 */
export function splitByGroups(frames: DataFrame[]): DataFrame[] {
  return frames.flatMap((frame) => {
    const groups = frame.fields.filter((f) => f.type === FieldType.string);
    const time = frame.fields.find((f) => f.type === FieldType.time);
    if (!groups.length || !time) {
      return [frame];
    }
    const numbers = frame.fields.filter((f) => f.type === FieldType.number);
    const rowsByKey = new Map<string, number[]>();
    for (let i = 0; i < frame.length; i++) {
      const key = groups.map((g) => String(g.values[i])).join(', ');
      rowsByKey.set(key, [...(rowsByKey.get(key) ?? []), i]);
    }
    return [...rowsByKey.entries()].map(([key, rows]) => {
      const labels = Object.fromEntries(groups.map((g) => [g.name, String(g.values[rows[0]])]));
      const pick = (f: Field, extra: Partial<Field> = {}): Field => ({
        ...f,
        ...extra,
        values: rows.map((i) => f.values[i]),
        state: undefined,
      });
      return {
        ...frame,
        name: key,
        length: rows.length,
        fields: [
          pick(time),
          ...numbers.map((f) =>
            pick(f, {
              labels: { ...f.labels, ...labels },
              // Named by the group alone when it has one number, as Grafana names such series.
              config: {
                ...f.config,
                displayNameFromDS: numbers.length === 1 ? key : `${key} ${f.config.displayName ?? f.name}`,
              },
            })
          ),
        ],
      };
    });
  });
}
