import React, { useMemo, useRef, useState } from 'react';
import { CoreApp, DataQuery } from '@grafana/data';

import { dataSource, datasource } from '../plugins';
import { QueryResult, QueryRun } from './QueryResult';
import { templateSrv } from '../template-srv';
import { applyUrlVariables, currentRoute, timeRange } from '../url';

/**
 * `#/editor?query=<json>&from=&to=&tz=&type=&height=&var-x=`: the plugin's QueryEditor on a query, and below it
 * that query's answer as a time-series panel and a table.
 */
export function EditorView() {
  const { params } = currentRoute();
  const ds = dataSource(params.get('uid') ?? 'sluice');
  const timeZone = params.get('tz') ?? 'utc';
  // Template variables and ad-hoc filters from the URL (`var-<name>=`), as a dashboard gives them.
  useMemo(() => templateSrv.setVariables(applyUrlVariables([], params)), []); // eslint-disable-line react-hooks/exhaustive-deps
  const range = useMemo(() => timeRange(params, undefined, timeZone), []); // eslint-disable-line react-hooks/exhaustive-deps
  const initial = useMemo<DataQuery>(
    () => ({
      refId: 'A',
      ...(ds.getDefaultQuery?.(CoreApp.PanelEditor) ?? {}),
      ...JSON.parse(params.get('query') ?? '{}'),
    }),
    [] // eslint-disable-line react-hooks/exhaustive-deps
  );
  const [query, setQuery] = useState<DataQuery>(initial);
  // The editor calls onChange then onRunQuery at once: the run takes the latest query.
  const latest = useRef(initial);
  const [run, setRun] = useState<QueryRun | null>(params.get('run') === '0' ? null : { seq: 1, query: initial });
  const QueryEditor = datasource.components.QueryEditor!;

  return (
    <div style={{ padding: 16 }}>
      <div data-testid="editor">
        <QueryEditor
          datasource={ds}
          query={query}
          onChange={(q: DataQuery) => {
            latest.current = q;
            setQuery(q);
          }}
          onRunQuery={() => setRun((r) => ({ seq: (r?.seq ?? 0) + 1, query: latest.current }))}
          range={range}
          app={CoreApp.PanelEditor}
        />
      </div>
      <pre data-testid="editor-query" style={{ fontSize: 11 }}>
        {JSON.stringify(query)}
      </pre>
      <QueryResult
        ds={ds}
        run={run}
        range={range}
        timeZone={timeZone}
        type={params.get('type') ?? 'timeseries'}
        height={Number(params.get('height') ?? 320)}
      />
    </div>
  );
}
