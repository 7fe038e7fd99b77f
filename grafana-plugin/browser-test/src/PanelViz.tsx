import React from 'react';
import {
  DataFrame,
  EventBusSrv,
  FieldConfigSource,
  FieldType,
  formattedValueToString,
  getDisplayProcessor,
  LoadingState,
  TimeRange,
  VizOrientation,
} from '@grafana/data';
import { BarGaugeDisplayMode, BigValueColorMode, BigValueGraphMode, LegendDisplayMode } from '@grafana/schema';
import { BarGauge, BigValue, Table, TimeSeries, useTheme2 } from '@grafana/ui';

import { numericFields, reduced, splitByGroups, withDisplay } from './frames';
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
    case 'stat': {
      const fields = numericFields(frames).filter(({ field }) => !field.name.endsWith('_previous'));
      const each = Math.max(1, fields.length);
      return (
        <div style={{ display: 'flex' }}>
          {fields.map(({ field }, i) => {
            const value = reduced(field, 'lastNotNull') as number;
            const display = (field.display ?? getDisplayProcessor({ field, theme }))(value);
            return (
              <div key={i} data-testid="stat-value" data-value={String(value)}>
                <BigValue
                  theme={theme}
                  width={Math.floor(width / each)}
                  height={height}
                  value={{ ...display, title: field.config.displayName ?? field.name }}
                  colorMode={BigValueColorMode.Value}
                  graphMode={BigValueGraphMode.None}
                />
              </div>
            );
          })}
        </div>
      );
    }
    case 'bargauge':
    case 'barchart':
    case 'piechart':
      return <Bars frames={frames} width={width} height={height} />;
    case 'sluice-funnel-panel':
      return <FunnelPanel {...props} frames={frames} />;
    default:
      return <Table data={frames[0]} width={width} height={height} />;
  }
}

/** One bar per row of a breakdown (label: its string columns), or per numeric field. */
function Bars({ frames, width, height }: { frames: DataFrame[]; width: number; height: number }) {
  const theme = useTheme2();
  const items: Array<{ label: string; value: number; field: DataFrame['fields'][number] }> = [];
  for (const frame of frames) {
    const labels = frame.fields.filter((f) => f.type === FieldType.string);
    const number = frame.fields.find((f) => f.type === FieldType.number);
    if (!number) {
      continue;
    }
    if (labels.length) {
      for (let i = 0; i < frame.length; i++) {
        items.push({ label: labels.map((l) => String(l.values[i])).join(', '), value: number.values[i], field: number });
      }
    } else {
      items.push({ label: number.config.displayName ?? number.name, value: reduced(number, 'sum') as number, field: number });
    }
  }
  const max = Math.max(...items.map((i) => Number(i.value) || 0), 1);
  const rowHeight = Math.max(20, Math.min(40, Math.floor(height / Math.max(items.length, 1))));
  return (
    <div>
      {items.map((item, i) => {
        const display = getDisplayProcessor({ field: { ...item.field, config: { ...item.field.config, min: 0, max } }, theme });
        const shown = display(item.value);
        return (
          <div key={i} data-testid="bar-item" data-label={item.label} data-value={String(item.value)}>
            <BarGauge
              theme={theme}
              width={width}
              height={rowHeight}
              field={{ ...item.field.config, min: 0, max }}
              display={display}
              value={{ ...shown, title: item.label }}
              orientation={VizOrientation.Horizontal}
              displayMode={BarGaugeDisplayMode.Basic}
              isOverflow={false}
            />
            <span hidden>{formattedValueToString(shown)}</span>
          </div>
        );
      })}
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
