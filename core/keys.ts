// Projects and API keys. Keys are random, shown once, stored as SHA-256 hashes (they carry
// 192 bits of entropy, so a slow hash adds nothing). Lookups hit an in-process map that is
// refreshed from ClickHouse, so keys made on another instance work within the refresh period.
import crypto from 'node:crypto';
import type { Store } from './clickhouse.js';
import { SluiceError } from './errors.js';

export type KeyKind = 'write' | 'read';

export interface KeyRecord {
  id: string;
  project_id: string;
  kind: KeyKind;
}

const PREFIX: Record<KeyKind, string> = { write: 'slw_', read: 'slr_' };
const PROJECT_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const REFRESH_MS = 10_000;
const MISS_TTL_MS = 5_000;
const MIN_RELOAD_MS = 1_000;

export const hashKey = (key: string): string => crypto.createHash('sha256').update(key).digest('hex');

export function validateProjectId(id: unknown): string {
  if (typeof id !== 'string' || !PROJECT_ID.test(id)) {
    throw new SluiceError('SLUICE_E_BAD_REQUEST', 'project id must be 1-63 characters: lowercase letters, digits, "_" or "-", starting with a letter or digit');
  }
  return id;
}

export class KeyStore {
  private byHash = new Map<string, KeyRecord>();
  private misses = new Map<string, number>();
  private loadedAt = 0;
  private loading: Promise<void> | null = null;

  constructor(private readonly store: Store) {}

  private get db(): string {
    return this.store.db;
  }

  async refresh(): Promise<void> {
    this.loading ??= (async () => {
      const rows = await this.store.rows<KeyRecord & { key_hash: string }>(
        `SELECT id, project_id, kind, key_hash FROM ${this.db}.api_keys FINAL`,
      );
      this.byHash = new Map(rows.map((r) => [r.key_hash, { id: r.id, project_id: r.project_id, kind: r.kind }]));
      this.misses.clear();
      this.loadedAt = Date.now();
    })().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  /** The key's record, or null. A stale cache is refreshed in the background. */
  async lookup(key: string): Promise<KeyRecord | null> {
    if (!key || key.length > 200) return null;
    const h = hashKey(key);
    if (Date.now() - this.loadedAt > REFRESH_MS) {
      if (this.loadedAt === 0) await this.refresh();
      else void this.refresh().catch(() => undefined);
    }
    const hit = this.byHash.get(h);
    if (hit) return hit;
    const missedAt = this.misses.get(h);
    if (missedAt !== undefined && Date.now() - missedAt < MISS_TTL_MS) return null;
    // Unknown keys cost at most one reload a second, however many arrive.
    if (Date.now() - this.loadedAt < MIN_RELOAD_MS) return null;
    await this.refresh();
    const found = this.byHash.get(h) ?? null;
    if (!found) {
      if (this.misses.size > 10_000) this.misses.clear();
      this.misses.set(h, Date.now());
    }
    return found;
  }

  async projectExists(id: string): Promise<boolean> {
    const rows = await this.store.rows<{ id: string }>(`SELECT id FROM ${this.db}.projects FINAL WHERE id = {id:String}`, { id });
    return rows.length > 0;
  }

  async listProjects(): Promise<string[]> {
    const rows = await this.store.rows<{ id: string }>(`SELECT id FROM ${this.db}.projects FINAL ORDER BY id`);
    return rows.map((r) => r.id);
  }

  async createProject(id: string, name = id): Promise<void> {
    validateProjectId(id);
    if (await this.projectExists(id)) throw new SluiceError('SLUICE_E_CONFLICT', `project "${id}" already exists`);
    await this.store.command(
      `INSERT INTO ${this.db}.projects (id, name, created_at, version, is_deleted) VALUES ({id:String}, {name:String}, now64(3), {v:UInt64}, 0)`,
      { id, name, v: Date.now() },
    );
  }

  async createKey(project: string, kind: KeyKind, name = ''): Promise<{ id: string; key: string; project: string; kind: KeyKind }> {
    if (kind !== 'write' && kind !== 'read') throw new SluiceError('SLUICE_E_BAD_REQUEST', 'kind must be "write" or "read"');
    if (!(await this.projectExists(project))) throw new SluiceError('SLUICE_E_NOT_FOUND', `no project "${project}"`);
    const key = PREFIX[kind] + crypto.randomBytes(24).toString('base64url');
    const id = crypto.randomUUID();
    await this.store.command(
      `INSERT INTO ${this.db}.api_keys (id, project_id, kind, key_hash, prefix, name, created_at, version, is_deleted)
       VALUES ({id:String}, {p:String}, {k:String}, {h:String}, {pre:String}, {n:String}, now64(3), {v:UInt64}, 0)`,
      { id, p: project, k: kind, h: hashKey(key), pre: key.slice(0, 8), n: name, v: Date.now() },
    );
    this.byHash.set(hashKey(key), { id, project_id: project, kind });
    return { id, key, project, kind };
  }

  async revokeKey(id: string): Promise<void> {
    const rows = await this.store.rows<{ project_id: string; kind: string; key_hash: string; prefix: string; name: string }>(
      `SELECT project_id, kind, key_hash, prefix, name FROM ${this.db}.api_keys FINAL WHERE id = {id:String}`,
      { id },
    );
    const row = rows[0];
    if (!row) throw new SluiceError('SLUICE_E_NOT_FOUND', `no key "${id}"`);
    await this.store.command(
      `INSERT INTO ${this.db}.api_keys (id, project_id, kind, key_hash, prefix, name, created_at, version, is_deleted)
       VALUES ({id:String}, {p:String}, {k:String}, {h:String}, {pre:String}, {n:String}, now64(3), {v:UInt64}, 1)`,
      { id, p: row.project_id, k: row.kind, h: row.key_hash, pre: row.prefix, n: row.name, v: Date.now() },
    );
    this.byHash.delete(row.key_hash);
  }

  /** On an empty database: project "default" with one write and one read key, returned once. */
  async bootstrap(): Promise<{ write: string; read: string } | null> {
    if ((await this.listProjects()).length > 0) return null;
    await this.createProject('default');
    const write = await this.createKey('default', 'write', 'bootstrap');
    const read = await this.createKey('default', 'read', 'bootstrap');
    return { write: write.key, read: read.key };
  }
}
