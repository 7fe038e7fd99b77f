import { standardEditorsRegistry, StandardEditorsRegistryItem } from '@grafana/data';

// Grafana's frontend fills the registry of option editors at boot; a panel plugin's option
// builder looks its editors up there, even just to know the options' defaults. The page shows
// no options pane, so each editor is a stand-in that draws nothing.
const IDS = [
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

export function registerOptionEditors(): void {
  standardEditorsRegistry.setInit(() =>
    IDS.map((id): StandardEditorsRegistryItem => ({ id, name: id, editor: () => null }))
  );
}
