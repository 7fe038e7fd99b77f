// Who is asking, and as which project: a read key, the admin token or a JWT becomes a Principal
// bound to the one project the request acts on. Every refusal says exactly what was wrong.
import crypto from 'node:crypto';
import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { LRUCache } from 'lru-cache';
import type { Config } from '../core/config.js';
import { SluiceError } from '../core/errors.js';
import { validateProjectId, type KeyStore } from '../core/keys.js';
import type { Principal, Role } from './types.js';

/** The projects a caller may name: every one ("*") or a list. */
export type Scope = '*' | readonly string[];

/** A Principal with the projects it may name, for routes that act on no single project. */
export interface Caller extends Principal {
  scope: Scope;
}

export interface AuthOptions {
  /**
   * The route acts on no project (project and key management): `?project=` may be left out,
   * and then `project` is the caller's only project, or "" when it has none or several.
   */
  noProject?: boolean;
}

export const ROLES: readonly Role[] = ['viewer', 'analyst', 'admin'];
const ASYMMETRIC_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
// Issuers' and Sluice's clocks may differ by this much.
const CLOCK_TOLERANCE_S = 30;
const PROJECT_CACHE_MS = 30_000;

const unauthorized = (message: string) => new SluiceError('SLUICE_E_UNAUTHORIZED', message);
const forbidden = (message: string) => new SluiceError('SLUICE_E_FORBIDDEN', message);
const needProject = (who: string) => new SluiceError('SLUICE_E_BAD_REQUEST', `${who}: name the project with ?project=<id>`);

const sha256 = (s: string): Buffer => crypto.createHash('sha256').update(s).digest();
/** Timing-safe whatever the lengths: both sides are hashed first. */
const sameSecret = (given: string, want: string): boolean => crypto.timingSafeEqual(sha256(given), sha256(want));

/** A caller-supplied value quoted in a message, never long. */
const quote = (v: unknown): string => JSON.stringify(typeof v === 'string' && v.length > 64 ? `${v.slice(0, 64)}…` : v) ?? 'undefined';
const instant = (s: unknown): string => (typeof s === 'number' && Number.isFinite(s) ? new Date(s * 1000).toISOString() : quote(s));

export function bearerToken(authorization: string): string {
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization.trim());
  if (!m) {
    throw unauthorized(authorization.trim()
      ? 'The Authorization header is not "Bearer <token>"'
      : 'Missing credentials: send Authorization: Bearer <read key, JWT or admin token>');
  }
  return m[1];
}

/** admin ⊇ analyst ⊇ viewer. */
export function requireRole(p: Principal, needed: Role, action: string): void {
  if (ROLES.indexOf(p.role) < ROLES.indexOf(needed)) {
    throw forbidden(`${action} needs role ${needed} or above; this caller has role ${p.role}`);
  }
}

export class Authenticator {
  private readonly secret: Uint8Array | null;
  private readonly jwks: JWTVerifyGetKey | null;
  private readonly knownProjects = new LRUCache<string, true>({ max: 10_000, ttl: PROJECT_CACHE_MS });

  constructor(
    private readonly config: Config,
    private readonly keys: KeyStore,
  ) {
    this.secret = config.jwtSecret ? new TextEncoder().encode(config.jwtSecret) : null;
    this.jwks = config.jwksUrl ? createRemoteJWKSet(new URL(config.jwksUrl)) : null;
  }

  async authenticate(authorization: string, projectParam: string | null, opts: AuthOptions = {}): Promise<Caller> {
    const token = bearerToken(authorization);
    const param = projectParam ? projectParam : null;
    if (param !== null) {
      try {
        validateProjectId(param);
      } catch (err) {
        throw new SluiceError('SLUICE_E_BAD_REQUEST', `?project=: ${(err as Error).message}`);
      }
    }
    if (token.startsWith('slr_') || token.startsWith('slw_')) return this.fromKey(token, param);
    if (this.config.adminToken && sameSecret(token, this.config.adminToken)) return this.fromAdminToken(param, opts);
    if (JWT_SHAPE.test(token)) return this.fromJwt(token, param, opts);
    throw unauthorized('Unknown bearer token: it is not a read key, a JWT or the admin token');
  }

