/**
 * The embedded default's mail server: sent mail is kept in memory (the newest 200) for a developer
 * to read at `/dev/mail`, so `npm start` needs no SMTP server. Never used when SMTP_URL is set.
 */
import type { MailboxView, SentMail } from '../../common/accounts.ts';
import type { Sender } from './senders.ts';
import type { OutboundMessage } from './templates.ts';

export class DevMailbox implements Sender, MailboxView {
  private readonly mail: SentMail[] = [];
  private next = 1;
  private readonly keep: number;
  constructor(keep = 200) {
    this.keep = keep;
  }

  send(to: string, message: OutboundMessage): Promise<string> {
    const id = this.next++;
    this.mail.unshift({
      id,
      to,
      subject: message.subject,
      text: message.text,
      sentAt: new Date().toISOString(),
    });
    this.mail.length = Math.min(this.mail.length, this.keep);
    return Promise.resolve(`dev-mail-${id}`);
  }

  /** Newest first. */
  list(): readonly SentMail[] {
    return this.mail;
  }
}
