import {
  AnnotationEvent,
  AnnotationQuery,
  AnnotationSupport,
  DataFrame,
  FieldType,
  createDataFrame,
} from '@grafana/data';
import { Observable, of } from 'rxjs';

import { AlertHistoryEvent } from './sluice-api';
import { ALERT_HISTORY_QUERY, SluiceQuery } from './types';

function describe(first: AlertHistoryEvent, state: string): string {
  const lines = [state];
  if (first.value !== null && first.value !== undefined) {
    lines.push(
      first.threshold !== null && first.threshold !== undefined
        ? `value ${first.value} vs threshold ${first.threshold}`
        : `value ${first.value}`
    );
  }
  if (first.message) {
    lines.push(first.message);
  }
  return lines.join('\n');
}

function annotation(first: AlertHistoryEvent, last: AlertHistoryEvent | undefined, state: string): AnnotationEvent {
  const event: AnnotationEvent = {
    id: first.id,
    time: first.at,
    title: first.rule_name,
    text: describe(first, last ? `${first.state} → ${last.state}` : state),
    tags: [first.severity, last?.state ?? state],
  };
  if (last) {
    event.timeEnd = last.at;
    event.isRegion = true;
  }
  return event;
}

/**
 * One annotation per firing episode of each rule: a region from `firing` to `resolved` when the
 * history holds both, else a point (still firing, or fired before the range). Reminders
 * (`firing` again) and acknowledgements inside an episode belong to it; a `pending` that
 * resolved without firing is not an episode.
 */
export function alertEpisodes(history: AlertHistoryEvent[]): AnnotationEvent[] {
  const sorted = [...history].sort((a, b) => a.at - b.at);
  const open = new Map<string, { first: AlertHistoryEvent; acknowledged: boolean }>();
  const pending = new Set<string>();
  const out: AnnotationEvent[] = [];
  for (const event of sorted) {
    const rule = event.rule_id;
    const episode = open.get(rule);
    if (event.state === 'pending') {
      pending.add(rule);
    } else if (event.state === 'firing') {
      pending.delete(rule);
      if (!episode) {
        open.set(rule, { first: event, acknowledged: false });
      }
    } else if (event.state === 'acknowledged') {
      if (episode) {
        episode.acknowledged = true;
      } else {
        out.push(annotation(event, undefined, 'acknowledged'));
      }
    } else if (event.state === 'resolved') {
      if (episode) {
        out.push(annotation(episode.first, event, 'resolved'));
        open.delete(rule);
      } else if (!pending.delete(rule)) {
        // fired before the range: only its end is known
        out.push(annotation(event, undefined, 'resolved'));
      }
    }
  }
  for (const { first, acknowledged } of open.values()) {
    out.push(annotation(first, undefined, acknowledged ? 'acknowledged' : 'firing'));
  }
  return out.sort((a, b) => (a.time ?? 0) - (b.time ?? 0));
}

/** Annotations as a frame with Grafana's standard annotation fields. */
export function annotationsFrame(events: AnnotationEvent[], refId: string): DataFrame {
  return createDataFrame({
    refId,
    name: 'alert history',
    fields: [
      { name: 'time', type: FieldType.time, values: events.map((e) => e.time) },
      { name: 'timeEnd', type: FieldType.time, values: events.map((e) => e.timeEnd ?? e.time) },
      { name: 'title', type: FieldType.string, values: events.map((e) => e.title) },
      { name: 'text', type: FieldType.string, values: events.map((e) => e.text) },
      { name: 'tags', type: FieldType.other, values: events.map((e) => e.tags ?? []) },
      { name: 'id', type: FieldType.string, values: events.map((e) => e.id) },
    ],
  });
}

/** The annotations a frame made by `annotationsFrame` holds. */
export function frameToAnnotations(frame: DataFrame): AnnotationEvent[] {
  const column = (name: string) => frame.fields.find((f) => f.name === name)?.values ?? [];
  const [time, timeEnd, title, text, tags, id] = ['time', 'timeEnd', 'title', 'text', 'tags', 'id'].map(column);
  return time.map((t: number, i: number) => {
    const event: AnnotationEvent = { id: id[i], time: t, title: title[i], text: text[i], tags: tags[i] ?? [] };
    if (timeEnd[i] !== undefined && timeEnd[i] !== t) {
      event.timeEnd = timeEnd[i];
      event.isRegion = true;
    }
    return event;
  });
}

const DEFAULT_TARGET: Partial<SluiceQuery> = { queryType: ALERT_HISTORY_QUERY };

/**
 * Annotations from Sluice's alert history: the query runs through the data source's query(),
 * which answers it with `annotationsFrame`. The editor is added where the data source is made.
 */
export const annotationSupport: AnnotationSupport<SluiceQuery> = {
  getDefaultQuery: () => DEFAULT_TARGET,
  prepareAnnotation(json: AnnotationQuery<SluiceQuery>) {
    return { ...json, target: { refId: 'Anno', ...DEFAULT_TARGET, ...json.target } as SluiceQuery };
  },
  prepareQuery(anno: AnnotationQuery<SluiceQuery>) {
    return { refId: 'Anno', ...anno.target, queryType: ALERT_HISTORY_QUERY } as SluiceQuery;
  },
  processEvents(_anno: AnnotationQuery<SluiceQuery>, data: DataFrame[]): Observable<AnnotationEvent[] | undefined> {
    return of(data.flatMap(frameToAnnotations));
  },
};
