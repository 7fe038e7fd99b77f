// The admin API: projects and keys. Authorized by SLUICE_ADMIN_TOKEN as a bearer token.
import crypto from 'node:crypto';
import type { HttpRequest, HttpResponse, TemplatedApp } from 'uWebSockets.js';
import type { Config } from '../core/config.js';
import { SluiceError } from '../core/errors.js';
import type { KeyKind, KeyStore } from '../core/keys.js';
import { readBody, type Aborted } from '../ingest/receive.js';
import { send, sendError, sendJson } from '../ingest/respond.js';

function checkAdmin(config: Config, authorization: string): void {
  if (!config.adminToken) throw new SluiceError('SLUICE_E_FORBIDDEN', 'The admin API is closed: set SLUICE_ADMIN_TOKEN');
  const m = /^Bearer\s+(.+)$/i.exec(authorization.trim());
  const given = Buffer.from(m?.[1] ?? '');
  const want = Buffer.from(config.adminToken);
  if (given.length !== want.length || !crypto.timingSafeEqual(given, want)) throw new SluiceError('SLUICE_E_UNAUTHORIZED', 'Missing or wrong admin token');
}

type Handler = (ctx: { body: unknown; param: string }) => Promise<{ status: number; value?: unknown }>;

function route(config: Config, handler: Handler, withBody: boolean) {
  return (res: HttpResponse, req: HttpRequest): void => {
    const state: Aborted = { aborted: false };
    res.onAborted(() => (state.aborted = true));
    const authorization = req.getHeader('authorization');
    const param = req.getParameter(0) ?? '';
    const length = Number(req.getHeader('content-length') || 0);
    void (async () => {
      try {
        let body: unknown;
        if (withBody) {
          const raw = await readBody(res, 64 * 1024, length);
          try {
            body = raw.length ? JSON.parse(raw.toString('utf8')) : {};
          } catch {
            throw new SluiceError('SLUICE_E_BAD_REQUEST', 'Body is not valid JSON');
          }
        }
        checkAdmin(config, authorization);
        const out = await handler({ body, param });
        if (out.value === undefined) send(res, state, out.status, '');
        else sendJson(res, state, out.status, out.value);
      } catch (err) {
        sendError(res, state, err instanceof SluiceError ? err : new SluiceError('SLUICE_E_INTERNAL', (err as Error).message));
      }
    })();
  };
}

export function registerAdmin(app: TemplatedApp, config: Config, keys: KeyStore): void {
  app.post('/api/v1/admin/projects', route(config, async ({ body }) => {
    const b = (body ?? {}) as { id?: unknown; name?: unknown };
    await keys.createProject(b.id as string, typeof b.name === 'string' ? b.name : undefined);
    return { status: 201, value: { id: b.id } };
  }, true));
  app.get('/api/v1/admin/projects', route(config, async () => ({ status: 200, value: { projects: await keys.listProjects() } }), false));
  app.post('/api/v1/admin/keys', route(config, async ({ body }) => {
    const b = (body ?? {}) as { project?: unknown; kind?: unknown; name?: unknown };
    if (typeof b.project !== 'string') throw new SluiceError('SLUICE_E_BAD_REQUEST', 'project is required');
    const created = await keys.createKey(b.project, b.kind as KeyKind, typeof b.name === 'string' ? b.name : '');
    return { status: 201, value: created };
  }, true));
  app.del('/api/v1/admin/keys/:id', route(config, async ({ param }) => {
    await keys.revokeKey(param);
    return { status: 204 };
  }, false));
}
