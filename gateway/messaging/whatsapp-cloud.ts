/**
 * Meta's WhatsApp Cloud API webhook: a verification handshake, then signed JSON deliveries (the
 * replies go out through common/whatsapp-cloud.ts). Written here for the same reason as twilio.ts:
 * a signature check and a payload shape.
 *
 * - Verification: `GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…` is answered with the
 *   challenge when the token is ours.
 * - Deliveries: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>`; the body holds
 *   `entry[].changes[].value.messages[]` (and `statuses[]`, delivery receipts, which carry no bid).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export function whatsappSignature(appSecret: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody, 'utf8').digest('hex')}`;
}

export function validWhatsappSignature(
  appSecret: string,
  rawBody: string,
  header: string | undefined,
): boolean {
  if (header === undefined) return false;
  const expected = Buffer.from(whatsappSignature(appSecret, rawBody));
  const got = Buffer.from(header.trim().toLowerCase());
  return got.length === expected.length && timingSafeEqual(got, expected);
}

const messageSchema = z.looseObject({
  from: z.string().min(1),
  id: z.string().min(1),
  type: z.string(),
  text: z.looseObject({ body: z.string() }).optional(),
});
const payloadSchema = z.looseObject({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(
    z.looseObject({
      changes: z.array(
        z.looseObject({
          value: z.looseObject({
            metadata: z.looseObject({ phone_number_id: z.string().min(1) }).optional(),
            messages: z.array(messageSchema).optional(),
          }),
        }),
      ),
    }),
  ),
});

/** One message a delivery holds: who (E.164), which business number it came to, its id, its text (undefined: not text). */
export interface WhatsappMessage {
  id: string;
  from: string;
  phoneNumberId: string | undefined;
  text: string | undefined;
}

/** The messages of a webhook delivery, or the reason it is not one. */
export function whatsappMessages(body: unknown): WhatsappMessage[] | { problem: string } {
  const p = payloadSchema.safeParse(body);
  if (!p.success) return { problem: p.error.issues[0]?.message ?? 'not a WhatsApp Cloud API webhook' };
  const out: WhatsappMessage[] = [];
  for (const e of p.data.entry)
    for (const ch of e.changes)
      for (const m of ch.value.messages ?? [])
        out.push({
          id: m.id,
          // wa_ids are the number without the "+".
          from: m.from.startsWith('+') ? m.from : `+${m.from}`,
          phoneNumberId: ch.value.metadata?.phone_number_id,
          text: m.type === 'text' ? m.text?.body : undefined,
        });
  return out;
}
