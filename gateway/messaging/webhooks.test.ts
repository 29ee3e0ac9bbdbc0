import { createHmac, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticCatalogue } from '../../common/catalogue.ts';
import { twilioSignature } from '../../common/twilio.ts';
import { timedSetup } from '../../test/support/bidding.ts';
import { handlerGateway, type HandlerGateway } from '../handler-kit.ts';

/* The messaging webhooks through app.request(), on the in-process engine and directory: no Redis, no socket. */

const AUTH_TOKEN = 'twilio-auth-token-for-handler-tests';
const URL_TWILIO = 'http://gateway.test/v1/messaging/twilio';
const ALICE = '+447700900201';
const LOT = 'sms-lot';

describe('the Twilio webhook in process', () => {
  let g: HandlerGateway;

  beforeAll(async () => {
    g = await handlerGateway(
      { twilioAuthToken: AUTH_TOKEN, smsConfirmAbove: new Map([['EUR', 1_000_000]]) },
      {
        catalogue: staticCatalogue([
          {
            id: 'sale-1',
            title: 'One',
            mode: 'timed',
            currency: 'EUR',
            lots: [
              { id: LOT, lotNumber: '7', title: 'A', description: '', estimateLow: '', estimateHigh: '' },
            ],
          },
        ]),
      },
    );
    await g.store!.configure(timedSetup(LOT, Date.now()));
    await g.store!.setEligibility(LOT, 'alice', 10_000_000);
    await g.directory.setPhone('alice', ALICE);
  });
  afterAll(async () => {
    await g.close();
  });

  const webhook = async (
    fields: Record<string, string>,
    opts: { signWith?: string; contentType?: string } = {},
  ): Promise<{ status: number; type: string; text: string }> => {
    const form = new URLSearchParams({ AccountSid: 'AC123', To: '+447700900999', ...fields });
    const res = await g.app.request(URL_TWILIO, {
      method: 'POST',
      headers: {
        'Content-Type': opts.contentType ?? 'application/x-www-form-urlencoded',
        'X-Twilio-Signature': twilioSignature(opts.signWith ?? AUTH_TOKEN, URL_TWILIO, form),
      },
      body: form.toString(),
    });
    return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
  };
  const sid = (): string => `SM${randomUUID().replace(/-/g, '')}`;
  const reply = (twiml: string): string =>
    (/<Message>([\s\S]*)<\/Message>/.exec(twiml)?.[1] ?? '').replace(/&#(\d+);/g, (_, n: string) =>
      String.fromCharCode(Number(n)),
    );

  it('decides a texted bid in the engine and answers the sender in TwiML', async () => {
    const res = await webhook({ MessageSid: sid(), From: ALICE, Body: '#7 150' });
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/xml/);
    expect(reply(res.text)).toContain('bid accepted, you lead at EUR 150.00');
    const decisions = await g.store!.decisions(LOT);
    expect(decisions).toHaveLength(1);
  });

  it('answers a delivery made twice alike, deciding it once', async () => {
    const id = sid();
    const first = await webhook({ MessageSid: id, From: ALICE, Body: '#7 300' });
    const again = await webhook({ MessageSid: id, From: ALICE, Body: '#7 300' });
    expect(reply(again.text)).toBe(reply(first.text));
    const withKey = (await g.store!.decisions(LOT)).filter((d) => JSON.stringify(d).includes(id));
    expect(withKey).toHaveLength(1);
  });

  it('asks an unknown number to register, and a bid above the threshold for a code', async () => {
    const stranger = await webhook({ MessageSid: sid(), From: '+447700900299', Body: '#7 500' });
    expect([stranger.status, reply(stranger.text)]).toEqual([200, expect.stringMatching(/regist/i)]);
    const big = await webhook({ MessageSid: sid(), From: ALICE, Body: '#7 20000' });
    expect(reply(big.text)).toMatch(/^Reply YES \d{6} within/);
  });

  it('refuses what Twilio did not sign or send: 403, 415, 400 naming the missing field', async () => {
    const forged = await webhook({ MessageSid: sid(), From: ALICE, Body: '#7 150' }, { signWith: 'other' });
    expect(forged.status).toBe(403);
    expect(JSON.parse(forged.text)).toMatchObject({ error: { code: 'BAD_SIGNATURE' } });
    const json = await webhook(
      { MessageSid: sid(), From: ALICE, Body: '#7 150' },
      { contentType: 'application/json' },
    );
    expect(json.status).toBe(415);
    const noFrom = await webhook({ MessageSid: sid(), Body: '#7 150' });
    expect(noFrom.status).toBe(400);
    expect(JSON.parse(noFrom.text)).toMatchObject({
      error: { code: 'VALIDATION_FAILED', details: { fields: ['From'] } },
    });
  });
});

describe('the messaging webhooks when not configured, and the WhatsApp handshake', () => {
  let off: HandlerGateway;
  let on: HandlerGateway;
  const whatsapp = {
    appSecret: 'app-secret',
    verifyToken: 'verify-me',
    accessToken: 'x',
    graphUrl: undefined,
  };
  beforeAll(async () => {
    off = await handlerGateway();
    on = await handlerGateway({ whatsapp });
  });
  afterAll(async () => {
    await off.close();
    await on.close();
  });

  it('answers 503 MESSAGING_DISABLED without the provider settings', async () => {
    const twilio = await off.call('POST', '/v1/messaging/twilio', { body: 'x', key: null });
    expect([twilio.status, twilio.body.error?.code]).toEqual([503, 'MESSAGING_DISABLED']);
    expect(twilio.body.error?.message).toContain('TWILIO_AUTH_TOKEN');
    const meta = await off.call('GET', '/v1/messaging/whatsapp');
    expect([meta.status, meta.body.error?.code]).toEqual([503, 'MESSAGING_DISABLED']);
  });

  it('returns the challenge for our verify token only', async () => {
    const ok = await on.app.request(
      '/v1/messaging/whatsapp?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444',
    );
    expect([ok.status, await ok.text()]).toEqual([200, '1158201444']);
    const bad = await on.call('GET', '/v1/messaging/whatsapp?hub.mode=subscribe&hub.verify_token=nope');
    expect([bad.status, bad.body.error?.code]).toEqual([403, 'BAD_VERIFY_TOKEN']);
  });

  it('refuses a delivery whose signature does not match its body, and takes one that does', async () => {
    const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [] });
    const signed = `sha256=${createHmac('sha256', whatsapp.appSecret).update(body).digest('hex')}`;
    const forged = await on.call('POST', '/v1/messaging/whatsapp', {
      body,
      key: null,
      headers: { 'X-Hub-Signature-256': 'sha256=00' },
    });
    expect([forged.status, forged.body.error?.code]).toEqual([403, 'BAD_SIGNATURE']);
    const good = await on.call('POST', '/v1/messaging/whatsapp', {
      body,
      key: null,
      headers: { 'X-Hub-Signature-256': signed },
    });
    expect([good.status, good.body]).toEqual([200, { received: 0 }]);
  });
});
