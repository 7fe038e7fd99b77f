// Slack: an incoming-webhook payload, `text` for notifications and `blocks` for the message.
import type { AlertEvent, AlertRule } from '../alerts/types.js';
import { post } from './http-post.js';
import { describe } from './message.js';

const EMOJI = { critical: ':rotating_light:', warning: ':warning:', info: ':information_source:' } as const;

export function slackPayload(rule: AlertRule, event: AlertEvent): Record<string, unknown> {
  const m = describe(rule, event);
  const field = (label: string, value: string) => ({ type: 'mrkdwn', text: `*${label}*\n${value}` });
  return {
    text: m.title,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: `${EMOJI[event.severity]} ${m.title}`.slice(0, 150), emoji: true } },
      {
        type: 'section',
        fields: [
          field('Rule', rule.name),
          field('Severity', event.severity),
          field('State', event.state),
          field('Condition', rule.condition.type),
          field('Value', event.value === null ? 'none' : String(event.value)),
          field('Threshold', event.threshold === null ? 'none' : String(event.threshold)),
        ],
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `${new Date(event.at).toISOString()} · project ${event.project} · rule ${rule.id}` }] },
      ...(event.message ? [{ type: 'section', text: { type: 'plain_text', text: event.message.slice(0, 3000) } }] : []),
    ],
  };
}

export function sendSlack(url: string, rule: AlertRule, event: AlertEvent, signal: AbortSignal): Promise<void> {
  return post(url, JSON.stringify(slackPayload(rule, event)), { 'Content-Type': 'application/json' }, signal);
}
