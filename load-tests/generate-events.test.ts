import { describe, expect, it } from 'vitest';
import { createValidateStep } from '../ingest/validate.js';
import { fieldErrors, loadSchemas } from '../schema/registry.js';
import { generateEvents, rowLine, type GeneratedEvent } from './generate-events.js';

const DAY = 86_400_000;
const END = Date.UTC(2026, 10, 22, 9, 30);
const all = (o: { events: number; days: number; seed?: number; end?: number }): GeneratedEvent[] => [...generateEvents({ end: END, ...o })].flat();

describe('generate-events', () => {
  const events = all({ events: 60_000, days: 28, seed: 7 });

  it('is deterministic for a seed and an end, and differs for another seed', () => {
    const again = all({ events: 60_000, days: 28, seed: 7 });
    expect(again.map((e) => rowLine(e, 'p'))).toEqual(events.map((e) => rowLine(e, 'p')));
    const other = all({ events: 60_000, days: 28, seed: 8 });
    expect(other.slice(0, 200).map((e) => rowLine(e, 'p'))).not.toEqual(events.slice(0, 200).map((e) => rowLine(e, 'p')));
  });

  it('makes exactly the asked number of events, inside the range, with unique ids', () => {
    expect(events).toHaveLength(60_000);
    expect(all({ events: 1, days: 1 })).toHaveLength(1);
    expect(all({ events: 0, days: 3 })).toHaveLength(0);
    for (const e of events) {
      expect(e.timestamp).toBeGreaterThanOrEqual(END - 28 * DAY);
      expect(e.timestamp).toBeLessThan(END);
    }
    expect(new Set(events.map((e) => e.event_id)).size).toBe(events.length);
  });

  it('gives every shipped event type, each event valid against the envelope, its JSON Schema and the ingest checks', () => {
    const schemas = loadSchemas();
    const validate = createValidateStep(schemas, { maxProperties: 200, maxPropertyDepth: 5, maxStringLength: 8192, maxFutureSkewMs: 0, maxPastMs: 400 * DAY });
    const types = new Set(events.map((e) => e.event));
    for (const t of ['page_view', 'api_request', 'error', 'order', 'ml_job', 'ticket', 'booking', 'add_to_cart', 'checkout_started']) expect(types).toContain(t);
    for (const e of events) {
      if (!schemas.envelope(e as unknown)) throw new Error(`${e.event} envelope: ${JSON.stringify(fieldErrors(schemas.envelope.errors))}`);
      const props = schemas.forEvent(e.event);
      if (props && !props(e.properties as unknown)) throw new Error(`${e.event} properties: ${JSON.stringify(fieldErrors(props.errors))} in ${JSON.stringify(e.properties)}`);
      const v = validate(e, END);
      if (!v.ok) throw new Error(`${e.event}: ${v.reason} ${JSON.stringify(v.errors)}`);
    }
    // Rows are JSON the events table takes.
    const row = JSON.parse(rowLine(events[0], 'bench')) as Record<string, unknown>;
    expect(Object.keys(row)).toEqual(['project_id', 'event', 'timestamp', 'event_id', 'received_at', 'user_id', 'session_id', 'correlation_id', 'source', 'properties']);
  });

  it('has daily and weekly seasonality', () => {
    const byHour = new Array<number>(24).fill(0);
    const byWeekday = new Array<number>(7).fill(0);
    const days = new Array<number>(7).fill(0);
    for (const e of events) {
      const d = new Date(e.timestamp);
      byHour[d.getUTCHours()]++;
      byWeekday[d.getUTCDay()]++;
    }
    // Whole days of each weekday in the range (the first and last are partial; 28 days = 4 of each).
    for (let t = END - 28 * DAY; t < END; t += DAY) days[new Date(t).getUTCDay()]++;
    const evening = byHour[17] + byHour[18] + byHour[19];
    const night = byHour[3] + byHour[4] + byHour[5];
    expect(evening / night).toBeGreaterThan(3);
    const perDay = byWeekday.map((n, i) => n / days[i]);
    expect(perDay[6]).toBeLessThan(perDay[1] * 0.85); // Saturday quieter than Monday
  });

  it('has users who come back and funnels that narrow', () => {
    const firstWeek = new Set<string>();
    const lastWeek = new Set<string>();
    for (const e of events) {
      if (!e.user_id) continue;
      if (e.timestamp < END - 21 * DAY) firstWeek.add(e.user_id);
      else if (e.timestamp >= END - 7 * DAY) lastWeek.add(e.user_id);
    }
    const back = [...firstWeek].filter((u) => lastWeek.has(u)).length;
    expect(back / firstWeek.size).toBeGreaterThan(0.05);
    expect(back / firstWeek.size).toBeLessThan(0.8);

    const users = (event: string): Set<string> => new Set(events.filter((e) => e.event === event).map((e) => e.user_id));
    const steps = ['page_view', 'add_to_cart', 'checkout_started', 'order'].map((s) => users(s).size);
    for (let i = 1; i < steps.length; i++) {
      expect(steps[i]).toBeGreaterThan(0);
      expect(steps[i]).toBeLessThan(steps[i - 1]);
    }
    // A buyer went through the earlier steps in the same session before the order.
    const order = events.find((e) => e.event === 'order')!;
    const before = events.filter((e) => e.session_id === order.session_id && e.timestamp <= order.timestamp).map((e) => e.event);
    expect(before).toEqual(expect.arrayContaining(['page_view', 'add_to_cart', 'checkout_started']));
  });
});
