// POST /api/v1/query: one DSL document in, one answer out.
import type { TemplatedApp } from 'uWebSockets.js';
import type { QueryDeps } from './deps.js';
import { route } from './route.js';

export function registerQuery(app: TemplatedApp, deps: QueryDeps): void {
  route(app, deps, 'post', '/api/v1/query', { role: 'analyst', action: 'Running queries', body: true, gated: true }, async (ctx) => {
    const answer = await deps.service.run(ctx.caller.project, ctx.body ?? {}, { noCache: ctx.noCache, signal: ctx.signal });
    deps.metrics.queries.inc({ kind: String((ctx.body as { kind?: unknown }).kind), source: answer.meta.source, cache: answer.meta.cache });
    deps.metrics.querySeconds.observe({ cache: answer.meta.cache }, answer.meta.elapsed_ms / 1000);
    return { value: answer };
  });
}
