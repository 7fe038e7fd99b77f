import { lastValueFrom } from 'rxjs';

import { alertEpisodes, annotationsFrame, annotationSupport, frameToAnnotations } from './annotations';
import { AlertHistoryEvent } from './sluice-api';

let n = 0;
const ev = (
  rule: string,
  state: AlertHistoryEvent['state'],
  at: number,
  extra: Partial<AlertHistoryEvent> = {}
): AlertHistoryEvent => ({
  id: `e${++n}`,
  rule_id: rule,
  rule_name: `Rule ${rule}`,
  severity: 'critical',
  state,
  at,
  value: 912.4,
  threshold: 800,
  message: 'condition held for 5m',
  ...extra,
});

describe('alertEpisodes', () => {
  it('makes a region from firing to resolved, whatever the order of the history', () => {
    // the history comes newest first
    const history = [ev('a', 'resolved', 5000, { value: 700, message: 'cleared' }), ev('a', 'firing', 1000)];
    expect(alertEpisodes(history)).toEqual([
      {
        id: history[1].id,
        time: 1000,
        timeEnd: 5000,
        isRegion: true,
        title: 'Rule a',
        text: 'firing → resolved\nvalue 912.4 vs threshold 800\ncondition held for 5m',
        tags: ['critical', 'resolved'],
      },
    ]);
  });

  it('makes a point for an alert still firing and for one that fired before the range', () => {
    const out = alertEpisodes([
      ev('a', 'firing', 3000, { severity: 'warning' }),
      ev('b', 'resolved', 2000, { value: null, message: undefined }),
    ]);
    expect(out).toEqual([
      { id: expect.any(String), time: 2000, title: 'Rule b', text: 'resolved', tags: ['critical', 'resolved'] },
      {
        id: expect.any(String),
        time: 3000,
        title: 'Rule a',
        text: 'firing\nvalue 912.4 vs threshold 800\ncondition held for 5m',
        tags: ['warning', 'firing'],
      },
    ]);
  });

  it('keeps reminders and acknowledgements inside their episode, and episodes of rules apart', () => {
    const out = alertEpisodes([
      ev('a', 'firing', 1000),
      ev('b', 'firing', 1500),
      ev('a', 'acknowledged', 2000),
      ev('a', 'firing', 3000),
      ev('a', 'resolved', 4000),
      ev('a', 'firing', 6000),
    ]);
    expect(out.map((a) => [a.title, a.time, a.timeEnd, a.tags])).toEqual([
      ['Rule a', 1000, 4000, ['critical', 'resolved']],
      ['Rule b', 1500, undefined, ['critical', 'firing']],
      ['Rule a', 6000, undefined, ['critical', 'firing']],
    ]);
  });

  it('skips a pending that resolved without firing', () => {
    expect(alertEpisodes([ev('a', 'pending', 1000), ev('a', 'resolved', 2000)])).toEqual([]);
  });

  it('writes the value without a threshold when there is none', () => {
    expect(alertEpisodes([ev('a', 'firing', 1, { threshold: null, message: undefined })])[0].text).toBe(
      'firing\nvalue 912.4'
    );
  });
});

describe('annotation frames', () => {
  it('carry the annotations through a data frame and back', async () => {
    const annotations = alertEpisodes([ev('a', 'firing', 1000), ev('a', 'resolved', 5000), ev('b', 'firing', 7000)]);
    const frame = annotationsFrame(annotations, 'Anno');
    expect(frame.fields.map((f) => f.name)).toEqual(['time', 'timeEnd', 'title', 'text', 'tags', 'id']);
    expect(frameToAnnotations(frame)).toEqual(annotations);
    const processed = await lastValueFrom(annotationSupport.processEvents!({} as never, [frame]));
    expect(processed).toEqual(annotations);
  });

  it('prepare an alert history query from a stored annotation', () => {
    const anno = annotationSupport.prepareAnnotation!({ name: 'Alerts', enable: true, iconColor: 'red' } as never);
    expect(anno.target).toEqual({ refId: 'Anno', queryType: 'alert_history' });
    const query = annotationSupport.prepareQuery!({
      ...anno,
      target: { refId: 'Anno', alertSeverity: 'critical' },
    } as never);
    expect(query).toEqual({ refId: 'Anno', alertSeverity: 'critical', queryType: 'alert_history' });
  });
});
