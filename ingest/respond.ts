// ack: writing answers. Every write after an await is corked and skipped if the client left.
import type { HttpResponse } from 'uWebSockets.js';
import { SluiceError } from '../core/errors.js';
import type { Aborted } from './receive.js';

const STATUS_TEXT: Record<number, string> = {
  200: '200 OK', 201: '201 Created', 204: '204 No Content', 400: '400 Bad Request', 401: '401 Unauthorized', 403: '403 Forbidden',
  404: '404 Not Found', 405: '405 Method Not Allowed', 409: '409 Conflict', 413: '413 Payload Too Large',
  415: '415 Unsupported Media Type', 422: '422 Unprocessable Content', 429: '429 Too Many Requests', 500: '500 Internal Server Error',
  502: '502 Bad Gateway', 503: '503 Service Unavailable', 504: '504 Gateway Timeout',
};

export function send(res: HttpResponse, state: Aborted, status: number, body: string, headers: Record<string, string> = {}, contentType = 'application/json'): void {
  if (state.aborted) return;
  res.cork(() => {
    res.writeStatus(STATUS_TEXT[status] ?? String(status));
    res.writeHeader('Content-Type', contentType);
    for (const [k, v] of Object.entries(headers)) res.writeHeader(k, v);
    res.end(body);
  });
  state.aborted = true; // answered: nothing more may be written
}

export function sendJson(res: HttpResponse, state: Aborted, status: number, value: unknown, headers: Record<string, string> = {}): void {
  send(res, state, status, JSON.stringify(value), headers);
}

export function sendError(res: HttpResponse, state: Aborted, err: unknown, headers: Record<string, string> = {}): void {
  const e = err instanceof SluiceError ? err : new SluiceError('SLUICE_E_INTERNAL');
  const extra: Record<string, string> = { ...headers };
  const retry = e.details?.retry_after_s;
  if (typeof retry === 'number') extra['Retry-After'] = String(retry);
  sendJson(res, state, e.status, e.toJSON(), extra);
}
