// Sends an alert event to every target its rule's channels resolve to, all at once: each target
// retries on its own (bounded attempts, per-attempt timeout, backoff with jitter), so a failing
// or hanging one never delays the others. Answers one outcome per target when all have settled.
import type { Store } from '../../core/clickhouse.js';
import type { Config } from '../../core/config.js';
import type { Logger } from '../../core/logger.js';
import type { Metrics } from '../../core/metrics.js';
import type { AlertEvent, AlertRule, ChannelKind, NotificationOutcome, Notifier } from '../alerts/types.js';
import { ChannelStore, DEFAULT_ROUTING, type ChannelConfig } from './channels.js';
import { alertMail, EmailSender } from './email.js';
import { urlTarget } from './http-post.js';
import { InAppStore, PROJECT_FEED } from './in-app.js';
import { describe } from './message.js';
import { acceptingUsers, PreferenceStore, preferredAddresses, type Preferences } from './preferences.js';
import { deliver, type RetryPolicy, type Send } from './retry.js';
import { sendSlack } from './slack.js';
import { sendSms, smsText, type TwilioSettings } from './sms.js';
import { sendWebhook, webhookRequest } from './webhook.js';

export interface NotifierDeps {
  config: Config;
  store: Store;
  metrics: Metrics;
  log: Logger;
}

/** One place to send to: a function that tries once, or the reason nothing is sent (or can be). */
type Target = { channel: ChannelKind; target: string } & ({ send: Send } | { skip: string } | { fail: string });

const unique = (xs: string[]): string[] => [...new Map(xs.map((x) => [x.toLowerCase(), x])).values()];

export class ChannelNotifier implements Notifier {
  readonly channels: ChannelStore;
  readonly preferences: PreferenceStore;
  readonly inApp: InAppStore;
  private readonly policy: RetryPolicy;
  private readonly twilio: TwilioSettings | null;
  private email: EmailSender | null = null;

  constructor(private readonly deps: NotifierDeps) {
    const { config, store } = deps;
    this.channels = new ChannelStore(store);
    this.preferences = new PreferenceStore(store);
    this.inApp = new InAppStore(store);
    this.policy = { attempts: config.notifyAttempts, timeoutMs: config.notifyTimeoutMs, backoffMs: config.notifyBackoffMs };
    this.twilio = config.twilioAccountSid && config.twilioAuthToken && config.twilioFrom
      ? { baseUrl: config.twilioBaseUrl, accountSid: config.twilioAccountSid, authToken: config.twilioAuthToken, from: config.twilioFrom }
      : null;
  }

  async dispatch(rule: AlertRule, event: AlertEvent): Promise<NotificationOutcome[]> {
    let config: ChannelConfig | null;
    let prefs: Preferences;
    try {
      [config, prefs] = await Promise.all([this.channels.get(event.project), this.preferences.list(event.project)]);
    } catch (err) {
      const error = `could not read the project's channels: ${(err as Error).message}`.slice(0, 300);
      const channels = rule.channels ?? DEFAULT_ROUTING[event.severity];
      this.deps.log.warn({ project: event.project, rule: rule.id, err: error }, 'notification not sent');
      for (const channel of channels) this.deps.metrics.notificationsFailed.inc({ channel });
      return channels.map((channel) => ({ channel, target: event.project, attempts: 0, outcome: 'failed', error, at: Date.now() }));
    }
    const channels = rule.channels ?? (config?.routing ?? DEFAULT_ROUTING)[event.severity];
    const targets = [...new Set(channels)].flatMap((c): Target[] => {
      try {
        return this.targets(c, config, prefs, rule, event);
      } catch (err) {
        return [{ channel: c, target: '', fail: (err as Error).message }];
      }
    });
    return Promise.all(targets.map((t) => this.run(t, rule, event)));
  }

  close(): void {
    this.email?.close();
  }

  private async run(t: Target, rule: AlertRule, event: AlertEvent): Promise<NotificationOutcome> {
    if ('skip' in t) return { channel: t.channel, target: t.target, attempts: 0, outcome: 'skipped', error: t.skip, at: Date.now() };
    const d = 'fail' in t ? { ok: false, attempts: 0, error: t.fail } : await deliver(t.send, this.policy);
    if (d.ok) this.deps.metrics.notificationsSent.inc({ channel: t.channel });
    else {
      this.deps.metrics.notificationsFailed.inc({ channel: t.channel });
      this.deps.log.warn({ project: event.project, rule: rule.id, channel: t.channel, target: t.target, attempts: d.attempts, err: d.error }, 'notification failed');
    }
    return { channel: t.channel, target: t.target, attempts: d.attempts, outcome: d.ok ? 'delivered' : 'failed', ...(d.error && !d.ok ? { error: d.error } : {}), at: Date.now() };
  }

  private targets(channel: ChannelKind, config: ChannelConfig | null, prefs: Preferences, rule: AlertRule, event: AlertEvent): Target[] {
    const now = Date.now();
    switch (channel) {
      case 'slack': {
        const url = config?.slack?.url;
        if (!url) return [{ channel, target: '', skip: 'no Slack URL in the project\'s channels' }];
        return [{ channel, target: urlTarget(url), send: (signal) => sendSlack(url, rule, event, signal) }];
      }
      case 'webhook': {
        const hook = config?.webhook;
        if (!hook) return [{ channel, target: '', skip: 'no webhook in the project\'s channels' }];
        const request = webhookRequest(hook.secret, rule, event);
        return [{ channel, target: urlTarget(hook.url), send: (signal) => sendWebhook(hook.url, request, signal) }];
      }
      case 'email': {
        const to = unique([...(config?.email?.to ?? []), ...preferredAddresses(prefs, event.severity, 'email', now)]);
        if (!this.deps.config.smtpUrl) return [{ channel, target: to.join(', '), skip: 'SLUICE_SMTP_URL is not set' }];
        if (!to.length) return [{ channel, target: '', skip: 'no email recipients' }];
        const mail = alertMail(rule, event);
        this.email ??= new EmailSender(this.deps.config.smtpUrl, this.deps.config.smtpFrom, this.policy.timeoutMs);
        const sender = this.email;
        return to.map((address) => ({ channel, target: address, send: (signal: AbortSignal) => sender.send(address, mail, signal) }));
      }
      case 'sms': {
        const to = unique([...(config?.sms?.to ?? []), ...preferredAddresses(prefs, event.severity, 'sms', now)]);
        const twilio = this.twilio;
        if (!twilio) return [{ channel, target: to.join(', '), skip: 'Twilio is not configured (SLUICE_TWILIO_ACCOUNT_SID, SLUICE_TWILIO_AUTH_TOKEN, SLUICE_TWILIO_FROM)' }];
        if (!to.length) return [{ channel, target: '', skip: 'no SMS recipients' }];
        const body = smsText(rule, event);
        return to.map((number) => ({ channel, target: number, send: (signal: AbortSignal) => sendSms(twilio, number, body, signal) }));
      }
      case 'in_app': {
        const users = acceptingUsers(prefs, event.severity, 'in_app', now).map((u) => u.subject);
        const recipients = [PROJECT_FEED, ...users];
        const m = describe(rule, event);
        const target = users.length ? `project feed and ${users.length} user${users.length > 1 ? 's' : ''}` : 'project feed';
        return [{ channel, target, send: async () => void (await this.inApp.add(rule, event, m.title, m.lines.join('\n'), recipients)) }];
      }
    }
  }
}
