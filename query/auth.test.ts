import http from 'node:http';
import type { AddressInfo } from 'node:net';
import uWS from 'uWebSockets.js';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../core/clickhouse.js';
import { loadConfig, type SETTINGS } from '../core/config.js';
import { SluiceError, type ErrorCode } from '../core/errors.js';
import { closeListen, listen, type Listen } from '../core/http-util.js';
import { KeyStore } from '../core/keys.js';
import { migrate } from '../schema/migrate.js';
import { openStore, tempDir } from '../test/helpers/sluice.js';
import { registerAdmin } from './admin.js';
import { Authenticator, requireRole } from './auth.js';
import { type Principal, type Role } from './types.js';

const ADMIN_TOKEN = 'admin-token-for-auth-tests-0123456789';
const SECRET = 'hs256-secret-for-auth-tests-0123456789abcdef';
const SECRET_BYTES = new TextEncoder().encode(SECRET);
const ISSUER = 'https://issuer.test';
const AUDIENCE = 'sluice-query';
const HOUR = 3600;

type Overrides = Partial<Record<keyof typeof SETTINGS, string>>;

const dataDir = tempDir();
let store: Store;
let keys: KeyStore;
let readKey: { id: string; key: string };
let writeKey: string;
let revokedKey: string;
let betaReadKey: string;

// The JWKS side: a real HTTP server on a free port serving the public half of `signer`.
let jwksServer: http.Server;
let jwksUrl: string;
let signer: CryptoKey;
let stranger: CryptoKey;

const auth = (overrides: Overrides = {}) => new Authenticator(loadConfig({}, { dataDir, adminToken: ADMIN_TOKEN, ...overrides }), keys);

