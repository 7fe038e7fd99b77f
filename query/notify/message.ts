// The words of a notification, shared by every channel: a title and a few plain lines.
import type { AlertEvent, AlertRule } from '../alerts/types.js';

export interface Message {
  title: string;
  lines: string[];
  text: string;
}

const num = (v: number | null): string => (v === null ? 'none' : Number.isInteger(v) ? String(v) : v.toPrecision(6).replace(/\.?0+$/, ''));

export function describe(rule: AlertRule, event: AlertEvent): Message {
  const title = `[${event.severity.toUpperCase()}] ${rule.name} is ${event.state}`;
  const lines = [
    `Rule: ${rule.name} (${rule.id})`,
    `Severity: ${event.severity}`,
    `State: ${event.state}`,
    `Condition: ${rule.condition.type}`,
    `Value: ${num(event.value)}`,
    `Threshold: ${num(event.threshold)}`,
    `At: ${new Date(event.at).toISOString()}`,
    ...(event.message ? [event.message] : []),
  ];
  return { title, lines, text: `${title}\n${lines.join('\n')}` };
}
