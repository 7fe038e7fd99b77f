// Shapes that travel through the ingestion pipeline.

export type RejectReason =
  | 'invalid_json'
  | 'invalid_utf8'
  | 'invalid_envelope'
  | 'invalid_properties'
  | 'too_large'
  | 'limit_exceeded'
  | 'timestamp_out_of_range'
  | 'store_failed';

export interface FieldError {
  path: string;
  message: string;
}

/** One item decoded from a request: a parsed value, or why it could not be parsed. */
export interface DecodedItem {
  index: number;
  value?: unknown;
  /** Source text when it is at hand (NDJSON lines, unparseable input): kept for the rejects table. */
  raw?: string;
  rejection?: { reason: RejectReason; errors: FieldError[] };
}

export interface Rejected {
  index: number;
  reason: RejectReason;
  errors: FieldError[];
  event?: string;
  raw: string;
}

export type Source = 'http' | 'ws' | 'segment' | 'posthog';

/** A row of the events table, as written to the spool and to ClickHouse (JSONEachRow). */
export interface EventRow {
  project_id: string;
  event: string;
  timestamp: number;
  event_id: string;
  received_at: number;
  user_id: string;
  session_id: string;
  correlation_id: string;
  source: Source;
  properties: Record<string, unknown>;
}

export interface IngestResult {
  accepted: number;
  duplicates: number;
  rejected: { index: number; reason: RejectReason; errors: FieldError[] }[];
}

export type AckMode = 'stored' | 'spooled';
