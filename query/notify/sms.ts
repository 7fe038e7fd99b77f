// SMS through Twilio's REST API: one form-encoded POST per number, Basic auth with the account
// SID and token (both from config only).
import type { AlertEvent, AlertRule } from '../alerts/types.js';
import { post } from './http-post.js';
import { describe } from './message.js';

export interface TwilioSettings {
  baseUrl: string;
  accountSid: string;
  authToken: string;
  from: string;
}

// Two SMS segments at most.
const MAX_BODY = 300;

export function smsText(rule: AlertRule, event: AlertEvent): string {
  const m = describe(rule, event);
  const text = `${m.title}: value ${event.value ?? 'none'}, threshold ${event.threshold ?? 'none'}`;
  return text.length > MAX_BODY ? `${text.slice(0, MAX_BODY - 1)}…` : text;
}

export function sendSms(t: TwilioSettings, to: string, body: string, signal: AbortSignal): Promise<void> {
  const url = `${t.baseUrl.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(t.accountSid)}/Messages.json`;
  const form = new URLSearchParams({ To: to, From: t.from, Body: body }).toString();
  return post(url, form, {
    'Content-Type': 'application/x-www-form-urlencoded',
    Authorization: `Basic ${Buffer.from(`${t.accountSid}:${t.authToken}`).toString('base64')}`,
  }, signal);
}
