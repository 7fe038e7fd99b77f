import React, { useEffect, useMemo, useRef, useState } from 'react';
import { DataFrame, FieldType, LoadingState } from '@grafana/data';
import { Button, PanelChrome } from '@grafana/ui';
import { Subscription } from 'rxjs';

import { PanelViz } from '../PanelViz';
import { dataSource } from '../plugins';
import { buildRequest, errorText, runRequest } from '../request';
import { currentRoute, timeRange } from '../url';

/** Sum of the first numeric field of the latest frames: what the test compares with the API. */
function total(frames: DataFrame[]): number {
  let sum = 0;
  for (const frame of frames) {
    const field = frame.fields.find((f) => f.type === FieldType.number);
    for (const v of field?.values ?? []) {
      sum += Number(v) || 0;
    }
  }
  return sum;
}

/**
 * `#/live?query=<json>`: a `live: true` query subscribed through datasource.query(); shows the
 * latest answer's total and how many answers came; a button unsubscribes.
 */
export function LiveView() {
  const { params } = currentRoute();
  const ds = dataSource(params.get('uid') ?? 'sluice');
  const timeZone = params.get('tz') ?? 'utc';
  const range = useMemo(() => timeRange(params, { from: 'now-1h', to: 'now+1h' }, timeZone), []); // eslint-disable-line react-hooks/exhaustive-deps
  const query = useMemo(() => ({ refId: 'A', live: true, ...JSON.parse(params.get('query') ?? '{}') }), []); // eslint-disable-line react-hooks/exhaustive-deps
  const [frames, setFrames] = useState<DataFrame[]>([]);
  const [answers, setAnswers] = useState(0);
  const [state, setState] = useState<string>('subscribing');
  const [error, setError] = useState<string | undefined>();
  const sub = useRef<Subscription | null>(null);

  useEffect(() => {
    const request = buildRequest([query], { range, timezone: timeZone, width: 900 });
    sub.current = runRequest(ds, request).subscribe({
      next: (response) => {
        setFrames(response.data as DataFrame[]);
        setAnswers((n) => n + 1);
        setError(errorText(response));
        setState(response.state === LoadingState.Streaming ? 'streaming' : (response.state ?? 'done'));
      },
      error: (err: unknown) => {
        setError(errorText(undefined, err));
        setState('error');
      },
      complete: () => setState((s) => (s === 'unsubscribed' ? s : 'complete')),
    });
    return () => sub.current?.unsubscribe();
  }, []); // eslint-disable-line react-hooks/exhaustive-deps

  const unsubscribe = () => {
    sub.current?.unsubscribe();
    setState('unsubscribed');
  };

  return (
    <div style={{ padding: 16 }}>
      <div data-testid="live-state">{state}</div>
      <div>
        Total: <span data-testid="live-total">{total(frames)}</span> after{' '}
        <span data-testid="live-answers">{answers}</span> answers
      </div>
      {error && <pre data-testid="query-error">{error}</pre>}
      <Button data-testid="live-unsubscribe" onClick={unsubscribe} disabled={state === 'unsubscribed'}>
        Unsubscribe
      </Button>
      <PanelChrome title="Live" width={900} height={300} statusMessage={error}>
        {(w, h) => (
          <PanelViz type="timeseries" frames={frames} width={w} height={h} timeRange={range} timeZone={timeZone} />
        )}
      </PanelChrome>
    </div>
  );
}
