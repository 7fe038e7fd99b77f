import {
  AdHocVariableFilter,
  CoreApp,
  DataFrame,
  DataQueryError,
  DataQueryRequest,
  DataQueryResponse,
  DataSourceApi,
  DataSourceGetTagKeysOptions,
  DataSourceGetTagValuesOptions,
  DataSourceInstanceSettings,
  LegacyMetricFindQueryOptions,
  LoadingState,
  MetricFindValue,
  ScopedVars,
  TestDataSourceResponse,
} from '@grafana/data';
import { getTemplateSrv } from '@grafana/runtime';
import { from, map, merge, Observable, of } from 'rxjs';

import { applyAdhocFilters } from './adhoc-filters';
import { alertEpisodes, annotationsFrame, annotationSupport } from './annotations';
import { AnnotationQueryEditor } from './components/AnnotationQueryEditor';
import { answerToFrame } from './frames';
import { checkHealth } from './health-check';
import { createInterpolator, interpolateQuery } from './interpolate';
import { LiveConnection, liveDocument, liveUrl, WebSocketFactory } from './live';
import { buildQuery, DashboardContext } from './query-builder';
import { ROUTE, SluiceApi, toSluiceError } from './sluice-api';
import { ALERT_HISTORY_QUERY, DEFAULT_QUERY, SluiceOptions, SluiceQuery } from './types';
import { SluiceVariableSupport } from './variable-support';
import { listVariableValues, parseVariableQuery, toVariableQuery } from './variables';

// Marks a query this data source has already interpolated, with the ad-hoc filters it could not
// send. A symbol survives Grafana's spreads of the query and never reaches the dashboard's JSON.
const INTERPOLATED = Symbol('sluice.interpolated');
type Interpolated = SluiceQuery & { [INTERPOLATED]?: string[] };

/** The key of the packet answering a request's non-live queries, apart from each live query's own. */
export const QUERY_PACKET_KEY = 'sluice-query';

const ALERT_HISTORY_LIMIT = 1000;

export interface DataSourceOptions {
  /** Opens the live WebSocket; the browser's by default (tests inject a fake). */
  createSocket?: WebSocketFactory;
  /** How long the live socket outlives its last subscription (LiveOptions.idleCloseMs). */
  liveIdleCloseMs?: number;
}

export class DataSource extends DataSourceApi<SluiceQuery, SluiceOptions> {
  readonly api: SluiceApi;
  readonly live: LiveConnection;
  private readonly sluiceUrl?: string;

  constructor(instanceSettings: DataSourceInstanceSettings<SluiceOptions>, options: DataSourceOptions = {}) {
    super(instanceSettings);
    const proxyUrl = instanceSettings.url ?? '';
    this.api = new SluiceApi(proxyUrl);
    this.sluiceUrl = instanceSettings.jsonData?.url;
    this.live = new LiveConnection(() => liveUrl(proxyUrl, ROUTE), {
      createSocket: options.createSocket,
      idleCloseMs: options.liveIdleCloseMs,
    });
    this.variables = new SluiceVariableSupport(this);
    this.annotations = { ...annotationSupport, QueryEditor: AnnotationQueryEditor };
  }

  getDefaultQuery(_: CoreApp): Partial<SluiceQuery> {
    return DEFAULT_QUERY;
  }

  filterQuery(query: SluiceQuery): boolean {
    return !query.hide;
  }

  /**
   * Template variables and the dashboard's ad-hoc filters applied to one query. query() calls it
   * for every target, so interpolation happens whether or not Grafana called it first; a query
   * interpolated once is returned as it is.
   */
  applyTemplateVariables(query: SluiceQuery, scopedVars: ScopedVars, filters?: AdHocVariableFilter[]): SluiceQuery {
    if ((query as Interpolated)[INTERPOLATED]) {
      return query;
    }
    const interpolated = interpolateQuery(query, getTemplateSrv(), scopedVars);
    if (query.queryType === ALERT_HISTORY_QUERY) {
      return { ...interpolated, [INTERPOLATED]: [] } as Interpolated;
    }
    const applied = applyAdhocFilters(interpolated, filters ?? this.legacyAdhocFilters());
    return { ...applied.query, [INTERPOLATED]: applied.errors } as Interpolated;
  }

  /** For Explore, which shows and links queries with their variables replaced. */
  interpolateVariablesInQueries(
    queries: SluiceQuery[],
    scopedVars: ScopedVars,
    filters?: AdHocVariableFilter[]
  ): SluiceQuery[] {
    return queries.map((q) => ({ ...this.applyTemplateVariables(q, scopedVars, filters), datasource: this.getRef() }));
  }

  // Grafana before 10.3 passes no `filters`: read the ad-hoc variables of this data source.
  private legacyAdhocFilters(): AdHocVariableFilter[] {
    const templateSrv = getTemplateSrv() as { getAdhocFilters?: (name: string) => AdHocVariableFilter[] };
    try {
      return templateSrv.getAdhocFilters?.(this.name) ?? [];
    } catch {
      return [];
    }
  }

  query(request: DataQueryRequest<SluiceQuery>): Observable<DataQueryResponse> {
    const filters = request.filters ?? this.legacyAdhocFilters();
    const targets = request.targets
      .filter((t) => this.filterQuery(t))
      .map((t) => this.applyTemplateVariables(t, request.scopedVars, filters) as Interpolated);
    const context: DashboardContext = {
      from: request.range.from.valueOf(),
      to: request.range.to.valueOf(),
      timezone: request.timezone,
      intervalMs: request.intervalMs,
    };
    // Explore's live button (plugin.json `streaming`) asks for every query of the request to stream.
    const live = targets.filter((t) => (t.live || request.liveStreaming) && t.queryType !== ALERT_HISTORY_QUERY);
    const once = targets.filter((t) => !live.includes(t));
    if (live.length === 0) {
      return from(this.runOnce(once, context));
    }
    const streams = live.map((t) => this.stream(t, context, request.range.raw.to));
    const first = once.length
      ? [from(this.runOnce(once, context)).pipe(map((r) => ({ ...r, key: QUERY_PACKET_KEY })))]
      : [];
    return merge(...first, ...streams);
  }

