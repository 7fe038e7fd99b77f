// Email over SMTP (nodemailer): one message per recipient, plain text and HTML. The SMTP URL,
// its password included, comes only from config.
import nodemailer from 'nodemailer';
import type { AlertEvent, AlertRule } from '../alerts/types.js';
import { describe } from './message.js';

export interface Mail {
  subject: string;
  text: string;
  html: string;
}

const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function alertMail(rule: AlertRule, event: AlertEvent): Mail {
  const m = describe(rule, event);
  const rows = m.lines.map((l) => {
    const i = l.indexOf(': ');
    return i > 0
      ? `<tr><th align="left">${escape(l.slice(0, i))}</th><td>${escape(l.slice(i + 2))}</td></tr>`
      : `<tr><td colspan="2">${escape(l)}</td></tr>`;
  });
  return { subject: m.title, text: m.text, html: `<h2>${escape(m.title)}</h2>\n<table>\n${rows.join('\n')}\n</table>` };
}

export class EmailSender {
  private readonly transport: ReturnType<typeof nodemailer.createTransport>;

  constructor(smtpUrl: string, private readonly from: string, timeoutMs: number) {
    // Each attempt is also bounded by its signal; these keep a stalled socket from outliving it.
    this.transport = nodemailer.createTransport({ url: smtpUrl, connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs, logger: false });
  }

  async send(to: string, mail: Mail, signal: AbortSignal): Promise<void> {
    await this.transport.sendMail({ from: this.from, to, subject: mail.subject, text: mail.text, html: mail.html, signal });
  }

  close(): void {
    this.transport.close();
  }
}
