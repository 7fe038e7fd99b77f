import { getBackendSrv, isFetchError } from '@grafana/runtime';
import {
  CoreApp,
  DataQueryRequest,
  DataQueryResponse,
  DataSourceApi,
  DataSourceInstanceSettings,
  TestDataSourceResponse,
} from '@grafana/data';
import { lastValueFrom } from 'rxjs';

import { answerToFrame } from './frames';
import { buildQuery } from './query-builder';
import { DEFAULT_QUERY, DslQuery, SluiceAnswer, SluiceOptions, SluiceQuery } from './types';

// Requests go through Grafana's data-source proxy; the `sluice` route in plugin.json adds the
// read key on Grafana's server, so the key never reaches the browser.
const ROUTE = 'sluice';

export class DataSource extends DataSourceApi<SluiceQuery, SluiceOptions> {
  private readonly baseUrl: string;

  constructor(instanceSettings: DataSourceInstanceSettings<SluiceOptions>) {
    super(instanceSettings);
    this.baseUrl = `${instanceSettings.url ?? ''}/${ROUTE}`;
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
        const answer = await this.post(built.query);
        return answerToFrame(answer, { refId: target.refId, kind: built.query.kind });
      })
    );
    return { data };
  }

  private async post(query: DslQuery): Promise<SluiceAnswer> {
    try {
      const response = await lastValueFrom(
        getBackendSrv().fetch<SluiceAnswer>({ url: `${this.baseUrl}/api/v1/query`, method: 'POST', data: query })
      );
      return response.data;
    } catch (err) {
      throw new Error(sluiceMessage(err));
    }
  }

  async testDatasource(): Promise<TestDataSourceResponse> {
    try {
      await this.post({ kind: 'events', range: '1h', limit: 1 });
      return { status: 'success', message: 'Sluice answered a query' };
    } catch (err) {
      return { status: 'error', message: (err as Error).message };
    }
  }
}

/** Sluice's own message for a failed request, when it sent one. */
function sluiceMessage(err: unknown): string {
  if (isFetchError(err)) {
    const error = (err.data as { error?: { code?: string; message?: string } } | undefined)?.error;
    if (error?.message) {
      return error.code ? `${error.code}: ${error.message}` : error.message;
    }
    return `Sluice request failed: ${err.status} ${err.statusText ?? ''}`.trim();
  }
  return err instanceof Error ? err.message : String(err);
}