  private async fromKey(key: string, param: string | null): Promise<Caller> {
    const record = await this.keys.lookup(key);
    if (!record) throw unauthorized('Unknown or revoked key');
    if (record.kind !== 'read') throw forbidden('This is a write key; write keys only ingest. Query with a read key or a JWT');
    if (param !== null && param !== record.project_id) {
      throw forbidden(`This read key belongs to project "${record.project_id}", not "${param}"`);
    }
    return { subject: record.id, role: 'analyst', project: record.project_id, via: 'read_key', scope: [record.project_id] };
  }

  private async fromAdminToken(param: string | null, opts: AuthOptions): Promise<Caller> {
    if (param === null && !opts.noProject) throw needProject('The admin token is not bound to a project');
    if (param !== null) await this.ensureProject(param);
    return { subject: 'admin-token', role: 'admin', project: param ?? '', via: 'admin_token', scope: '*' };
  }

  private async fromJwt(token: string, param: string | null, opts: AuthOptions): Promise<Caller> {
    const claims = await this.verify(token);
    const { sub, role, projects } = claims;
    if (typeof sub !== 'string' || sub === '') throw unauthorized('JWT has no "sub" claim (the caller\'s name)');
    if (role === undefined) throw unauthorized('JWT has no "role" claim: admin, analyst or viewer');
    if (typeof role !== 'string' || !(ROLES as readonly unknown[]).includes(role)) {
      throw unauthorized(`JWT role ${quote(role)} is not one of admin, analyst, viewer`);
    }
    let scope: Scope;
    if (projects === undefined) throw unauthorized('JWT has no "projects" claim: a list of project ids, or "*" for all');
    if (projects === '*') scope = '*';
    else if (Array.isArray(projects) && projects.every((p) => typeof p === 'string' && p !== '')) scope = projects.includes('*') ? '*' : projects;
    else throw unauthorized('JWT "projects" claim must be a list of project ids, or "*" for all');

    let project: string;
    if (param !== null) {
      if (scope === '*') await this.ensureProject(param);
      else if (!scope.includes(param)) throw forbidden(`This JWT's projects do not include "${param}"`);
      project = param;
    } else if (scope !== '*' && scope.length === 1) {
      project = scope[0];
    } else if (opts.noProject) {
      project = '';
    } else if (scope === '*') {
      throw needProject('This JWT may act on any project');
    } else {
      throw needProject(scope.length === 0 ? 'This JWT lists no project' : `This JWT lists ${scope.length} projects`);
    }
    return { subject: sub, role: role as Role, project, via: 'jwt', scope };
  }

