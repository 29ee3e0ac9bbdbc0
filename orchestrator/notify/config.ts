import { z } from 'zod';
import { loadEnv } from '../../common/config.ts';
import type { Logger } from '../../common/logger.ts';
import type { Database } from '../ledger/db.ts';
import type { BackOfficeMetrics } from '../service/metrics.ts';
import type { NotificationChannel } from './outbox.ts';
import { ContactChannel } from './contact-channel.ts';
import { EmailSender, TwilioSender, WhatsappCloudSender } from './senders.ts';
import { PushChannel } from './push/channel.ts';
import { vapidProblem, type VapidKeys } from './push/vapid.ts';

/** Where bidders' own notifications go beyond the hub: Twilio for SMS and WhatsApp, SMTP for email. */
export interface NotifyConfig {
  twilio?: {
    accountSid: string;
    authToken: string;
    /** Sending number for SMS (E.164); unset = no SMS. */
    smsFrom: string | undefined;
    /** Approved WhatsApp sender number (E.164); unset = no WhatsApp. */
    whatsappFrom: string | undefined;
    apiUrl: string | undefined;
    /** This orchestrator's public origin: Twilio posts delivery receipts to `<it>/notify/twilio/status`. */
    publicUrl?: string | undefined;
  };
  /** WhatsApp through Meta's Cloud API (preferred over Twilio's WhatsApp when both are set). */
  whatsappCloud?: { accessToken: string; phoneNumberId: string; graphUrl: string | undefined };
  email?: { smtpUrl: string; from: string };
  /** Web Push to the bidders' browsers (docs/push-notifications.md): the VAPID keys; unset = no push. */
  push?: PushConfig;
}

export interface PushConfig {
  vapid: VapidKeys;
  /** Accept `http://` endpoints on loopback (tests, the embedded default); never with an https PUBLIC_ORIGIN. Default false. */
  allowLoopbackHttp?: boolean;
  /** How long a push service keeps an undelivered message (seconds). Default 1 hour. */
  ttlSeconds?: number;
}

