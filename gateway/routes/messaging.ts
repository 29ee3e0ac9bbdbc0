import { Hono } from 'hono';
import { AppError } from '../../common/errors.ts';
import { readBodyText } from '../../common/http-body.ts';
import type { MessagingIngress } from '../messaging/ingress.ts';
import { twimlMessage, validTwilioSignature } from '../messaging/twilio.ts';

export interface MessagingRoutesDeps {
  ingress: MessagingIngress;
  /** Twilio's auth token (signs its webhooks); unset = the webhook is refused as not configured. */
  twilioAuthToken: string | undefined;
  /**
   * The public origin the provider posts to (`https://bids.example.com`): the signature covers the
   * URL as the provider sees it, which a proxy in front of the gateway changes. Unset: the request's own.
   */
  publicUrl: string | undefined;
}

/**
 * Provider webhooks for bids by text message: `POST /v1/messaging/twilio` takes Twilio's SMS and
 * WhatsApp messages (form-encoded, `X-Twilio-Signature`) and answers in TwiML with the reply the
 * sender gets — accepted, outbid, or why not. Every message a provider signed gets a 200 and a
 * reply; only an unsigned or malformed request gets a 4xx (the provider's request, not the bidder's).
 */
export function messagingRoutes(deps: MessagingRoutesDeps): Hono {
  const app = new Hono();
  app.post('/twilio', async (c) => {
    if (deps.twilioAuthToken === undefined)
      throw new AppError(
        503,
        'MESSAGING_DISABLED',
        'bids by SMS and WhatsApp are not configured on this gateway: set TWILIO_AUTH_TOKEN',
      );
    const type = (c.req.header('content-type') ?? '').toLowerCase();
    if (!type.startsWith('application/x-www-form-urlencoded'))
      throw new AppError(
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        'a Twilio webhook is application/x-www-form-urlencoded',
      );
    const form = new URLSearchParams(await readBodyText(c));
    const url = new URL(c.req.url);
    const signedUrl =
      deps.publicUrl === undefined
        ? url.toString()
        : `${deps.publicUrl.replace(/\/+$/, '')}${url.pathname}${url.search}`;
    if (!validTwilioSignature(deps.twilioAuthToken, signedUrl, form, c.req.header('x-twilio-signature')))
      throw new AppError(
        403,
        'BAD_SIGNATURE',
        'the X-Twilio-Signature does not match this request (check TWILIO_AUTH_TOKEN and MESSAGING_PUBLIC_URL)',
      );
    const messageId = form.get('MessageSid') ?? form.get('SmsSid');
    const from = form.get('From');
    const text = form.get('Body');
    const missing = [
      ['MessageSid', messageId],
      ['From', from],
      ['Body', text],
    ]
      .filter(([, v]) => v === null || v === '')
      .map(([k]) => k);
    if (missing.length > 0)
      throw new AppError(400, 'VALIDATION_FAILED', `the webhook lacks ${missing.join(', ')}`, {
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
  return app;
}