beforeAll(async () => {
  const config = loadConfig({}, { dataDir });
  store = await openStore(dataDir);
  await migrate(store, config);
  keys = new KeyStore(store);
  await keys.createProject('alpha');
  await keys.createProject('beta');
  readKey = await keys.createKey('alpha', 'read');
  writeKey = (await keys.createKey('alpha', 'write')).key;
  betaReadKey = (await keys.createKey('beta', 'read')).key;
  const revoked = await keys.createKey('alpha', 'read');
  await keys.revokeKey(revoked.id);
  revokedKey = revoked.key;

  const pair = await generateKeyPair('RS256');
  signer = pair.privateKey;
  stranger = (await generateKeyPair('RS256')).privateKey;
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] });
  jwksServer = http.createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(jwks);
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks.json`;
});

afterAll(async () => {
  await new Promise((resolve) => jwksServer?.close(resolve));
  await store?.close();
});

/** The SluiceError a call is refused with. Never carries a secret. */
async function refusal(p: Promise<unknown>, code: ErrorCode, message: RegExp | string): Promise<SluiceError> {
  const err = await p.then(
    (v) => {
      throw new Error(`expected ${code}, got ${JSON.stringify(v)}`);
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SluiceError);
  const e = err as SluiceError;
  expect({ code: e.code, message: e.message }).toEqual({ code, message: typeof message === 'string' ? expect.stringContaining(message) : expect.stringMatching(message) });
  for (const secret of [SECRET, ADMIN_TOKEN]) expect(e.message).not.toContain(secret);
  return e;
}

const bearer = (token: string) => `Bearer ${token}`;

function hs256(claims: JWTPayload, edit: (j: SignJWT) => SignJWT = (j) => j.setExpirationTime('1h'), secret = SECRET_BYTES): Promise<string> {
  return edit(new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuedAt()).sign(secret);
}

function rs256(claims: JWTPayload, key = signer, kid = 'k1'): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid }).setIssuedAt().setExpirationTime('1h').sign(key);
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

describe('read and write keys', () => {
  it('a read key is an analyst bound to its project', async () => {
    const a = auth();
    expect(await a.authenticate(bearer(readKey.key), null)).toMatchObject({ subject: readKey.id, role: 'analyst', project: 'alpha', via: 'read_key' });
    expect((await a.authenticate(`bearer   ${readKey.key}`, 'alpha')).project).toBe('alpha');
  });

  it('a read key may not name another project', async () => {
    await refusal(auth().authenticate(bearer(readKey.key), 'beta'), 'SLUICE_E_FORBIDDEN', 'This read key belongs to project "alpha", not "beta"');
    await refusal(auth().authenticate(bearer(betaReadKey), 'alpha'), 'SLUICE_E_FORBIDDEN', /belongs to project "beta"/);
  });

  it('a write key is refused: write keys only ingest', async () => {
    await refusal(auth().authenticate(bearer(writeKey), null), 'SLUICE_E_FORBIDDEN', /write key; write keys only ingest/);
  });

  it('revoked, unknown and garbage credentials are 401', async () => {
    const a = auth();
    await refusal(a.authenticate(bearer(revokedKey), null), 'SLUICE_E_UNAUTHORIZED', 'Unknown or revoked key');
    await refusal(a.authenticate(bearer('slr_not-a-real-key'), null), 'SLUICE_E_UNAUTHORIZED', 'Unknown or revoked key');
    await refusal(a.authenticate(bearer('slw_not-a-real-key'), null), 'SLUICE_E_UNAUTHORIZED', 'Unknown or revoked key');
    await refusal(a.authenticate(bearer('garbage'), null), 'SLUICE_E_UNAUTHORIZED', /^Unknown bearer token: it is not a read key, a JWT or the admin token/);
    await refusal(a.authenticate('', null), 'SLUICE_E_UNAUTHORIZED', /^Missing credentials/);
    await refusal(a.authenticate(`Basic ${Buffer.from(`${readKey.key}:`).toString('base64')}`, null), 'SLUICE_E_UNAUTHORIZED', 'not "Bearer <token>"');
    await refusal(a.authenticate('Bearer two words', null), 'SLUICE_E_UNAUTHORIZED', 'not "Bearer <token>"');
  });

  it('a malformed ?project= is a 400', async () => {
    await refusal(auth().authenticate(bearer(readKey.key), 'Alpha!'), 'SLUICE_E_BAD_REQUEST', /^\?project=: project id must be/);
  });
});

describe('admin token', () => {
  it('is an admin acting on the project named by ?project=', async () => {
    expect(await auth().authenticate(bearer(ADMIN_TOKEN), 'beta')).toMatchObject({ subject: 'admin-token', role: 'admin', project: 'beta', via: 'admin_token', scope: '*' });
  });

  it('needs ?project=, except on routes that act on no project', async () => {
    await refusal(auth().authenticate(bearer(ADMIN_TOKEN), null), 'SLUICE_E_BAD_REQUEST', 'The admin token is not bound to a project: name the project with ?project=<id>');
    expect(await auth().authenticate(bearer(ADMIN_TOKEN), null, { noProject: true })).toMatchObject({ role: 'admin', project: '' });
  });

  it('names a project that exists', async () => {
    const a = auth();
    await refusal(a.authenticate(bearer(ADMIN_TOKEN), 'gamma'), 'SLUICE_E_NOT_FOUND', 'no project "gamma"');
    await keys.createProject('gamma');
    expect((await a.authenticate(bearer(ADMIN_TOKEN), 'gamma')).project).toBe('gamma');
  });

  it('a near miss, or any token when none is set, is 401', async () => {
    await refusal(auth().authenticate(bearer(`${ADMIN_TOKEN}x`), 'alpha'), 'SLUICE_E_UNAUTHORIZED', /^Unknown bearer token/);
    await refusal(auth().authenticate(bearer(ADMIN_TOKEN.slice(0, -1)), 'alpha'), 'SLUICE_E_UNAUTHORIZED', /^Unknown bearer token/);
    await refusal(auth({ adminToken: '' }).authenticate(bearer(ADMIN_TOKEN), 'alpha'), 'SLUICE_E_UNAUTHORIZED', /^Unknown bearer token/);
  });
});

describe('HS256 JWTs', () => {
  const hs = () => auth({ jwtSecret: SECRET });
  const claims = (extra: JWTPayload = {}) => ({ sub: 'ana@example.com', role: 'analyst', projects: ['alpha'], ...extra });

  it('a valid token is its sub, role and one listed project', async () => {
    const token = await hs256(claims());
    expect(await hs().authenticate(bearer(token), null)).toEqual({ subject: 'ana@example.com', role: 'analyst', project: 'alpha', via: 'jwt', scope: ['alpha'] });
    expect((await hs().authenticate(bearer(token), 'alpha')).project).toBe('alpha');
    await refusal(hs().authenticate(bearer(token), 'beta'), 'SLUICE_E_FORBIDDEN', 'This JWT\'s projects do not include "beta"');
  });

  it('several listed projects: ?project= picks one of them', async () => {
    const token = await hs256(claims({ role: 'viewer', projects: ['alpha', 'beta'] }));
    await refusal(hs().authenticate(bearer(token), null), 'SLUICE_E_BAD_REQUEST', 'This JWT lists 2 projects: name the project with ?project=<id>');
    expect(await hs().authenticate(bearer(token), 'beta')).toMatchObject({ role: 'viewer', project: 'beta' });
    expect((await hs().authenticate(bearer(token), null, { noProject: true })).project).toBe('');
    await refusal(hs().authenticate(bearer(token), 'gamma'), 'SLUICE_E_FORBIDDEN', /do not include "gamma"/);
    await refusal(hs().authenticate(bearer(await hs256(claims({ projects: [] }))), null), 'SLUICE_E_BAD_REQUEST', /^This JWT lists no project/);
  });

  it('projects "*" reaches every existing project, named with ?project=', async () => {
    for (const projects of ['*', ['*']]) {
      const token = await hs256(claims({ role: 'admin', projects }));
      expect(await hs().authenticate(bearer(token), 'beta')).toMatchObject({ role: 'admin', project: 'beta', scope: '*' });
      await refusal(hs().authenticate(bearer(token), 'nowhere'), 'SLUICE_E_NOT_FOUND', 'no project "nowhere"');
      await refusal(hs().authenticate(bearer(token), null), 'SLUICE_E_BAD_REQUEST', /^This JWT may act on any project: name the project with \?project=/);
      expect((await hs().authenticate(bearer(token), null, { noProject: true })).project).toBe('');
    }
  });

  it('expired and not-yet-valid tokens are refused, with the instant', async () => {
    const exp = now() - HOUR;
    await refusal(hs().authenticate(bearer(await hs256(claims(), (j) => j.setExpirationTime(exp))), null), 'SLUICE_E_UNAUTHORIZED', `JWT expired at ${new Date(exp * 1000).toISOString()}`);
    const nbf = now() + HOUR;
    await refusal(hs().authenticate(bearer(await hs256(claims(), (j) => j.setNotBefore(nbf).setExpirationTime(nbf + HOUR))), null), 'SLUICE_E_UNAUTHORIZED', `JWT is not valid before ${new Date(nbf * 1000).toISOString()}`);
  });

  it('a token signed with another secret is refused', async () => {
    const token = await hs256(claims(), undefined, new TextEncoder().encode('another-secret-of-enough-length-0123456789'));
    await refusal(hs().authenticate(bearer(token), null), 'SLUICE_E_UNAUTHORIZED', 'JWT signature does not verify with SLUICE_JWT_SECRET');
    const tampered = (await hs256(claims())).split('.');
    tampered[1] = b64(claims({ role: 'admin', projects: '*' }));
    await refusal(hs().authenticate(bearer(tampered.join('.')), 'alpha'), 'SLUICE_E_UNAUTHORIZED', /signature does not verify/);
  });

  it('checks iss and aud when configured', async () => {
    const strict = () => auth({ jwtSecret: SECRET, jwtIssuer: ISSUER, jwtAudience: AUDIENCE });
    const good = await hs256(claims(), (j) => j.setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('1h'));
    expect((await strict().authenticate(bearer(good), null)).subject).toBe('ana@example.com');
    const otherIss = await hs256(claims(), (j) => j.setIssuer('https://evil.test').setAudience(AUDIENCE).setExpirationTime('1h'));
    await refusal(strict().authenticate(bearer(otherIss), null), 'SLUICE_E_UNAUTHORIZED', `JWT issuer "https://evil.test" is not the expected "${ISSUER}"`);
    const otherAud = await hs256(claims(), (j) => j.setIssuer(ISSUER).setAudience('grafana').setExpirationTime('1h'));
    await refusal(strict().authenticate(bearer(otherAud), null), 'SLUICE_E_UNAUTHORIZED', `JWT audience "grafana" is not the expected "${AUDIENCE}"`);
    const noIss = await hs256(claims(), (j) => j.setAudience(AUDIENCE).setExpirationTime('1h'));
    await refusal(strict().authenticate(bearer(noIss), null), 'SLUICE_E_UNAUTHORIZED', `JWT has no "iss" claim; the expected issuer is "${ISSUER}"`);
    // Unconfigured: not checked.
    expect((await hs().authenticate(bearer(otherIss), null)).subject).toBe('ana@example.com');
  });

  it('sub, role and projects are required, and role is one of three', async () => {
    const { sub: _sub, ...noSub } = claims();
    await refusal(hs().authenticate(bearer(await hs256(noSub)), null), 'SLUICE_E_UNAUTHORIZED', 'JWT has no "sub" claim');
    const { role: _role, ...noRole } = claims();
    await refusal(hs().authenticate(bearer(await hs256(noRole)), null), 'SLUICE_E_UNAUTHORIZED', 'JWT has no "role" claim: admin, analyst or viewer');
    await refusal(hs().authenticate(bearer(await hs256(claims({ role: 'superuser' }))), null), 'SLUICE_E_UNAUTHORIZED', 'JWT role "superuser" is not one of admin, analyst, viewer');
    await refusal(hs().authenticate(bearer(await hs256(claims({ role: ['admin'] }))), null), 'SLUICE_E_UNAUTHORIZED', /JWT role \["admin"\] is not one of/);
    const { projects: _projects, ...noProjects } = claims();
    await refusal(hs().authenticate(bearer(await hs256(noProjects)), null), 'SLUICE_E_UNAUTHORIZED', 'JWT has no "projects" claim');
    await refusal(hs().authenticate(bearer(await hs256(claims({ projects: 'alpha' }))), null), 'SLUICE_E_UNAUTHORIZED', 'JWT "projects" claim must be a list of project ids, or "*" for all');
  });

  it('refuses alg "none" and algorithms the configured keys do not verify', async () => {
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims(), exp: now() + HOUR })}.`;
    await refusal(hs().authenticate(bearer(unsigned), null), 'SLUICE_E_UNAUTHORIZED', 'Unsigned JWTs (alg "none") are refused');
    const hs512 = await new SignJWT(claims()).setProtectedHeader({ alg: 'HS512' }).setExpirationTime('1h').sign(SECRET_BYTES);
    await refusal(hs().authenticate(bearer(hs512), null), 'SLUICE_E_UNAUTHORIZED', /^JWT alg "HS512" is refused: accepted are HS256/);
    await refusal(hs().authenticate(bearer(await rs256(claims())), null), 'SLUICE_E_UNAUTHORIZED', 'JWT alg RS256 is refused: SLUICE_JWKS_URL is not set');
  });

  it('malformed tokens, and any JWT when no key is configured, are 401', async () => {
    await refusal(hs().authenticate(bearer('abc.def.ghi'), null), 'SLUICE_E_UNAUTHORIZED', /^Malformed JWT/);
    await refusal(hs().authenticate(bearer(`${b64({ typ: 'JWT' })}.${b64(claims())}.c2ln`), null), 'SLUICE_E_UNAUTHORIZED', 'Malformed JWT: its header has no "alg"');
    await refusal(hs().authenticate(bearer(`${b64({ alg: 'HS256' })}.bm90IGpzb24.c2ln`), null), 'SLUICE_E_UNAUTHORIZED', /^Malformed JWT|signature does not verify/);
    await refusal(auth().authenticate(bearer(await hs256(claims())), null), 'SLUICE_E_UNAUTHORIZED', 'JWTs are not accepted: neither SLUICE_JWT_SECRET nor SLUICE_JWKS_URL is set');
  });
});

