// Projects and keys through the admin API of a running instance.
const ADMIN = { Authorization: 'Bearer test-admin-token', 'Content-Type': 'application/json' };

async function post(url: string, body: unknown): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: ADMIN, body: JSON.stringify(body) });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`${url}: ${res.status} ${text}`);
  return JSON.parse(text);
}

/** Creates a project and returns a new write key for it. */
export async function createProjectWithKey(queryUrl: string, project: string): Promise<string> {
  await post(`${queryUrl}/api/v1/admin/projects`, { id: project });
  const created = await post(`${queryUrl}/api/v1/admin/keys`, { project, kind: 'write' });
  if (typeof created.key !== 'string') throw new Error(`no key in ${JSON.stringify(created)}`);
  return created.key;
}