  /** The verified claims, or a SluiceError saying why the token is refused. */
  private async verify(token: string): Promise<JWTPayload> {
    if (!this.secret && !this.jwks) throw unauthorized('JWTs are not accepted: neither SLUICE_JWT_SECRET nor SLUICE_JWKS_URL is set');
    let alg: unknown;
    let kid: unknown;
    try {
      ({ alg, kid } = decodeProtectedHeader(token));
    } catch {
      throw unauthorized('Malformed JWT: its header is not base64url-encoded JSON');
    }
    if (typeof alg !== 'string' || alg === '') throw unauthorized('Malformed JWT: its header has no "alg"');
    if (alg.toLowerCase() === 'none') throw unauthorized('Unsigned JWTs (alg "none") are refused');
    const options = { issuer: this.config.jwtIssuer, audience: this.config.jwtAudience, clockTolerance: CLOCK_TOLERANCE_S };
    try {
      // Each key type verifies only its own algorithms, so an HS256 token can never be checked
      // against a public key used as an HMAC secret.
      if (alg === 'HS256') {
        if (!this.secret) throw unauthorized('JWT alg HS256 is refused: SLUICE_JWT_SECRET is not set; this service verifies JWTs signed with a key from SLUICE_JWKS_URL');
        return (await jwtVerify(token, this.secret, { ...options, algorithms: ['HS256'] })).payload;
      }
      if (ASYMMETRIC_ALGS.includes(alg)) {
        if (!this.jwks) throw unauthorized(`JWT alg ${alg} is refused: SLUICE_JWKS_URL is not set; this service verifies HS256 JWTs only`);
        return (await jwtVerify(token, this.jwks, { ...options, algorithms: ASYMMETRIC_ALGS })).payload;
      }
      throw unauthorized(`JWT alg ${quote(alg)} is refused: accepted are HS256 (SLUICE_JWT_SECRET) and ${ASYMMETRIC_ALGS.join(', ')} (SLUICE_JWKS_URL)`);
    } catch (err) {
      throw err instanceof SluiceError ? err : this.describe(err, alg, kid);
    }
  }

  private describe(err: unknown, alg: string, kid: unknown): SluiceError {
    const viaJwks = alg !== 'HS256';
    if (err instanceof errors.JWTExpired) return unauthorized(`JWT expired at ${instant(err.payload.exp)}`);
    if (err instanceof errors.JWTClaimValidationFailed) {
      const { claim, reason, payload } = err;
      if (claim === 'nbf' && reason === 'check_failed') return unauthorized(`JWT is not valid before ${instant(payload.nbf)}`);
      if (claim === 'iss' || claim === 'aud') {
        const want = claim === 'iss' ? this.config.jwtIssuer : this.config.jwtAudience;
        const what = claim === 'iss' ? 'issuer' : 'audience';
        if (reason === 'missing') return unauthorized(`JWT has no "${claim}" claim; the expected ${what} is ${quote(want)}`);
        return unauthorized(`JWT ${what} ${quote(payload[claim])} is not the expected ${quote(want)}`);
      }
      return unauthorized(`JWT claim "${claim}" is invalid: ${err.message}`);
    }
    if (err instanceof errors.JWSSignatureVerificationFailed) {
      return unauthorized(viaJwks ? 'JWT signature does not verify with the key from SLUICE_JWKS_URL' : 'JWT signature does not verify with SLUICE_JWT_SECRET');
    }
    const which = `alg ${alg}, kid ${kid === undefined ? 'not set' : quote(kid)}`;
    if (err instanceof errors.JWKSNoMatchingKey) return unauthorized(`JWT is signed with a key that is not in the JWKS at SLUICE_JWKS_URL (${which})`);
    if (err instanceof errors.JWKSMultipleMatchingKeys) return unauthorized(`Several keys in the JWKS at SLUICE_JWKS_URL match the JWT and none verifies it (${which})`);
    if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) return unauthorized(`Malformed JWT: ${err.message}`);
    if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported) return unauthorized(`JWT refused: ${err.message}`);
    // Anything else on the JWKS path is the key set itself: unreachable, timing out, not a JWKS.
    if (viaJwks) {
      return new SluiceError('SLUICE_E_AUTH_UNAVAILABLE', `The JWKS at SLUICE_JWKS_URL could not be used to verify the JWT: ${(err as Error)?.message ?? String(err)}`);
    }
    return new SluiceError('SLUICE_E_INTERNAL', `JWT verification failed: ${(err as Error)?.message ?? String(err)}`);
  }

  /** 404 unless the project exists; positive answers are remembered briefly. */
  private async ensureProject(id: string): Promise<void> {
    if (this.knownProjects.get(id)) return;
    if (!(await this.keys.projectExists(id))) throw new SluiceError('SLUICE_E_NOT_FOUND', `no project "${id}"`);
    this.knownProjects.set(id, true);
  }
}