describe('JWKS JWTs', () => {
  const claims = { sub: 'svc-grafana', role: 'viewer', projects: ['beta'] };

  it('an RS256 token signed by a key in the JWKS is accepted', async () => {
    expect(await auth({ jwksUrl }).authenticate(bearer(await rs256(claims)), null)).toEqual({ subject: 'svc-grafana', role: 'viewer', project: 'beta', via: 'jwt', scope: ['beta'] });
  });

  it('a token signed by another key is refused, whatever kid it claims', async () => {
    const a = auth({ jwksUrl });
    await refusal(a.authenticate(bearer(await rs256(claims, stranger, 'k1')), null), 'SLUICE_E_UNAUTHORIZED', 'JWT signature does not verify with the key from SLUICE_JWKS_URL');
    await refusal(a.authenticate(bearer(await rs256(claims, stranger, 'k2')), null), 'SLUICE_E_UNAUTHORIZED', 'JWT is signed with a key that is not in the JWKS at SLUICE_JWKS_URL (alg RS256, kid "k2")');
  });

  it('an HS256 token is refused when only a JWKS is configured, even one keyed with the public key', async () => {
    const jwk = JSON.stringify((await (await fetch(jwksUrl)).json()).keys[0]);
    const confused = await hs256(claims, undefined, new TextEncoder().encode(jwk));
    await refusal(auth({ jwksUrl }).authenticate(bearer(confused), null), 'SLUICE_E_UNAUTHORIZED', /^JWT alg HS256 is refused: SLUICE_JWT_SECRET is not set/);
  });

  it('with both configured, each algorithm goes to its own key', async () => {
    const both = auth({ jwksUrl, jwtSecret: SECRET });
    expect((await both.authenticate(bearer(await rs256(claims)), null)).subject).toBe('svc-grafana');
    expect((await both.authenticate(bearer(await hs256(claims)), null)).subject).toBe('svc-grafana');
  });

  it('an unreachable JWKS is a 503, not the caller\'s fault', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const e = await refusal(auth({ jwksUrl: `http://127.0.0.1:${port}/jwks.json` }).authenticate(bearer(await rs256(claims)), null), 'SLUICE_E_AUTH_UNAVAILABLE', /^The JWKS at SLUICE_JWKS_URL could not be used/);
    expect(e.status).toBe(503);
  });
});

