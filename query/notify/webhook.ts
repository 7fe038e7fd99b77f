// Generic webhook: a JSON body signed with HMAC-SHA256 of its exact bytes. The body carries its
// timestamp too, so a receiver can refuse replays using a signed value.
import crypto from 'node:crypto';
import type { AlertEvent, AlertRule } from '../alerts/types.js';
import { post } from './http-post.js';

export const SIGNATURE_HEADER = 'X-Sluice-Signature';
export const TIMESTAMP_HEADER = 'X-Sluice-Timestamp';
/** The same on every retry of one delivery: receivers drop repeats by it. */
export const DELIVERY_HEADER = 'X-Sluice-Delivery';

export function sign(secret: string, body: string): string {
  return `sha256=${crypto.createHmac('sha256', secret).update(body).digest('hex')}`;
}

export function webhookBody(rule: AlertRule, event: AlertEvent, timestamp: number): string {
  const { notifications: _sent, ...alert } = event;
  return JSON.stringify({
    alert,
    state: event.state,
    value: event.value,
    threshold: event.threshold,
    rule: { id: rule.id, name: rule.name, severity: rule.severity, condition: rule.condition, query: rule.query },
    timestamp,
  });
}

/** A delivery's body and headers, fixed once so every retry sends the same bytes. */
export function webhookRequest(secret: string, rule: AlertRule, event: AlertEvent, now = Date.now()): { body: string; headers: Record<string, string> } {
  const body = webhookBody(rule, event, now);
  return {
    body,
    headers: {
      'Content-Type': 'application/json',
      [SIGNATURE_HEADER]: sign(secret, body),
      [TIMESTAMP_HEADER]: String(now),
      [DELIVERY_HEADER]: `${event.id}.webhook`,
      'User-Agent': 'Sluice-Webhook/1',
    },
  };
}

export function sendWebhook(url: string, request: { body: string; headers: Record<string, string> }, signal: AbortSignal): Promise<void> {
  return post(url, request.body, request.headers, signal);
}
