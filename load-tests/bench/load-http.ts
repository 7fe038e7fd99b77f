// Load generator process: POSTs bodies to /v1/events over keep-alive connections, one
// request in flight per connection, until its event quota or time cap is reached.
import http from 'node:http';
import { BodyFactory, IdSource } from './events.js';
import { emptyResult, nowMs, serveWorker, type LoadPlan, type LoadResult } from './protocol.js';

interface Answer {
  status: number;
  body: string;
  retryAfterS: number;
}

function post(agent: http.Agent, url: URL, key: string, body: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/x-ndjson', 'Content-Length': body.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), retryAfterS: Number(res.headers['retry-after'] ?? 1) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function prepare(plan: LoadPlan): Promise<() => Promise<LoadResult>> {
  const batch = plan.kind === 'http-single' ? 1 : plan.batchSize;
  const bodies = new BodyFactory(new IdSource(plan.worker), batch, 'ndjson', plan.kind === 'http-single' ? 2000 : 64);
  const agent = new http.Agent({ keepAlive: true, maxSockets: plan.connections });
  const url = new URL(`/v1/events?ack=${plan.ack}`, plan.url);

  return async () => {
    const r = emptyResult();
    r.eventBytes = bodies.averageEventBytes;
    const stopAt = Date.now() + plan.maxSeconds * 1000;
    let claimed = 0;
    r.firstSendAt = nowMs();

    const connection = async (): Promise<void> => {
      while (claimed + batch <= plan.events) {
        if (Date.now() >= stopAt) {
          r.timedOut = true;
          return;
        }
        claimed += batch;
        const body = bodies.body();
        for (;;) {
          const t0 = performance.now();
          let a: Answer;
          try {
            a = await post(agent, url, plan.writeKey, body);
          } catch (err) {
            const code = (err as NodeJS.ErrnoException).code ?? 'error';
            r.failures[code] = (r.failures[code] ?? 0) + 1;
            break;
          }
          r.requests++;
          if (a.status === 429) {
            r.retries++;
            await new Promise((res) => setTimeout(res, a.retryAfterS * 1000));
            continue;
          }
          r.lastAnswerAt = nowMs();
          if (a.status !== 200) {
            r.failures[String(a.status)] = (r.failures[String(a.status)] ?? 0) + 1;
            break;
          }
          r.latenciesMs.push(performance.now() - t0);
          const res = JSON.parse(a.body) as { accepted: number; duplicates: number; rejected: unknown[] };
          r.acked += res.accepted;
          r.duplicates += res.duplicates;
          r.rejected += res.rejected.length;
          break;
        }
      }
    };

    await Promise.all(Array.from({ length: plan.connections }, connection));
    agent.destroy();
    return r;
  };
}

serveWorker(prepare);
