// The error registry: every error a client can see has a stable code, an HTTP status and
// a message. docs/errors.md lists them all (a unit test keeps the two in step).

export const ERRORS = {
  SLUICE_E_UNAUTHORIZED: { status: 401, message: 'Missing or invalid key' },
  SLUICE_E_FORBIDDEN: { status: 403, message: 'The key may not do this' },
  SLUICE_E_NOT_FOUND: { status: 404, message: 'No such route' },
  SLUICE_E_METHOD: { status: 405, message: 'Method not allowed on this route' },
  SLUICE_E_BODY_TOO_LARGE: { status: 413, message: 'Body too large' },
  SLUICE_E_TOO_MANY_EVENTS: { status: 413, message: 'Too many events in one request' },
  SLUICE_E_UNSUPPORTED_TYPE: { status: 415, message: 'Unsupported content type or encoding' },
  SLUICE_E_BAD_REQUEST: { status: 400, message: 'Malformed request' },
  SLUICE_E_RATE_LIMITED: { status: 429, message: 'Rate limit exceeded' },
  SLUICE_E_SPOOL_FULL: { status: 503, message: 'Spool full: ClickHouse is behind or unreachable; nothing was accepted' },
  SLUICE_E_STORE_TIMEOUT: { status: 503, message: 'Events are spooled but not yet stored in ClickHouse; they will be stored without a retry' },
  SLUICE_E_SHUTTING_DOWN: { status: 503, message: 'Server is shutting down' },
  SLUICE_E_CLICKHOUSE: { status: 502, message: 'ClickHouse failed' },
  SLUICE_E_AUTH_UNAVAILABLE: { status: 503, message: 'The JWKS that verifies JWTs could not be fetched' },
  SLUICE_E_BAD_QUERY: { status: 400, message: 'The query is not valid' },
  SLUICE_E_QUERY_TIMEOUT: { status: 504, message: 'The query ran longer than its time limit' },
  SLUICE_E_QUERY_TOO_LARGE: { status: 422, message: 'The answer would exceed the result-row limit' },
  SLUICE_E_CONFLICT: { status: 409, message: 'Already exists' },
  SLUICE_E_INTERNAL: { status: 500, message: 'Internal error' },
} as const;

export type ErrorCode = keyof typeof ERRORS;

export class SluiceError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message ?? ERRORS[code].message);
    this.name = 'SluiceError';
    this.status = ERRORS[code].status;
  }

  toJSON(): { error: { code: ErrorCode; message: string } & Record<string, unknown> } {
    return { error: { code: this.code, message: this.message, ...this.details } };
  }
}

/** ClickHouse failures become one typed error carrying the server's code and type. */
export class ClickHouseFailure extends SluiceError {
  constructor(
    readonly operation: string,
    readonly cause: unknown,
  ) {
    const e = cause as { message?: string; code?: string; type?: string };
    const message = e?.message ?? String(cause);
    // The server names the error type last: "Code: 60. DB::Exception: ... (UNKNOWN_TABLE)". The
    // client's parse of that text can stop at a "(UUID)" in a quoted query, so the original
    // text down the cause chain is read first.
    const texts: string[] = [];
    for (let c: unknown = cause, i = 0; c && i < 5; c = (c as { cause?: unknown }).cause, i++) texts.push(String((c as Error).message ?? c));
    const type = [...texts].reverse().map((t) => /\(([A-Z][A-Z0-9_]{2,})\)\s*$/.exec(t.trim())?.[1]).find(Boolean) ?? e?.type;
    const code = /^\d+$/.test(e?.code ?? '') ? e.code : (texts.map((t) => /Code: (\d+)/.exec(t)?.[1]).find(Boolean) ?? e?.code);
    super('SLUICE_E_CLICKHOUSE', `ClickHouse ${operation} failed: ${message}`, {
      clickhouse_code: code,
      clickhouse_type: type,
    });
    this.name = 'ClickHouseFailure';
  }
}

/** One short line for logs and /readyz: ClickHouse messages can quote a whole query. */
export function briefError(err: unknown, max = 240): string {
  const e = err as { message?: string; details?: { clickhouse_type?: string } };
  const type = e?.details?.clickhouse_type;
  const text = (e?.message ?? String(err)).split('\n')[0];
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return type && !cut.includes(type) ? `${cut} (${type})` : cut;
}
