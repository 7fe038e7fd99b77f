import { PanelPlugin } from '@grafana/data';

import { FunnelPanel } from './components/FunnelPanel';
import { text } from './text';
import { DEFAULT_OPTIONS, FunnelOptions } from './types';

const t = text.options;

export const plugin = new PanelPlugin<FunnelOptions>(FunnelPanel).setPanelOptions((builder) =>
  builder
    .addRadio({
      path: 'orientation',
      name: t.orientation,
      description: t.orientationDescription,
      category: t.category,
      defaultValue: DEFAULT_OPTIONS.orientation,
      settings: {
        options: [
          { value: 'auto', label: t.orientationAuto },
          { value: 'horizontal', label: t.orientationHorizontal },
          { value: 'vertical', label: t.orientationVertical },
        ],
      },
    })
    .addColorPicker({
      path: 'color',
      name: t.color,
      description: t.colorDescription,
      category: t.category,
      defaultValue: DEFAULT_OPTIONS.color,
      settings: { placeholder: t.colorPlaceholder, isClearable: true },
    })
    .addNumberInput({
      path: 'maxGroups',
      name: t.maxGroups,
      description: t.maxGroupsDescription,
      category: t.category,
      defaultValue: DEFAULT_OPTIONS.maxGroups,
      settings: { min: 1, integer: true },
    })
    .addBooleanSwitch({
      path: 'showConversionFromFirst',
      name: t.showConversionFromFirst,
      description: t.labelsDescription,
      category: t.labelsCategory,
      defaultValue: DEFAULT_OPTIONS.showConversionFromFirst,
    })
    .addBooleanSwitch({
      path: 'showConversionFromPrevious',
      name: t.showConversionFromPrevious,
      category: t.labelsCategory,
      defaultValue: DEFAULT_OPTIONS.showConversionFromPrevious,
    })
    .addBooleanSwitch({
      path: 'showDropOff',
      name: t.showDropOff,
      description: t.showDropOffDescription,
      category: t.labelsCategory,
      defaultValue: DEFAULT_OPTIONS.showDropOff,
    })
    .addBooleanSwitch({
      path: 'showMedianTime',
      name: t.showMedianTime,
      category: t.labelsCategory,
      defaultValue: DEFAULT_OPTIONS.showMedianTime,
    })
);
