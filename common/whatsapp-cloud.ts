/**
 * Sending a text through Meta's WhatsApp Cloud API (`POST {graph}/{version}/{phone number id}/messages`
 * with a bearer token): the gateway's replies to texted bids and the back office's notifications.
 */

export interface WhatsappCloudOptions {
  accessToken: string;
  /** `https://graph.facebook.com/v21.0` by default; a local fake in tests. */
  graphUrl?: string | undefined;
  timeoutMs?: number;
}

/** Sends a text through the Cloud API; resolves with the message id it was given. */
export async function sendWhatsappText(
  o: WhatsappCloudOptions,
  phoneNumberId: string,
  to: string,
  text: string,
  replyTo?: string,
): Promise<{ ok: true; id: string } | { ok: false; status: number; error: string }> {
  const base = (o.graphUrl ?? 'https://graph.facebook.com/v21.0').replace(/\/+$/, '');
  const res = await fetch(`${base}/${encodeURIComponent(phoneNumberId)}/messages`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${o.accessToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: to.replace(/^\+/, ''),
      type: 'text',
      text: { body: text },
      ...(replyTo === undefined ? {} : { context: { message_id: replyTo } }),
    }),
    signal: AbortSignal.timeout(o.timeoutMs ?? 10_000),
  });
  const body = (await res.json().catch(() => ({}))) as {
    messages?: { id?: unknown }[];
    error?: { message?: unknown; code?: unknown };
  };
  const id = body.messages?.[0]?.id;
  if (res.ok && typeof id === 'string') return { ok: true, id };
  const message = typeof body.error?.message === 'string' ? body.error.message : 'no message';
  const code = typeof body.error?.code === 'number' ? ` (code ${body.error.code})` : '';
  return { ok: false, status: res.status, error: `WhatsApp answered ${res.status}${code}: ${message}` };
}
