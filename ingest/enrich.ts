// enrich: the stored row. Server-assigned ids are UUIDv7 (time-ordered); received_at is now.
import { v7 as uuidv7 } from 'uuid';
import type { ValidEvent } from './validate.js';
import type { EventRow, Source } from './types.js';

export function enrich(v: ValidEvent, project: string, source: Source, now: number): EventRow {
  return {
    project_id: project,
    event: v.event,
    timestamp: v.timestamp,
    event_id: v.event_id ?? uuidv7(),
    received_at: now,
    user_id: v.user_id,
    session_id: v.session_id,
    correlation_id: v.correlation_id,
    source,
    properties: v.properties,
  };
}
