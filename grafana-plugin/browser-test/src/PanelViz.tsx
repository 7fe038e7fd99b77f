import React from 'react';
import {
  DataFrame,
  EventBusSrv,
  FieldConfigSource,
  FieldDisplay,
  FieldType,
  formattedValueToString,
  getFieldDisplayValues,
  GrafanaTheme2,
  LoadingState,
  ReduceDataOptions,
  TimeRange,
  VizOrientation,
} from '@grafana/data';
import { BarGaugeDisplayMode, BigValueColorMode, BigValueGraphMode, LegendDisplayMode } from '@grafana/schema';
import { BarGauge, BigValue, Table, TimeSeries, useTheme2 } from '@grafana/ui';

import { splitByGroups, withDisplay } from './frames';
import { funnelPanel } from './plugins';
import { templateSrv } from './template-srv';

export interface PanelVizProps {
  type: string;
  frames: DataFrame[];
  width: number;
  height: number;
  timeRange: TimeRange;
  timeZone: string;
  options?: Record<string, unknown>;
  fieldConfig?: FieldConfigSource;
  title?: string;
  id?: number;
}

const eventBus = new EventBusSrv();
const LEGEND_CALCS = ['sum', 'lastNotNull'];

/** Draws frames the way the panel type would in Grafana, with @grafana/ui's own components. */
export function PanelViz(props: PanelVizProps) {
  const theme = useTheme2();
  const { type, width, height, timeRange, timeZone } = props;
  const frames = withDisplay(props.frames, theme, timeZone, props.fieldConfig);
  if (!frames.length || frames.every((f) => f.length === 0)) {
    return <div data-testid="panel-no-data">No data</div>;
  }
  switch (type) {
    case 'timeseries': {
      const series = withDisplay(splitByGroups(props.frames), theme, timeZone, props.fieldConfig);
      if (!series.some((f) => f.fields.some((x) => x.type === FieldType.time))) {
        return <Table data={frames[0]} width={width} height={height} />;
      }
      return (
        <TimeSeries
          frames={series}
          width={width}
          height={height}
          timeRange={timeRange}
          timeZone={timeZone}
          legend={{ displayMode: LegendDisplayMode.Table, placement: 'bottom', showLegend: true, calcs: LEGEND_CALCS }}
        />
      );
    }
    case 'stat':
      return <Stats {...props} frames={frames} />;
    case 'bargauge':
    case 'barchart':
    case 'piechart':
      return <Bars {...props} frames={frames} />;
    case 'sluice-funnel-panel':
      return <FunnelPanel {...props} frames={frames} />;
    default:
      return <Table data={frames[0]} width={width} height={height} />;
  }
}

/**
 * The values a stat, bar gauge or pie chart shows, picked and reduced the way those panels do
 * (the panel's reduceOptions: which fields, which calculation, one value per row or per field).
 */
function displayValues(props: PanelVizProps, theme: GrafanaTheme2, values: boolean): FieldDisplay[] {
  const reduceOptions = (props.options?.reduceOptions as ReduceDataOptions | undefined) ?? {
    values,
    calcs: ['lastNotNull'],
  };
  const fieldConfig = props.fieldConfig ?? { defaults: {}, overrides: [] };
  return getFieldDisplayValues({
    data: props.frames,
    reduceOptions: { ...reduceOptions, values: reduceOptions.values ?? values },
    fieldConfig,
    replaceVariables: (value: string) => templateSrv.replace(value),
    theme,
    timeZone: props.timeZone,
  });
}

/** Grafana's stat panel: one big value per field the panel's options pick. */
function Stats(props: PanelVizProps) {
  const theme = useTheme2();
  const shown = displayValues(props, theme, false);
  const each = Math.max(1, shown.length);
  return (
    <div style={{ display: 'flex' }}>
      {shown.map((v, i) => (
        <div key={i} data-testid="stat-value" data-name={v.name} data-text={formattedValueToString(v.display)}>
          <BigValue
            theme={theme}
            width={Math.floor(props.width / each)}
            height={props.height}
            value={shown.length > 1 ? v.display : { ...v.display, title: undefined }}
            colorMode={BigValueColorMode.Value}
            graphMode={BigValueGraphMode.None}
          />
        </div>
      ))}
    </div>
  );
}

/** Bar gauges, and the stand-in for pie and bar charts: one bar per row of a breakdown. */
function Bars(props: PanelVizProps) {
  const theme = useTheme2();
  const shown = displayValues(props, theme, true);
  const rowHeight = Math.max(20, Math.min(40, Math.floor(props.height / Math.max(shown.length, 1))));
  const max = Math.max(...shown.map((v) => v.display.numeric || 0), 1);
  return (
    <div>
      {shown.map((v, i) => (
        <div
          key={i}
          data-testid="bar-item"
          data-name={v.display.title ?? v.name}
          data-text={formattedValueToString(v.display)}
        >
          <BarGauge
            theme={theme}
            width={props.width}
            height={rowHeight}
            field={{ ...v.field, min: 0, max }}
            value={v.display}
            orientation={VizOrientation.Horizontal}
            displayMode={BarGaugeDisplayMode.Basic}
            isOverflow={false}
          />
        </div>
      ))}
    </div>
  );
}

/** The funnel plugin's own panel component, given the props Grafana gives a panel. */
function FunnelPanel(props: PanelVizProps) {
  const Panel = funnelPanel.panel;
  if (!Panel) {
    return <div>the funnel plugin has no panel component</div>;
  }
  const options = { ...deepDefaults(funnelPanel), ...(props.options ?? {}) };
  const fieldConfig = props.fieldConfig ?? { defaults: {}, overrides: [] };
  return (
    <Panel
      id={props.id ?? 1}
      data={{ series: props.frames, state: LoadingState.Done, timeRange: props.timeRange }}
      timeRange={props.timeRange}
      timeZone={props.timeZone}
      options={options}
      fieldConfig={fieldConfig}
      transparent={false}
      width={props.width}
      height={props.height}
      renderCounter={1}
      title={props.title ?? ''}
      eventBus={eventBus}
      onOptionsChange={() => undefined}
      onFieldConfigChange={() => undefined}
      onChangeTimeRange={() => undefined}
      replaceVariables={(value: string) => templateSrv.replace(value)}
    />
  );
}

/** The options' defaults from the plugin's own option builder, as Grafana fills a new panel's. */
function deepDefaults(plugin: typeof funnelPanel): Record<string, unknown> {
  return (plugin.defaults ?? {}) as Record<string, unknown>;
}