  /** Non-live targets, each posted on its own; one failing target leaves the others' frames. */
  private async runOnce(targets: Interpolated[], context: DashboardContext): Promise<DataQueryResponse> {
    const results = await Promise.all(
      targets.map(async (target): Promise<DataFrame | DataQueryError> => {
        try {
          return await this.runTarget(target, context);
        } catch (err) {
          const error = toSluiceError(err);
          return { refId: target.refId, message: error.message, status: error.status };
        }
      })
    );
    const data = results.filter((r): r is DataFrame => 'fields' in r);
    const errors = results.filter((r): r is DataQueryError => !('fields' in r));
    return errors.length ? { data, errors, state: LoadingState.Error } : { data, state: LoadingState.Done };
  }

  private async runTarget(target: Interpolated, context: DashboardContext): Promise<DataFrame> {
    if (target.queryType === ALERT_HISTORY_QUERY) {
      const history = await this.api.alertHistory({
        from: context.from,
        to: context.to,
        rule: target.alertRule || undefined,
        severity: target.alertSeverity || undefined,
        state: target.alertState || undefined,
        limit: target.limit ?? ALERT_HISTORY_LIMIT,
      });
      return annotationsFrame(alertEpisodes(history), target.refId);
    }
    const adhocErrors = target[INTERPOLATED] ?? [];
    if (adhocErrors.length) {
      throw new Error(adhocErrors.join('; '));
    }
    const built = buildQuery(target, context);
    if (!built.ok) {
      throw new Error(built.error);
    }
    const answer = await this.api.query(built.query);
    return answerToFrame(answer, { refId: target.refId, kind: built.query.kind });
  }

  /** A live target: its answers as they come over the shared socket, keyed by its refId. */
  private stream(target: Interpolated, context: DashboardContext, rawTo: unknown): Observable<DataQueryResponse> {
    const refId = target.refId;
    const failed = (message: string): DataQueryResponse => ({
      data: [],
      key: refId,
      state: LoadingState.Error,
      errors: [{ refId, message }],
    });
    const adhocErrors = target[INTERPOLATED] ?? [];
    if (adhocErrors.length) {
      return of(failed(adhocErrors.join('; ')));
    }
    const built = buildQuery(target, context);
    if (!built.ok) {
      return of(failed(built.error));
    }
    const doc = liveDocument(
      built.query,
      { ...context, rawTo },
      Boolean(target.rawMode && namesOwnRange(target.rawJson))
    );
    let last: DataFrame | undefined;
    return this.live.subscribe(doc, refId).pipe(
      map((update): DataQueryResponse => {
        if (update.type === 'result') {
          last = answerToFrame(update.answer, { refId, kind: doc.kind });
          return { data: [last], key: refId, state: LoadingState.Streaming };
        }
        // Keep the last answer on screen: the subscription stays and runs again when events land.
        return { ...failed(update.message), data: last ? [last] : [] };
      })
    );
  }

  /** Properties for ad-hoc filter keys, scoped to the panel's event when its queries share one. */
  async getTagKeys(options?: DataSourceGetTagKeysOptions<SluiceQuery>): Promise<MetricFindValue[]> {
    const properties = await this.api.properties(this.panelEvent(options?.queries));
    return properties.map((p) => ({ text: p.name, value: p.name }));
  }

  /** The most frequent values of one property, for ad-hoc filter values. */
  async getTagValues(options: DataSourceGetTagValuesOptions<SluiceQuery>): Promise<MetricFindValue[]> {
    const values = await this.api.values(options.key, { event: this.panelEvent(options.queries), limit: 100 });
    return values.map((v) => ({ text: v, value: v }));
  }

  private panelEvent(queries: SluiceQuery[] | undefined): string | undefined {
    const ip = createInterpolator(getTemplateSrv());
    const events = new Set(
      (queries ?? [])
        .filter((q) => !q.rawMode && q.kind !== 'funnel' && q.kind !== 'retention')
        .flatMap((q) => (q.event ? ip.list(q.event) : [undefined]))
    );
    const [only] = [...events];
    return events.size === 1 && only && !only.includes('$') ? only : undefined;
  }

  /** Variable queries written as text: `events`, `properties(event)`, `values(event, property)`. */
  async metricFindQuery(query: unknown, options?: LegacyMetricFindQueryOptions): Promise<MetricFindValue[]> {
    const parsed = typeof query === 'string' ? parseVariableQuery(query) : toVariableQuery(query);
    if (!parsed) {
      throw new Error(
        `Unknown variable query "${String(query)}": use events, properties(event), measures(event), values(property) or values(event, property)`
      );
    }
    return listVariableValues(this.api, parsed, getTemplateSrv(), options?.scopedVars);
  }

  testDatasource(): Promise<TestDataSourceResponse> {
    return checkHealth(this.api, this.sluiceUrl);
  }
}

function namesOwnRange(rawJson: string | undefined): boolean {
  try {
    const doc = JSON.parse(rawJson ?? '');
    return Boolean(doc && typeof doc === 'object' && ('range' in doc || 'from' in doc || 'to' in doc));
  } catch {
    return false;
  }
}
