import {
  FieldConfigPropertyItem,
  FieldType,
  standardEditorsRegistry,
  StandardEditorsRegistryItem,
  standardFieldConfigEditorRegistry,
} from '@grafana/data';

// Grafana's frontend fills two registries at boot that @grafana/data only declares: the option
// editors (a panel plugin's option builder looks its editors up there, even just to know the
// defaults) and the standard field config properties (unit, decimals, min, max, ...), without
// which applyFieldOverrides drops a panel's field config. The page shows no options pane, so
// each editor is a stand-in that draws nothing; the values are taken as the dashboard has them.

const EDITORS = [
  'text',
  'number',
  'slider',
  'boolean',
  'radio',
  'select',
  'multi-select',
  'unit',
  'links',
  'actions',
  'stats-picker',
  'strings',
  'timezone',
  'fieldColor',
  'color',
  'field-name',
  'mappings',
  'thresholds',
  'interval',
  'dashboard-uid',
  'custom',
];

const isNumber = (field: { type: FieldType }) => field.type === FieldType.number;
const any = () => true;

// id, path and which fields each applies to, as Grafana's standard field config list has them.
const FIELD_CONFIG: Array<[string, (field: { type: FieldType }) => boolean]> = [
  ['displayName', any],
  ['unit', isNumber],
  ['fieldMinMax', isNumber],
  ['min', isNumber],
  ['max', isNumber],
  ['decimals', isNumber],
  ['links', any],
  ['actions', any],
  ['noValue', any],
  ['color', any],
  ['thresholds', any],
  ['mappings', any],
  ['filterable', any],
];

const Nothing = () => null;

export function registerGrafanaRegistries(): void {
  standardEditorsRegistry.setInit(() =>
    EDITORS.map((id): StandardEditorsRegistryItem => ({ id, name: id, editor: Nothing }))
  );
  standardFieldConfigEditorRegistry.setInit(() =>
    FIELD_CONFIG.map(([id, shouldApply]): FieldConfigPropertyItem => ({
      id,
      path: id,
      name: id,
      editor: Nothing,
      override: Nothing,
      process: (value: unknown) => value,
      shouldApply,
    }))
  );
}
