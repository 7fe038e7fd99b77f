import React, { useEffect, useRef, useState } from 'react';
import { DataFrame, DataQuery, DataQueryResponse, DataSourceApi, LoadingState, TimeRange } from '@grafana/data';
import { PanelChrome } from '@grafana/ui';
import { Subscription } from 'rxjs';

import { PanelViz } from '../PanelViz';
import { buildRequest, errorText, frameRows, runRequest } from '../request';

export interface QueryRun {
  /** Changes on every run asked for, so the same query can be run again. */
  seq: number;
  query: DataQuery;
}

interface Props {
  ds: DataSourceApi<any, any>;
  run: QueryRun | null;
  range: TimeRange;
  timeZone: string;
  type?: string;
  width?: number;
  height?: number;
  title?: string;
  /** Called with every response (live queries answer many times). */
  onResponse?: (response: DataQueryResponse) => void;
}

// Tall enough that the test reads every row of small answers (the table draws only what is seen).
const tableHeight = (frames: DataFrame[]) => Math.min(900, 40 + 36 * Math.max(1, frameRows(frames[0])));

/** Runs one query through the data source and draws its answer in a panel, as Grafana would. */
export function QueryResult({
  ds,
  run,
  range,
  timeZone,
  type = 'timeseries',
  width = 900,
  height = 320,
  title,
  onResponse,
}: Props) {
  const [frames, setFrames] = useState<DataFrame[]>([]);
  const [error, setError] = useState<string | undefined>();
  const [state, setState] = useState<LoadingState>(LoadingState.NotStarted);
  const [responses, setResponses] = useState(0);
  const sub = useRef<Subscription | null>(null);

  useEffect(() => {
    if (!run) {
      return;
    }
    setState(LoadingState.Loading);
    setError(undefined);
    const request = buildRequest([run.query], { range, timezone: timeZone, width, app: 'panel-editor' });
    sub.current = runRequest(ds, request).subscribe({
      next: (response) => {
        onResponse?.(response);
        setResponses((n) => n + 1);
        setFrames(response.data as DataFrame[]);
        const message = errorText(response);
        setError(message);
        setState(message ? LoadingState.Error : (response.state ?? LoadingState.Done));
      },
      error: (err: unknown) => {
        setFrames([]);
        setError(errorText(undefined, err));
        setState(LoadingState.Error);
      },
    });
    return () => sub.current?.unsubscribe();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [run?.seq]);

  return (
    <div data-testid="query-result" data-state={state} data-responses={responses}>
      <PanelChrome
        title={title ?? run?.query.refId ?? 'Result'}
        width={width}
        height={height}
        loadingState={state === LoadingState.Loading ? LoadingState.Loading : undefined}
        statusMessage={error}
      >
        {(w, h) => <PanelViz type={type} frames={frames} width={w} height={h} timeRange={range} timeZone={timeZone} />}
      </PanelChrome>
      {error && <pre data-testid="query-error">{error}</pre>}
      <div>
        Rows: <span data-testid="query-rows">{frames.reduce((n, f) => n + frameRows(f), 0)}</span>
      </div>
      {frames[0] && (
        <div data-testid="query-table">
          <PanelViz
            type="table"
            frames={frames}
            width={width}
            height={tableHeight(frames)}
            timeRange={range}
            timeZone={timeZone}
          />
        </div>
      )}
    </div>
  );
}
