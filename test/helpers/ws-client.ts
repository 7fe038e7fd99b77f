// A WebSocket ingest client for tests: collects every answer in arrival order.
import WebSocket from 'ws';
import { until } from './until.js';

export interface Ack {
  seq: number;
  accepted?: number;
  duplicates?: number;
  rejected?: { index: number; reason: string; errors: { path: string; message: string }[] }[];
  error?: { code: string; message: string };
}

export interface WsClient {
  ws: WebSocket;
  acks: Ack[];
  send(frame: unknown): void;
  /** Waits until at least n answers arrived; returns all answers so far. */
  waitAcks(n: number, timeoutMs?: number): Promise<Ack[]>;
  close(): Promise<void>;
}

export function wsUrl(ingestUrl: string, query = ''): string {
  return `${ingestUrl.replace(/^http/, 'ws')}/v1/ws${query}`;
}

/** Connects; rejects with the HTTP status when the upgrade is refused. */
export function connectWs(url: string, headers: Record<string, string> = {}): Promise<WsClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    const acks: Ack[] = [];
    const closed = new Promise<void>((r) => ws.once('close', () => r()));
    ws.on('message', (data) => acks.push(JSON.parse(String(data)) as Ack));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d));
      res.on('end', () => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode} ${body}`), { status: res.statusCode, body })));
    });
    ws.once('error', reject);
    ws.once('open', () => {
      ws.off('error', reject);
      ws.on('error', () => undefined);
      resolve({
        ws,
        acks,
        send: (frame) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
        waitAcks: (n, timeoutMs = 60_000) => until(() => acks.length >= n && acks, () => `${n} WebSocket answers (have ${acks.length})`, timeoutMs, 20),
        close: async () => {
          if (ws.readyState !== WebSocket.CLOSED) ws.close();
          await closed;
        },
      });
    });
  });
}
