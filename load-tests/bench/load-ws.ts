// Load generator process: WebSocket frames of events to /v1/ws, each connection keeping
// `inflight` frames unanswered, matching acks to frames by seq.
import WebSocket from 'ws';
import { BodyFactory, IdSource } from './events.js';
import { emptyResult, nowMs, serveWorker, type LoadPlan, type LoadResult } from './protocol.js';

interface Ack {
  seq: number;
  accepted?: number;
  duplicates?: number;
  rejected?: unknown[];
  error?: { code: string };
}

function open(url: string, key: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${key}` }, perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

async function prepare(plan: LoadPlan): Promise<() => Promise<LoadResult>> {
  const bodies = new BodyFactory(new IdSource(plan.worker), plan.batchSize, 'ws-frame');
  const url = `${plan.url.replace(/^http/, 'ws')}/v1/ws?ack=${plan.ack}`;
  const sockets = await Promise.all(Array.from({ length: plan.connections }, () => open(url, plan.writeKey)));

  return async () => {
    const r = emptyResult();
    r.eventBytes = bodies.averageEventBytes;
    const stopAt = Date.now() + plan.maxSeconds * 1000;
    let claimed = 0;
    let seq = 0;
    r.firstSendAt = nowMs();

    const connection = (ws: WebSocket): Promise<void> =>
      new Promise((resolve) => {
        const sentAt = new Map<number, number>();
        const sendNext = (): void => {
          if (claimed + plan.batchSize > plan.events) return;
          if (Date.now() >= stopAt) {
            r.timedOut = true;
            return;
          }
          claimed += plan.batchSize;
          const s = ++seq;
          sentAt.set(s, performance.now());
          ws.send(bodies.frame(s));
        };
        const finish = (): void => {
          if (sentAt.size === 0) resolve();
        };
        ws.on('message', (data) => {
          const ack = JSON.parse(String(data)) as Ack;
          const t0 = sentAt.get(ack.seq);
          sentAt.delete(ack.seq);
          r.requests++;
          r.lastAnswerAt = nowMs();
          if (ack.error) {
            r.failures[ack.error.code] = (r.failures[ack.error.code] ?? 0) + 1;
          } else {
            if (t0 !== undefined) r.latenciesMs.push(performance.now() - t0);
            r.acked += ack.accepted ?? 0;
            r.duplicates += ack.duplicates ?? 0;
            r.rejected += ack.rejected?.length ?? 0;
          }
          sendNext();
          finish();
        });
        ws.on('close', () => {
          for (const _ of sentAt.keys()) r.failures.closed = (r.failures.closed ?? 0) + 1;
          sentAt.clear();
          resolve();
        });
        for (let i = 0; i < plan.inflight; i++) sendNext();
        finish();
      });

    await Promise.all(sockets.map(connection));
    for (const ws of sockets) ws.close();
    return r;
  };
}

serveWorker(prepare);
