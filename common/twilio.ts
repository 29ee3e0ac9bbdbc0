/**
 * Twilio's webhooks — the gateway's incoming messages (SMS, and WhatsApp through Twilio) and the
 * back office's delivery receipts — share its request signature; the gateway answers in TwiML.
 * Written here because these are small, well-specified functions; the provider's own SDK would
 * bring an HTTP client and hundreds of API wrappers for them.
 *
 * Signature: base64(HMAC-SHA1(auth token, URL + each POST parameter's name and value, sorted by
 * name)), sent as `X-Twilio-Signature`; the URL is the one configured at the provider, exactly.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { AppError } from './errors.ts';
import { readBodyText } from './http-body.ts';

export function twilioSignature(authToken: string, url: string, params: URLSearchParams): string {
  const names = [...new Set(params.keys())].sort();
  let data = url;
  for (const name of names) for (const value of params.getAll(name).sort()) data += name + value;
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

export function validTwilioSignature(
  authToken: string,
  url: string,
  params: URLSearchParams,
  header: string | undefined,
): boolean {
  if (header === undefined || header === '') return false;
  const expected = Buffer.from(twilioSignature(authToken, url, params));
  const got = Buffer.from(header);
  return got.length === expected.length && timingSafeEqual(got, expected);
}

/**
 * Checks a webhook request Twilio signed. `publicUrl` is the origin Twilio posts to when a proxy
 * stands in front (the signature covers the URL Twilio saw); unset: the request's own URL.
 */
export function signedByTwilio(
  authToken: string,
  request: { url: string; signature: string | undefined },
  form: URLSearchParams,
  publicUrl: string | undefined,
): boolean {
  const url = new URL(request.url);
  const seen =
    publicUrl === undefined ? url.toString() : `${publicUrl.replace(/\/+$/, '')}${url.pathname}${url.search}`;
  return validTwilioSignature(authToken, seen, form, request.signature);
}

/**
 * The form of a webhook request Twilio signed, or 403 BAD_SIGNATURE naming the settings to check
 * (`settings`, e.g. "TWILIO_AUTH_TOKEN and MESSAGING_PUBLIC_URL").
 */
export async function twilioForm(
  c: Context,
  authToken: string,
  publicUrl: string | undefined,
  settings: string,
): Promise<URLSearchParams> {
  const form = new URLSearchParams(await readBodyText(c));
  const request = { url: c.req.url, signature: c.req.header('x-twilio-signature') };
  if (!signedByTwilio(authToken, request, form, publicUrl))
    throw new AppError(
      'BAD_SIGNATURE',
      `the X-Twilio-Signature does not match this request (check ${settings})`,
    );
  return form;
}

/** A TwiML answer that sends `text` back to the sender on the channel the message came in on. */
export function twimlMessage(text: string): string {
  const escaped = text.replace(/[<>&"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
  return `<?xml version="1.0" encoding="UTF-8"?><Response><Message>${escaped}</Message></Response>`;
}