describe('requireRole', () => {
  const ROLES: Role[] = ['viewer', 'analyst', 'admin'];
  const who = (role: Role): Principal => ({ subject: 's', role, project: 'alpha', via: 'jwt' });

  it('admin ⊇ analyst ⊇ viewer', () => {
    for (const [i, has] of ROLES.entries()) {
      for (const [j, needed] of ROLES.entries()) {
        const call = () => requireRole(who(has), needed, 'Creating alert rules');
        if (i >= j) expect(call).not.toThrow();
        else {
          expect(call).toThrow(SluiceError);
          expect(call).toThrow(`Creating alert rules needs role ${needed} or above; this caller has role ${has}`);
          try {
            call();
          } catch (e) {
            expect((e as SluiceError).code).toBe('SLUICE_E_FORBIDDEN');
            expect((e as SluiceError).status).toBe(403);
          }
        }
      }
    }
  });
});

describe('admin API', () => {
  const listening: Listen[] = [];
  afterAll(() => listening.forEach(closeListen));

  async function serve(overrides: Overrides): Promise<string> {
    const app = uWS.App();
    registerAdmin(app, loadConfig({}, { dataDir, ...overrides }), keys);
    const l = await listen(app, '127.0.0.1', 0);
    listening.push(l);
    return `http://127.0.0.1:${l.port}/api/v1/admin`;
  }

  async function call(url: string, method: string, token: string, body?: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(url, { method, headers: { Authorization: bearer(token), 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : '' };
  }

  const adminJwt = (projects: string | string[], role = 'admin') => hs256({ sub: 'ops', role, projects });

  it('takes the admin token and admin JWTs, and refuses other roles and read keys', async () => {
    const base = await serve({ adminToken: ADMIN_TOKEN, jwtSecret: SECRET });
    expect((await call(`${base}/projects`, 'GET', ADMIN_TOKEN)).body.projects).toEqual(expect.arrayContaining(['alpha', 'beta']));
    expect((await call(`${base}/projects`, 'GET', await adminJwt('*'))).body.projects).toEqual(expect.arrayContaining(['alpha', 'beta']));
    const analyst = await call(`${base}/projects`, 'GET', await adminJwt('*', 'analyst'));
    expect(analyst.status).toBe(403);
    expect(analyst.body.error.message).toBe('The admin API needs role admin or above; this caller has role analyst');
    expect((await call(`${base}/projects`, 'GET', readKey.key)).status).toBe(403);
    expect((await call(`${base}/projects`, 'GET', 'wrong')).status).toBe(401);
  });

  it('a JWT listing projects manages only those', async () => {
    const base = await serve({ jwtSecret: SECRET });
    const token = await adminJwt(['alpha']);
    expect((await call(`${base}/projects`, 'GET', token)).body).toEqual({ projects: ['alpha'] });
    const created = await call(`${base}/keys`, 'POST', token, { project: 'alpha', kind: 'read' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ project: 'alpha', kind: 'read' });
    const other = await call(`${base}/keys`, 'POST', token, { project: 'beta', kind: 'read' });
    expect(other.status).toBe(403);
    expect(other.body.error.message).toBe('This JWT may not create keys for project "beta": it is not in its projects');
    expect((await call(`${base}/projects`, 'POST', token, { id: 'delta' })).status).toBe(403);
    const revoke = await call(`${base}/keys/${created.body.id}`, 'DELETE', token);
    expect(revoke.status).toBe(403);
    expect(revoke.body.error.message).toMatch(/needs the admin token or a JWT whose projects are "\*"/);

    const all = await adminJwt('*');
    expect((await call(`${base}/keys/${created.body.id}`, 'DELETE', all)).status).toBe(204);
    const viaParam = await call(`${base}/keys?project=beta`, 'POST', all, { kind: 'write' });
    expect(viaParam.status).toBe(201);
    expect(viaParam.body).toMatchObject({ project: 'beta', kind: 'write' });
    expect((await call(`${base}/keys?project=beta`, 'POST', all, { project: 'alpha', kind: 'write' })).status).toBe(400);
    expect((await call(`${base}/keys?project=nowhere`, 'POST', all, { kind: 'write' })).status).toBe(404);
  });

  it('is closed when neither the admin token nor JWT keys are set', async () => {
    const base = await serve({ adminToken: '' });
    const closed = await call(`${base}/projects`, 'GET', ADMIN_TOKEN);
    expect(closed.status).toBe(403);
    expect(closed.body.error.message).toMatch(/^The admin API is closed/);
  });
});
