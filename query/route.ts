// One request lifecycle for every query-service route: read what uWS gives only synchronously,
// read the body (bounded), authenticate, check the role, pass the per-caller gate, run the
// handler (cancelled when the client leaves), answer. Errors answer with their registry code.
import type { HttpRequest, HttpResponse, TemplatedApp } from 'uWebSockets.js';
import { SluiceError } from '../core/errors.js';
import { readBody, type Aborted } from '../ingest/receive.js';
import { sendError, sendJson } from '../ingest/respond.js';
import { requireRole, type Caller } from './auth.js';
import type { QueryDeps } from './deps.js';
import type { Role } from './types.js';

export interface RouteContext {
  caller: Caller;
  body: unknown;
  params: URLSearchParams;
  /** Path parameters in order (`:id`). */
  path: string[];
  /** `Cache-Control: no-cache` asks for a fresh answer. */
  noCache: boolean;
  signal: AbortSignal;
  res: HttpResponse;
  state: Aborted;
  /** RateLimit-* headers the answer should carry. */
  headers: Record<string, string>;
}

/** A handler answers a value (sent as JSON with `status`) or `null` when it wrote the response itself. */
export type Handler = (ctx: RouteContext) => Promise<{ status?: number; value: unknown } | null>;

export interface RouteOptions {
  role: Role;
  /** What the role check names in its refusal. */
  action: string;
  body?: boolean;
  /** Counted against the caller's query rate and concurrency. */
  gated?: boolean;
  noProject?: boolean;
  pathParams?: number;
}

type Method = 'get' | 'post' | 'put' | 'del';

export function route(app: TemplatedApp, deps: QueryDeps, method: Method, path: string, opts: RouteOptions, handler: Handler): void {
  app[method](path, (res: HttpResponse, req: HttpRequest) => {
    const state: Aborted = { aborted: false };
    const abort = new AbortController();
    res.onAborted(() => {
      state.aborted = true;
      abort.abort();
    });
    const authorization = req.getHeader('authorization');
    const params = new URLSearchParams(req.getQuery() ?? '');
    const noCache = /no-cache|no-store/i.test(req.getHeader('cache-control'));
    const length = Number(req.getHeader('content-length') || 0);
    const pathParams = Array.from({ length: opts.pathParams ?? 0 }, (_, i) => decodeURIComponent(req.getParameter(i) ?? ''));
    void (async () => {
      let release = (): void => undefined;
      let headers: Record<string, string> = {};
      try {
        let body: unknown;
        if (opts.body) {
          const raw = await readBody(res, deps.config.queryMaxBodyBytes, length);
          try {
            body = raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
          } catch {
            throw new SluiceError('SLUICE_E_BAD_REQUEST', 'The body is not valid JSON');
          }
        }
        const caller = await deps.auth.authenticate(authorization, params.get('project'), { noProject: opts.noProject });
        requireRole(caller, opts.role, opts.action);
        if (opts.gated) {
          const pass = await deps.gate.enter(caller);
          release = pass.release;
          headers = pass.headers;
        }
        const out = await handler({ caller, body, params, path: pathParams, noCache, signal: abort.signal, res, state, headers });
        if (out) sendJson(res, state, out.status ?? 200, out.value, headers);
      } catch (err) {
        const e = err instanceof SluiceError ? err : new SluiceError('SLUICE_E_INTERNAL', (err as Error)?.message ?? String(err));
        if (e.status >= 500) deps.log.warn({ err: e.message, path }, 'query route failed');
        sendError(res, state, e, { ...headers, ...((err as { headers?: Record<string, string> }).headers ?? {}) });
      } finally {
        release();
      }
    })();
  });
}
