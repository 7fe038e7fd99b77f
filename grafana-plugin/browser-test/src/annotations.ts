import { AnnotationEvent, AnnotationQuery, DataFrame, DataQuery, DataSourceApi, TimeRange } from '@grafana/data';
import { lastValueFrom } from 'rxjs';

import { buildRequest, errorText, runRequest } from './request';

/** What the test reads of one annotation query of a dashboard. */
export interface AnnotationResult {
  name: string;
  events: Array<Pick<AnnotationEvent, 'time' | 'timeEnd' | 'title' | 'text' | 'tags'>>;
  error?: string;
}

/**
 * Runs a dashboard's annotation query the way Grafana does for a data source with annotation
 * support: prepareAnnotation, prepareQuery, the data source's query, then processEvents.
 */
export async function runAnnotation(
  ds: DataSourceApi<any, any>,
  json: AnnotationQuery,
  range: TimeRange,
  timeZone: string
): Promise<AnnotationResult> {
  const name = json.name;
  try {
    const support = ds.annotations;
    if (!support) {
      throw new Error('the data source has no annotation support');
    }
    const prepared = support.prepareAnnotation ? support.prepareAnnotation(json) : json;
    const query = (support.prepareQuery ? support.prepareQuery(prepared) : prepared.target) as DataQuery | undefined;
    if (!query) {
      throw new Error('the annotation has no query');
    }
    const request = buildRequest([query], { range, timezone: timeZone, width: 1200 });
    const response = await lastValueFrom(runRequest(ds, request));
    const error = errorText(response);
    if (error) {
      throw new Error(error);
    }
    const events = support.processEvents
      ? ((await lastValueFrom(support.processEvents(prepared, response.data as DataFrame[]))) ?? [])
      : [];
    return {
      name,
      events: events.map((e) => ({ time: e.time, timeEnd: e.timeEnd, title: e.title, text: e.text, tags: e.tags })),
    };
  } catch (err) {
    return { name, events: [], error: errorText(undefined, err) };
  }
}
