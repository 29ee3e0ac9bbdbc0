/**
 * The providers that carry a notification out of Gavel: Twilio's Messages API for SMS and WhatsApp
 * (the same API, a `whatsapp:` address), and SMTP for email (nodemailer). Each answers with the
 * provider's reference, or throws: `permanent` when retrying cannot help (a number the provider
 * refuses), so the outbox records it instead of retrying forever.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import { sendWhatsappText, type WhatsappCloudOptions } from '../../common/whatsapp-cloud.ts';
import type { OutboundMessage } from './templates.ts';

export class SendError extends Error {
  /** Retrying the same message cannot succeed (the provider refused it, not failed to take it). */
  readonly permanent: boolean;
  constructor(message: string, opts: { permanent: boolean; cause?: unknown }) {
    super(message, { cause: opts.cause });
    this.name = new.target.name;
    this.permanent = opts.permanent;
  }
}

export interface Sender {
  /** Sends to one address; resolves with the provider's id of the message. */
  send(to: string, message: OutboundMessage, notificationId: number): Promise<string>;
}

export interface TwilioSenderOptions {
  accountSid: string;
  authToken: string;
  /** The sending number (E.164), or for WhatsApp the approved WhatsApp sender number. */
  from: string;
  channel: 'sms' | 'whatsapp';
  /** The API's origin; a local fake in tests. */
  apiUrl?: string | undefined;
  /** Where Twilio posts delivery receipts (`…/notify/twilio/status`); unset = none asked for. */
  statusCallback?: string | undefined;
  timeoutMs?: number;
}

/** Twilio's Messages API: `POST /2010-04-01/Accounts/{sid}/Messages.json` with basic auth. */
export class TwilioSender implements Sender {
  private readonly o: TwilioSenderOptions;
  private readonly url: string;
  private readonly auth: string;
  constructor(o: TwilioSenderOptions) {
    this.o = o;
    this.url = new URL(
      `/2010-04-01/Accounts/${encodeURIComponent(o.accountSid)}/Messages.json`,
      o.apiUrl ?? 'https://api.twilio.com',
    ).toString();
    this.auth = `Basic ${Buffer.from(`${o.accountSid}:${o.authToken}`).toString('base64')}`;
  }

  async send(to: string, message: OutboundMessage): Promise<string> {
    const prefix = this.o.channel === 'whatsapp' ? 'whatsapp:' : '';
    let res: Response;
    try {
      res = await fetch(this.url, {
        method: 'POST',
        headers: { Authorization: this.auth, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          To: `${prefix}${to}`,
          From: `${prefix}${this.o.from}`,
          Body: message.text,
          ...(this.o.statusCallback === undefined ? {} : { StatusCallback: this.o.statusCallback }),
        }),
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 10_000),
      });
    } catch (err) {
      throw new SendError(`Twilio is unreachable: ${err instanceof Error ? err.message : String(err)}`, {
        permanent: false,
        cause: err,
      });
    }
    const body = (await res.json().catch(() => ({}))) as { sid?: unknown; message?: unknown; code?: unknown };
    if (res.ok && typeof body.sid === 'string') return body.sid;
    const why = `Twilio answered ${res.status}${typeof body.code === 'number' ? ` (code ${body.code})` : ''}: ${typeof body.message === 'string' ? body.message : 'no message'}`;
    // 4xx but 429 is the request itself (a number Twilio will not send to, a bad sender): final.
    throw new SendError(why, { permanent: res.status >= 400 && res.status < 500 && res.status !== 429 });
  }
}

/** WhatsApp through Meta's Cloud API, from the business number `phoneNumberId`. */
export class WhatsappCloudSender implements Sender {
  private readonly o: WhatsappCloudOptions & { phoneNumberId: string };
  constructor(o: WhatsappCloudOptions & { phoneNumberId: string }) {
    this.o = o;
  }

  async send(to: string, message: OutboundMessage): Promise<string> {
    let r: Awaited<ReturnType<typeof sendWhatsappText>>;
    try {
      r = await sendWhatsappText(this.o, this.o.phoneNumberId, to, message.text);
    } catch (err) {
      throw new SendError(`WhatsApp is unreachable: ${err instanceof Error ? err.message : String(err)}`, {
        permanent: false,
        cause: err,
      });
    }
    if (r.ok) return r.id;
    // Outside the 24-hour window a free text is refused (a template is needed): final, like a bad number.
    throw new SendError(r.error, { permanent: r.status >= 400 && r.status < 500 && r.status !== 429 });
  }
}

export interface EmailSenderOptions {
  /** `smtp://user:pass@host:587` or `smtps://…` */
  smtpUrl: string;
  from: string;
}

/** Email over SMTP. The Message-ID is derived from the notification, so a repeat is recognisable downstream. */
export class EmailSender implements Sender {
  private readonly transport: Transporter;
  private readonly from: string;
  private readonly domain: string;
  constructor(o: EmailSenderOptions) {
    this.transport = nodemailer.createTransport(o.smtpUrl);
    this.from = o.from;
    this.domain = /@([^>\s]+)>?\s*$/.exec(o.from)?.[1] ?? 'gavel.invalid';
  }

  async send(to: string, message: OutboundMessage, notificationId: number): Promise<string> {
    try {
      const info = (await this.transport.sendMail({
        from: this.from,
        to,
        subject: message.subject,
        text: message.text,
        messageId: `<notification-${notificationId}@${this.domain}>`,
      })) as { messageId?: string };
      return info.messageId ?? '';
    } catch (err) {
      const code = (err as { responseCode?: unknown }).responseCode;
      // 5xx from the server is a refusal of this message (no such mailbox…); anything else may pass later.
      throw new SendError(`email not sent: ${err instanceof Error ? err.message : String(err)}`, {
        permanent: typeof code === 'number' && code >= 500,
        cause: err,
      });
    }
  }

  close(): void {
    this.transport.close();
  }
}
