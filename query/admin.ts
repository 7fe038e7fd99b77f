// The admin API: projects and keys. Open to the admin token (SLUICE_ADMIN_TOKEN) and to JWTs
// with role admin; a JWT acts only on the projects it lists (or all, with "*").
import type { HttpRequest, HttpResponse, TemplatedApp } from 'uWebSockets.js';
import type { Config } from '../core/config.js';
import { SluiceError } from '../core/errors.js';
import type { KeyKind, KeyStore } from '../core/keys.js';
import { readBody, type Aborted } from '../ingest/receive.js';
import { send, sendError, sendJson } from '../ingest/respond.js';
import { Authenticator, requireRole, type Caller } from './auth.js';

type Handler = (ctx: { body: unknown; param: string; caller: Caller; named: string | null }) => Promise<{ status: number; value?: unknown }>;

const mayActOn = (caller: Caller, project: string): boolean => caller.scope === '*' || caller.scope.includes(project);

function route(config: Config, auth: Authenticator, handler: Handler, withBody: boolean) {
  return (res: HttpResponse, req: HttpRequest): void => {
    const state: Aborted = { aborted: false };
    res.onAborted(() => (state.aborted = true));
    const authorization = req.getHeader('authorization');
    const project = req.getQuery('project') ?? null;
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
        if (!config.adminToken && !config.jwtSecret && !config.jwksUrl) {
          throw new SluiceError('SLUICE_E_FORBIDDEN', 'The admin API is closed: set SLUICE_ADMIN_TOKEN, or SLUICE_JWT_SECRET / SLUICE_JWKS_URL for admin JWTs');
        }
        const caller = await auth.authenticate(authorization, project, { noProject: true });
        requireRole(caller, 'admin', 'The admin API');
        const out = await handler({ body, param, caller, named: project || null });
        if (out.value === undefined) send(res, state, out.status, '');
        else sendJson(res, state, out.status, out.value);
      } catch (err) {
        sendError(res, state, err instanceof SluiceError ? err : new SluiceError('SLUICE_E_INTERNAL', (err as Error).message));
      }
    })();
  };
}

export function registerAdmin(app: TemplatedApp, config: Config, keys: KeyStore, auth = new Authenticator(config, keys)): void {
  app.post('/api/v1/admin/projects', route(config, auth, async ({ body, caller }) => {
    const b = (body ?? {}) as { id?: unknown; name?: unknown };
    if (typeof b.id === 'string' && !mayActOn(caller, b.id)) {
      throw new SluiceError('SLUICE_E_FORBIDDEN', `This JWT may not create project "${b.id}": it is not in its projects`);
    }
    await keys.createProject(b.id as string, typeof b.name === 'string' ? b.name : undefined);
    return { status: 201, value: { id: b.id } };
  }, true));
  app.get('/api/v1/admin/projects', route(config, auth, async ({ caller }) => {
    const projects = (await keys.listProjects()).filter((p) => mayActOn(caller, p));
    return { status: 200, value: { projects } };
  }, false));
  app.post('/api/v1/admin/keys', route(config, auth, async ({ body, caller, named }) => {
    const b = (body ?? {}) as { project?: unknown; kind?: unknown; name?: unknown };
    // The project comes from the body, or from ?project= (already checked against the caller).
    const project = b.project ?? named ?? undefined;
    if (typeof project !== 'string') throw new SluiceError('SLUICE_E_BAD_REQUEST', 'project is required');
    if (named !== null && project !== named) {
      throw new SluiceError('SLUICE_E_BAD_REQUEST', `The body names project "${project}" and ?project= names "${named}"`);
    }
    if (!mayActOn(caller, project)) throw new SluiceError('SLUICE_E_FORBIDDEN', `This JWT may not create keys for project "${project}": it is not in its projects`);
    const created = await keys.createKey(project, b.kind as KeyKind, typeof b.name === 'string' ? b.name : '');
    return { status: 201, value: created };
  }, true));
  app.del('/api/v1/admin/keys/:id', route(config, auth, async ({ param, caller }) => {
    // A key id does not say its project, so only a caller allowed every project may revoke by id.
    if (caller.scope !== '*') throw new SluiceError('SLUICE_E_FORBIDDEN', 'Revoking a key needs the admin token or a JWT whose projects are "*"');
    await keys.revokeKey(param);
    return { status: 204 };
  }, false));
}
