import {
  CoreApp,
  DataQueryRequest,
  DataQueryResponse,
  DataSourceApi,
  DataSourceInstanceSettings,
  TestDataSourceResponse,
} from '@grafana/data';

import { answerToFrame } from './frames';
import { buildQuery } from './query-builder';
import { SluiceApi } from './sluice-api';
import { DEFAULT_QUERY, SluiceOptions, SluiceQuery } from './types';

export class DataSource extends DataSourceApi<SluiceQuery, SluiceOptions> {
  readonly api: SluiceApi;

  constructor(instanceSettings: DataSourceInstanceSettings<SluiceOptions>) {
    super(instanceSettings);
    this.api = new SluiceApi(instanceSettings.url ?? '');
  }

  getDefaultQuery(_: CoreApp): Partial<SluiceQuery> {
    return DEFAULT_QUERY;
  }

  filterQuery(query: SluiceQuery): boolean {
    return !query.hide;
  }

  async query(request: DataQueryRequest<SluiceQuery>): Promise<DataQueryResponse> {
    const context = {
      from: request.range.from.valueOf(),
      to: request.range.to.valueOf(),
      timezone: request.timezone,
      intervalMs: request.intervalMs,
    };
    const data = await Promise.all(
      request.targets.map(async (target) => {
        const built = buildQuery(target, context);
        if (!built.ok) {
          throw new Error(built.error);
        }
        const answer = await this.api.query(built.query);
        return answerToFrame(answer, { refId: target.refId, kind: built.query.kind });
      })
    );
    return { data };
  }

  async testDatasource(): Promise<TestDataSourceResponse> {
    try {
      await this.api.query({ kind: 'events', range: '1h', limit: 1 });
      return { status: 'success', message: 'Sluice answered a query' };
    } catch (err) {
      return { status: 'error', message: (err as Error).message };
    }
  }
}
