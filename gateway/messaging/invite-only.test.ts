import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticCatalogue } from '../../common/catalogue.ts';
import { twilioSignature } from '../../common/twilio.ts';
import { timedSetup } from '../../test/support/bidding.ts';
import { handlerGateway, type HandlerGateway } from '../handler-kit.ts';

/* Texted bids on an invite-only sale (docs/invite-only.md), through app.request() on the in-process engine. */

const AUTH_TOKEN = 'twilio-auth-token-for-invite-only-tests';
const URL_TWILIO = 'http://gateway.test/v1/messaging/twilio';
const ALICE = '+447700900301';
const BOB = '+447700900302';
const LOT = 'club-lot';

describe('a texted bid on an invite-only sale', () => {
  let g: HandlerGateway;

  beforeAll(async () => {
    g = await handlerGateway(
      { twilioAuthToken: AUTH_TOKEN, smsConfirmAbove: new Map([['EUR', 1_000_000]]) },
      {
        catalogue: staticCatalogue(
          [
            {
              id: 'club',
              title: 'Closed door',
              mode: 'timed',
              currency: 'EUR',
              visibility: 'invite_only',
              lots: [
                { id: LOT, lotNumber: '9', title: 'A', description: '', estimateLow: '', estimateHigh: '' },
              ],
            },
          ],
          new Map([['club', ['alice']]]),
        ),
      },
    );
    await g.store!.configure(timedSetup(LOT, Date.now(), { saleId: 'club', private: true }));
    for (const [id, phone] of [
      ['alice', ALICE],
      ['bob', BOB],
    ] as const) {
      await g.store!.setEligibility(LOT, id, 10_000_000);
      await g.directory.setPhone(id, phone);
    }
  });
  afterAll(async () => {
    await g.close();
  });

  const text = async (from: string, body: string): Promise<string> => {
    const form = new URLSearchParams({
      AccountSid: 'AC123',
      To: '+447700900999',
      MessageSid: `SM${randomUUID().replace(/-/g, '')}`,
      From: from,
      Body: body,
    });
    const res = await g.app.request(URL_TWILIO, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        'X-Twilio-Signature': twilioSignature(AUTH_TOKEN, URL_TWILIO, form),
      },
      body: form.toString(),
    });
    expect(res.status).toBe(200);
    return (/<Message>([\s\S]*)<\/Message>/.exec(await res.text())?.[1] ?? '').replace(
      /&#(\d+);/g,
      (_, n: string) => String.fromCharCode(Number(n)),
    );
  };

  it('is refused like an unknown lot from an uninvited number, by lot number or code', async () => {
    expect(await text(BOB, '#9 150')).toContain('There is no lot "9"');
    expect(await text(BOB, `#${LOT} 150`)).toContain(`There is no lot "${LOT.toUpperCase()}"`);
    expect(await text('+447700900399', '#9 150')).not.toContain('accepted');
    expect(await g.store!.decisions(LOT)).toHaveLength(0);
  });

  it('is decided for an invited bidder', async () => {
    expect(await text(ALICE, '#9 150')).toContain('bid accepted, you lead at EUR 150.00');
    expect(await g.store!.decisions(LOT)).toHaveLength(1);
  });
});
