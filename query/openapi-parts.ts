// Pieces every part of the OpenAPI document uses: error answers, the project parameter,
// JSON bodies and answers.
export type Json = Record<string, unknown>;

export const errorRef = { content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };

/** The errors any authenticated JSON route can answer. */
export const commonErrors = {
  '400': { description: 'Invalid request; `problems` lists each problem with its JSON Pointer.', ...errorRef },
  '401': { description: 'Missing, unknown or invalid credentials.', ...errorRef },
  '403': { description: 'The caller\'s role or project does not allow this.', ...errorRef },
  '502': { description: 'ClickHouse failed.', ...errorRef },
};

export const projectParam = { name: 'project', in: 'query', required: false, schema: { type: 'string' }, description: 'Project to act on; required for callers not bound to one project.' };
export const queryParam = (name: string, schema: Json, description: string): Json => ({ name, in: 'query', required: false, schema, description });
export const ok = (description: string, schema: Json = { type: 'object' }): Json => ({ description, content: { 'application/json': { schema } } });
export const body = (schema: Json): Json => ({ required: true, content: { 'application/json': { schema } } });
