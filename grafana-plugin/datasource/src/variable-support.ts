import { CustomVariableSupport, DataQueryRequest, DataQueryResponse } from '@grafana/data';
import { getTemplateSrv } from '@grafana/runtime';
import { from, map, Observable } from 'rxjs';

import { VariableQueryEditor } from './components/VariableQueryEditor';
import type { DataSource } from './datasource';
import { DEFAULT_VARIABLE_QUERY, listVariableValues, toVariableQuery, VariableQuery } from './variables';

/** Query variables listing events, properties, measures or values from the meta endpoints. */
export class SluiceVariableSupport extends CustomVariableSupport<DataSource, VariableQuery> {
  editor = VariableQueryEditor;

  constructor(private readonly datasource: DataSource) {
    super();
  }

  getDefaultQuery(): Partial<VariableQuery> {
    return DEFAULT_VARIABLE_QUERY;
  }

  query(request: DataQueryRequest<VariableQuery>): Observable<DataQueryResponse> {
    const query = toVariableQuery(request.targets[0]);
    return from(listVariableValues(this.datasource.api, query, getTemplateSrv(), request.scopedVars)).pipe(
      map((values) => ({ data: values }))
    );
  }
}
