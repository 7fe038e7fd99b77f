import { colorManipulator, GrafanaTheme2 } from '@grafana/data';

import { FunnelModel, StepValues } from './funnel-model';

/** One bar per step: the whole funnel, or one group of the breakdown. */
export interface FunnelSeries {
  /** The group's name; absent for the whole funnel. */
  group?: string;
  color: string;
  /** The lighter segment showing the users lost since the previous step. */
  dropOffColor: string;
  /** One entry per step of the model. */
  values: StepValues[];
}

const DROP_OFF_ALPHA = 0.25;

function withDropOff(color: string) {
  return { color, dropOffColor: colorManipulator.alpha(color, DROP_OFF_ALPHA) };
}

/**
 * The bars to draw: groups in the theme's classic palette, or the whole funnel in one colour (the
 * option's, else the users field's, else the palette's first).
 */
export function funnelSeries(model: FunnelModel, theme: GrafanaTheme2, colorOption: string): FunnelSeries[] {
  if (model.groups.length === 0) {
    const palette = theme.visualization.palette;
    const color = theme.visualization.getColorByName(colorOption || model.fieldColor || palette[0]);
    return [{ ...withDropOff(color), values: model.steps.map((s) => s.total) }];
  }
  const palette = theme.visualization.palette;
  return model.groups.map((group, i) => ({
    group,
    ...withDropOff(theme.visualization.getColorByName(palette[i % palette.length])),
    values: model.steps.map((s) => s.groups[i]),
  }));
}
