import { timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { AppError } from '../../common/errors.ts';
import { parseJson, readBodyText } from '../../common/http-body.ts';
import type { Logger } from '../../common/logger.ts';
import { sendWhatsappText } from '../../common/whatsapp-cloud.ts';
import type { MessagingIngress } from '../messaging/ingress.ts';
import { twilioForm, twimlMessage } from '../../common/twilio.ts';
import { validWhatsappSignature, whatsappMessages } from '../messaging/whatsapp-cloud.ts';

export interface MessagingRoutesDeps {
  ingress: MessagingIngress;
  /** Twilio's auth token (signs its webhooks); unset = the webhook is refused as not configured. */
  twilioAuthToken: string | undefined;
  /**
   * The public origin the provider posts to (`https://bids.example.com`): the signature covers the
   * URL as the provider sees it, which a proxy in front of the gateway changes. Unset: the request's own.
   */
  publicUrl: string | undefined;
  /** Meta's WhatsApp Cloud API; unset = its webhook is refused as not configured. */
  whatsapp: WhatsappConfig | undefined;
  logger: Logger;
}

export interface WhatsappConfig {
  /** The app secret: signs the webhook's deliveries. */
  appSecret: string;
  /** What Meta sends back in the subscription handshake. */
  verifyToken: string;
  /** Sends the replies. */
  accessToken: string;
  graphUrl: string | undefined;
}

/**
 * Provider webhooks for bids by text message: `POST /v1/messaging/twilio` takes Twilio's SMS and
 * WhatsApp messages (form-encoded, `X-Twilio-Signature`) and answers in TwiML with the reply the
 * sender gets — accepted, outbid, or why not. Every message a provider signed gets a 200 and a
 * reply; only an unsigned or malformed request gets a 4xx (the provider's request, not the bidder's).
 * `GET|POST /v1/messaging/whatsapp` is Meta's WhatsApp Cloud API webhook: the subscription
 * handshake, then signed JSON deliveries, each message answered by a reply sent through the API.
 */
export function messagingRoutes(deps: MessagingRoutesDeps): Hono {
  const app = new Hono();
  app.post('/twilio', async (c) => {
    if (deps.twilioAuthToken === undefined)
      throw new AppError(
        'MESSAGING_DISABLED',
        'bids by SMS and WhatsApp are not configured on this gateway: set TWILIO_AUTH_TOKEN',
      );
    const type = (c.req.header('content-type') ?? '').toLowerCase();
    if (!type.startsWith('application/x-www-form-urlencoded'))
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'a Twilio webhook is application/x-www-form-urlencoded');
    const form = await twilioForm(
      c,
      deps.twilioAuthToken,
      deps.publicUrl,
      'TWILIO_AUTH_TOKEN and MESSAGING_PUBLIC_URL',
    );
    const messageId = form.get('MessageSid') ?? form.get('SmsSid');
    const from = form.get('From');
    const text = form.get('Body');
    // An empty Body is a message (a picture alone): it is answered with the format, not refused.
    const missing = [
      ['MessageSid', messageId === '' ? null : messageId],
      ['From', from === '' ? null : from],
      ['Body', text],
    ]
      .filter(([, v]) => v === null)
      .map(([k]) => k);
    if (missing.length > 0)
      throw new AppError('VALIDATION_FAILED', `the webhook lacks ${missing.join(', ')}`, {
        details: { fields: missing },
      });
    const whatsapp = from!.toLowerCase().startsWith('whatsapp:');
    const answer = await deps.ingress.handle({
      provider: 'twilio',
      channel: whatsapp ? 'whatsapp' : 'sms',
      messageId: messageId!,
      from: whatsapp ? from!.slice('whatsapp:'.length) : from!,
      text: text!,
    });
    return c.body(twimlMessage(answer.reply), 200, { 'Content-Type': 'text/xml; charset=utf-8' });
  });

  const whatsapp = (): WhatsappConfig => {
    if (deps.whatsapp === undefined)
      throw new AppError(
        'MESSAGING_DISABLED',
        'bids by the WhatsApp Cloud API are not configured on this gateway: set WHATSAPP_APP_SECRET, WHATSAPP_VERIFY_TOKEN and WHATSAPP_ACCESS_TOKEN',
      );
    return deps.whatsapp;
  };
  app.get('/whatsapp', (c) => {
    const w = whatsapp();
    const q = c.req.query();
    const given = Buffer.from(q['hub.verify_token'] ?? '');
    const ours = Buffer.from(w.verifyToken);
    if (q['hub.mode'] !== 'subscribe' || given.length !== ours.length || !timingSafeEqual(given, ours))
      throw new AppError('BAD_VERIFY_TOKEN', 'hub.mode must be "subscribe" with our hub.verify_token');
    return c.text(q['hub.challenge'] ?? '');
  });
  app.post('/whatsapp', async (c) => {
    const w = whatsapp();
    const raw = await readBodyText(c, 256 * 1024);
    if (!validWhatsappSignature(w.appSecret, raw, c.req.header('x-hub-signature-256')))
      throw new AppError(
        'BAD_SIGNATURE',
        'the X-Hub-Signature-256 does not match this body (check WHATSAPP_APP_SECRET)',
      );
    const messages = whatsappMessages(parseJson(raw));
    if (!Array.isArray(messages)) throw new AppError('VALIDATION_FAILED', messages.problem);
    for (const m of messages) {
      const answer =
        m.text === undefined
          ? { reply: 'Please send your bid as a text message, e.g. "#102 2500".' }
          : await deps.ingress.handle({
              provider: 'whatsapp-cloud',
              channel: 'whatsapp',
              messageId: m.id,
              from: m.from,
              text: m.text,
            });
      if (m.phoneNumberId === undefined) continue;
      // Best effort: the bid is decided whatever happens to its reply, and a failed reply is not a
      // reason for Meta to deliver the message again.
      const sent = await sendWhatsappText(w, m.phoneNumberId, m.from, answer.reply, m.id).catch(
        (err: unknown) => ({
          ok: false as const,
          status: 0,
          error: err instanceof Error ? err.message : String(err),
        }),
      );
      if (!sent.ok)
        deps.logger.error(
          { correlationId: `whatsapp-cloud:${m.id}`, error: sent.error },
          'the reply to a WhatsApp bid could not be sent',
        );
    }
    return c.json({ received: messages.length });
  });
  return app;
}
