import React, { useEffect, useState } from 'react';
import {
  DataFrame,
  FieldType,
  formattedValueToString,
  getDisplayProcessor,
  LoadingState,
  TimeRange,
} from '@grafana/data';
import { PanelChrome, useTheme2 } from '@grafana/ui';
import { lastValueFrom } from 'rxjs';

import { AnnotationResult, runAnnotation } from '../annotations';
import { Dashboard, DashboardPanel, flatPanels, resolveVariables } from '../dashboard-model';
import { PanelViz } from '../PanelViz';
import { dataSource } from '../plugins';
import { buildRequest, errorText, frameRows, runRequest } from '../request';
import { PageVariable, templateSrv } from '../template-srv';
import { applyUrlVariables, currentRoute, timeRange } from '../url';

// Every provisioned dashboard, bundled with the page.
const files = import.meta.glob<Dashboard>('../../../provisioning/dashboards/**/*.json', {
  eager: true,
  import: 'default',
});

export function dashboardFile(name: string): Dashboard | undefined {
  const key = Object.keys(files).find((k) => k.endsWith(`/${name}.json`) || k.endsWith(`/${name}`));
  return key ? files[key] : undefined;
}

export function dashboardNames(): string[] {
  return Object.keys(files).map((k) => k.replace(/^.*\//, '').replace(/\.json$/, ''));
}

/** What the test reads for each query of each panel. */
export interface PanelResult {
  panelId?: number;
  title: string;
  type: string;
  refId: string;
  rows: number;
  fields: string[];
  error?: string;
  /** The query documents the panel's run posted to Sluice. */
  docs: unknown[];
  /** Index of the panel in the dashboard (rows opened), as `__sluiceFormat` takes it. */
  panelIndex: number;
}

declare global {
  interface Window {
    __sluiceResults?: PanelResult[];
    __sluiceVariables?: PageVariable[];
    __sluiceDone?: boolean;
    __sluiceError?: string;
    __sluiceAnnotations?: AnnotationResult[];
    /** A number as the panel would show it (its unit, decimals), to compare with what it shows. */
    __sluiceFormat?: (panelIndex: number, value: number) => string;
  }
}

const GRID_COLUMN = 50; // px per grid column: 24 columns = 1200 px
const GRID_ROW = 30;
const GAP = 8;

interface PanelState {
  frames: DataFrame[];
  error?: string;
  state: LoadingState;
}

async function runPanel(
  panel: DashboardPanel,
  panelIndex: number,
  range: TimeRange,
  timeZone: string
): Promise<{ state: PanelState; results: PanelResult[] }> {
  const first = window.__sluiceRequests?.length ?? 0;
  const docs = () =>
    (window.__sluiceRequests ?? [])
      .slice(first)
      .filter((r) => r.method === 'POST' && r.url.endsWith('/api/v1/query'))
      .map((r) => r.data);
  const targets = (panel.targets ?? []).map((t, i) => ({ ...t, refId: t.refId ?? String.fromCharCode(65 + i) }));
  const title = templateSrv.replace(panel.title ?? '');
  const width = (panel.gridPos?.w ?? 12) * GRID_COLUMN;
  const request = buildRequest(targets, {
    range,
    timezone: timeZone,
    width,
    maxDataPoints: panel.maxDataPoints,
    minInterval: panel.interval,
  });
  try {
    const response = await lastValueFrom(runRequest(dataSource('sluice'), request));
    const frames = response.data as DataFrame[];
    const error = errorText(response);
    const results = targets.map((t) => {
      const mine = frames.filter((f) => (f.refId ?? targets[0].refId) === t.refId);
      return {
        panelId: panel.id,
        title,
        type: panel.type,
        refId: t.refId,
        rows: mine.reduce((n, f) => n + frameRows(f), 0),
        fields: mine.flatMap((f) => f.fields.map((x) => x.name)),
        error:
          error && (response.errors?.some((e) => e.refId === t.refId) || !response.errors?.some((e) => e.refId))
            ? error
            : undefined,
        docs: docs(),
        panelIndex,
      };
    });
    return { state: { frames, error, state: error ? LoadingState.Error : LoadingState.Done }, results };
  } catch (err) {
    const error = errorText(undefined, err);
    return {
      state: { frames: [], error, state: LoadingState.Error },
      results: targets.map((t) => ({
        panelId: panel.id,
        title,
        type: panel.type,
        refId: t.refId,
        rows: 0,
        fields: [],
        error,
        docs: docs(),
        panelIndex,
      })),
    };
  }
}

/**
 * `#/dashboard/<file>?from=&to=&var-x=`: a provisioned dashboard, its variables resolved through
 * the data source, each panel's queries run through the real DataSource.query and drawn.
 */
export function DashboardView() {
  const { arg, params } = currentRoute();
  const dashboard = dashboardFile(arg);
  const [panels, setPanels] = useState<Record<number, PanelState>>({});
  const [range, setRange] = useState<TimeRange | null>(null);
  const [annotations, setAnnotations] = useState<AnnotationResult[]>([]);
  const [finished, setFinished] = useState(false);
  const timeZone =
    params.get('tz') ?? (dashboard?.timezone && dashboard.timezone !== 'browser' ? dashboard.timezone : 'utc');
  const theme = useTheme2();

  useEffect(() => {
    if (!dashboard) {
      window.__sluiceError = `no dashboard ${arg}; known: ${dashboardNames().join(', ')}`;
      window.__sluiceDone = true;
      return;
    }
    const all = flatPanels(dashboard.panels);
    window.__sluiceFormat = (panelIndex, value) => {
      const config = all[panelIndex]?.fieldConfig?.defaults ?? {};
      const display = getDisplayProcessor({ field: { type: FieldType.number, config }, theme, timeZone });
      return formattedValueToString(display(value));
    };
    const r = timeRange(params, dashboard.time ?? { from: 'now-7d', to: 'now' }, timeZone);
    setRange(r);
    templateSrv.updateTimeRange(r);
    (async () => {
      const variables = await resolveVariables(dashboard, dataSource('sluice'), r, (vars) =>
        applyUrlVariables(vars, params)
      );
      templateSrv.setVariables(variables);
      window.__sluiceVariables = variables;
      const results: PanelResult[] = [];
      // One panel after another, as a 2-core machine runs them anyway, with stable ordering.
      for (let i = 0; i < all.length; i++) {
        const panel = all[i];
        if (!panel.targets?.length) {
          continue;
        }
        const outcome = await runPanel(panel, i, r, timeZone);
        results.push(...outcome.results);
        setPanels((p) => ({ ...p, [i]: outcome.state }));
      }
      window.__sluiceResults = results;
      // The dashboard's own annotation queries (Grafana's built-in one has no data source here).
      const annotations: AnnotationResult[] = [];
      for (const a of dashboard.annotations?.list ?? []) {
        const uid = (a.datasource as { uid?: string } | undefined)?.uid;
        if (a.enable !== false && uid === 'sluice') {
          annotations.push(await runAnnotation(dataSource('sluice'), a as never, r, timeZone));
        }
      }
      window.__sluiceAnnotations = annotations;
      setAnnotations(annotations);
      setFinished(true);
    })().catch((err: unknown) => {
      window.__sluiceError = errorText(undefined, err) ?? String(err);
      setFinished(true);
    });
  }, []); // eslint-disable-line react-hooks/exhaustive-deps

  // Done once the render holding every panel's answer is on the page, not when the answers came.
  useEffect(() => {
    if (finished) {
      window.__sluiceDone = true;
    }
  }, [finished]);

  if (!dashboard) {
    return <div data-testid="dashboard-missing">No dashboard {arg}</div>;
  }
  const all = flatPanels(dashboard.panels);
  const bottom = Math.max(...all.map((p) => (p.gridPos ? p.gridPos.y + p.gridPos.h : 0)), 8);
  return (
    <div data-testid="dashboard" style={{ padding: GAP }}>
      <h2>{dashboard.title}</h2>
      {annotations.map((a) => (
        <div key={a.name} data-testid="dashboard-annotations" data-name={a.name}>
          {a.name}: {a.error ?? a.events.map((e) => `${e.title} (${(e.tags ?? []).join(', ')})`).join('; ')}
        </div>
      ))}
      <div
        data-testid="dashboard-panels"
        style={{ position: 'relative', width: 24 * GRID_COLUMN, height: bottom * GRID_ROW }}
      >
        {all.map((panel, i) => {
          const pos = panel.gridPos ?? { x: 0, y: i * 8, w: 12, h: 8 };
          const width = pos.w * GRID_COLUMN - GAP;
          const height = pos.h * GRID_ROW - GAP;
          const state = panels[i];
          return (
            <div
              key={i}
              data-testid="dashboard-panel"
              data-index={i}
              data-title={panel.title}
              data-type={panel.type}
              data-state={state?.state ?? 'Loading'}
              style={{ position: 'absolute', left: pos.x * GRID_COLUMN, top: pos.y * GRID_ROW, width, height }}
            >
              <PanelChrome
                title={templateSrv.replace(panel.title ?? '')}
                width={width}
                height={height}
                loadingState={state ? undefined : LoadingState.Loading}
                statusMessage={state?.error}
              >
                {(w, h) =>
                  state && range ? (
                    <PanelViz
                      id={panel.id}
                      title={panel.title}
                      type={panel.type}
                      frames={state.frames}
                      width={w}
                      height={h}
                      timeRange={range}
                      timeZone={timeZone}
                      options={panel.options}
                      fieldConfig={panel.fieldConfig as never}
                    />
                  ) : null
                }
              </PanelChrome>
            </div>
          );
        })}
      </div>
    </div>
  );
}