const optional = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));
const e164 = optional.refine(
  (v) => v === undefined || /^\+[1-9]\d{6,14}$/.test(v),
  'an E.164 number like +447700900123',
);
const schema = z
  .object({
    TWILIO_ACCOUNT_SID: optional,
    TWILIO_AUTH_TOKEN: optional,
    TWILIO_SMS_FROM: e164,
    TWILIO_WHATSAPP_FROM: e164,
    TWILIO_API_URL: optional.refine((v) => v === undefined || URL.canParse(v), 'a URL'),
    NOTIFY_PUBLIC_URL: optional.refine(
      (v) => v === undefined || URL.canParse(v),
      'an origin like https://office.example.com',
    ),
    SMTP_URL: optional.refine(
      (v) => v === undefined || /^smtps?:\/\/\S+$/.test(v),
      'an smtp:// or smtps:// URL',
    ),
    EMAIL_FROM: optional,
    WHATSAPP_ACCESS_TOKEN: optional,
    WHATSAPP_PHONE_NUMBER_ID: optional,
    WHATSAPP_GRAPH_URL: optional.refine((v) => v === undefined || URL.canParse(v), 'a URL'),
    VAPID_PUBLIC_KEY: optional,
    VAPID_PRIVATE_KEY: optional,
    VAPID_SUBJECT: optional,
  })
  .superRefine((e, ctx) => {
    const sending = e.TWILIO_SMS_FROM !== undefined || e.TWILIO_WHATSAPP_FROM !== undefined;
    for (const k of ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN'] as const)
      if (sending && e[k] === undefined)
        ctx.addIssue({ code: 'custom', path: [k], message: `${k} is needed to send by SMS or WhatsApp` });
    if ((e.WHATSAPP_ACCESS_TOKEN === undefined) !== (e.WHATSAPP_PHONE_NUMBER_ID === undefined))
      ctx.addIssue({
        code: 'custom',
        path: [e.WHATSAPP_ACCESS_TOKEN === undefined ? 'WHATSAPP_ACCESS_TOKEN' : 'WHATSAPP_PHONE_NUMBER_ID'],
        message: 'WHATSAPP_ACCESS_TOKEN and WHATSAPP_PHONE_NUMBER_ID go together (the Cloud API sender)',
      });
    if ((e.SMTP_URL === undefined) !== (e.EMAIL_FROM === undefined))
      ctx.addIssue({
        code: 'custom',
        path: [e.SMTP_URL === undefined ? 'SMTP_URL' : 'EMAIL_FROM'],
        message: 'SMTP_URL and EMAIL_FROM go together (email needs a server and a sender)',
      });
    const vapid = [e.VAPID_PUBLIC_KEY, e.VAPID_PRIVATE_KEY, e.VAPID_SUBJECT];
    if (vapid.some((v) => v !== undefined) && vapid.some((v) => v === undefined))
      ctx.addIssue({
        code: 'custom',
        path: [
          e.VAPID_PUBLIC_KEY === undefined
            ? 'VAPID_PUBLIC_KEY'
            : e.VAPID_PRIVATE_KEY === undefined
              ? 'VAPID_PRIVATE_KEY'
              : 'VAPID_SUBJECT',
        ],
        message:
          'VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY and VAPID_SUBJECT go together (Web Push; `npx web-push generate-vapid-keys` makes a pair)',
      });
    else if (
      e.VAPID_PUBLIC_KEY !== undefined &&
      e.VAPID_PRIVATE_KEY !== undefined &&
      e.VAPID_SUBJECT !== undefined
    ) {
      const problem = vapidProblem({
        publicKey: e.VAPID_PUBLIC_KEY,
        privateKey: e.VAPID_PRIVATE_KEY,
        subject: e.VAPID_SUBJECT,
      });
      if (problem !== undefined)
        ctx.addIssue({ code: 'custom', path: ['VAPID_PUBLIC_KEY'], message: problem });
    }
  });

export function notifyConfigFromEnv(env: NodeJS.ProcessEnv = process.env): NotifyConfig {
  const e = loadEnv(schema, env);
  const out: NotifyConfig = {};
  if (e.TWILIO_ACCOUNT_SID !== undefined && e.TWILIO_AUTH_TOKEN !== undefined)
    out.twilio = {
      accountSid: e.TWILIO_ACCOUNT_SID,
      authToken: e.TWILIO_AUTH_TOKEN,
      smsFrom: e.TWILIO_SMS_FROM,
      whatsappFrom: e.TWILIO_WHATSAPP_FROM,
      apiUrl: e.TWILIO_API_URL,
      publicUrl: e.NOTIFY_PUBLIC_URL,
    };
  if (e.WHATSAPP_ACCESS_TOKEN !== undefined && e.WHATSAPP_PHONE_NUMBER_ID !== undefined)
    out.whatsappCloud = {
      accessToken: e.WHATSAPP_ACCESS_TOKEN,
      phoneNumberId: e.WHATSAPP_PHONE_NUMBER_ID,
      graphUrl: e.WHATSAPP_GRAPH_URL,
    };
  if (e.SMTP_URL !== undefined && e.EMAIL_FROM !== undefined)
    out.email = { smtpUrl: e.SMTP_URL, from: e.EMAIL_FROM };
  if (e.VAPID_PUBLIC_KEY !== undefined && e.VAPID_PRIVATE_KEY !== undefined && e.VAPID_SUBJECT !== undefined)
    out.push = {
      vapid: { publicKey: e.VAPID_PUBLIC_KEY, privateKey: e.VAPID_PRIVATE_KEY, subject: e.VAPID_SUBJECT },
    };
  return out;
}

/** The channels a config enables, and how to close them. */
export function notifyChannels(
  config: NotifyConfig,
  deps: { db: Database; logger: Logger; metrics?: BackOfficeMetrics | undefined },
): { channels: NotificationChannel[]; close: () => void } {
  const channels: NotificationChannel[] = [];
  const closers: (() => void)[] = [];
  const t = config.twilio;
  const statusCallback = receiptUrl(config);
  const sms =
    t?.smsFrom === undefined
      ? undefined
      : new ContactChannel({
          channel: 'sms',
          sender: new TwilioSender({ ...t, from: t.smsFrom, channel: 'sms', statusCallback }),
          ...deps,
        });
  if (sms !== undefined) channels.push(sms);
  const whatsapp =
    config.whatsappCloud !== undefined
      ? new WhatsappCloudSender(config.whatsappCloud)
      : t?.whatsappFrom !== undefined
        ? new TwilioSender({ ...t, from: t.whatsappFrom, channel: 'whatsapp', statusCallback })
        : undefined;
  if (whatsapp !== undefined)
    channels.push(new ContactChannel({ channel: 'whatsapp', sender: whatsapp, fallback: sms, ...deps }));
  if (config.email !== undefined) {
    const sender = new EmailSender(config.email);
    closers.push(() => sender.close());
    channels.push(new ContactChannel({ channel: 'email', sender, ...deps }));
  }
  // Last: the hub and the messages first; a push service that is slow holds up nothing before it.
  if (config.push !== undefined) channels.push(new PushChannel({ ...config.push, ...deps }));
  return { channels, close: () => closers.forEach((c) => c()) };
}

/** Where Twilio is asked to post delivery receipts, when this orchestrator's public origin is known. */
export function receiptUrl(config: NotifyConfig): string | undefined {
  const base = config.twilio?.publicUrl;
  return base === undefined ? undefined : `${base.replace(/\/+$/, '')}/notify/twilio/status`;
}

/**
 * What the bidders' self-service needs to take push subscriptions: the VAPID public key, and
 * whether an http endpoint on loopback is accepted — only when asked for (the embedded default on
 * this machine, tests) and never while the site is served over https.
 */
export function pushSubscribing(config: {
  notify?: NotifyConfig | undefined;
  publicOrigin?: string | undefined;
}): { publicKey: string; allowLoopbackHttp: boolean } | undefined {
  const push = config.notify?.push;
  if (push === undefined) return undefined;
  return {
    publicKey: push.vapid.publicKey,
    allowLoopbackHttp: push.allowLoopbackHttp === true && !(config.publicOrigin ?? '').startsWith('https:'),
  };
}
