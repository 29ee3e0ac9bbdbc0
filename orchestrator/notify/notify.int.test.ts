import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LATER,
  startSaleNow,
  startTestBackOffice,
  until,
  type TestBackOffice,
} from '../../test/support/orchestrator.ts';
import { twilioSignature } from '../../common/twilio.ts';
import { startTestSmtp, type ReceivedMail } from '../../test/support/smtp.ts';
import { messageFor } from './templates.ts';

/**
 * Results reach bidders by SMS, WhatsApp and email as each asked, through the outbox — against a
 * local fake of Twilio's Messages API (a real HTTP server that records what it receives and can be
 * told to fail) and a real SMTP server as the mail sink: sent once per notification and channel,
 * retried while the provider fails, recorded and not retried when it refuses for good.
 */
interface TwilioCall {
  path: string;
  auth: string | undefined;
  form: URLSearchParams;
}

const read = async (req: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

describe('notifications by SMS, WhatsApp and email', () => {
  const twilioCalls: TwilioCall[] = [];
  let mails: ReceivedMail[] = [];
  /** Calls to answer with a 503 before the fake accepts again (a provider outage). */
  let failNext = 0;
  let twilio: Server;
  let smtp: Awaited<ReturnType<typeof startTestSmtp>>;
  let t: TestBackOffice;

  beforeAll(async () => {
    twilio = createServer((req, res) => {
      void read(req).then((body) => {
        const form = new URLSearchParams(body);
        twilioCalls.push({ path: req.url ?? '', auth: req.headers.authorization, form });
        res.setHeader('Content-Type', 'application/json');
        if (failNext > 0) {
          failNext--;
          res.writeHead(503).end(JSON.stringify({ code: 20503, message: 'Service unavailable' }));
        } else if (form.get('To')?.endsWith('+447700900499') === true)
          res
            .writeHead(400)
            .end(JSON.stringify({ code: 21211, message: "The 'To' number is not a valid phone number." }));
        else res.writeHead(201).end(JSON.stringify({ sid: `SM${twilioCalls.length}`, status: 'queued' }));
      });
    });
    twilio.listen(0, '127.0.0.1');
    await once(twilio, 'listening');
    smtp = await startTestSmtp();
    mails = smtp.mails;
    t = await startTestBackOffice('notify', {
      notify: {
        twilio: {
          accountSid: 'AC0001',
          authToken: 'twilio-test-token',
          smsFrom: '+447700900000',
          whatsappFrom: '+447700900001',
          apiUrl: `http://127.0.0.1:${(twilio.address() as AddressInfo).port}`,
          publicUrl: 'https://office.example.com',
        },
        email: { smtpUrl: smtp.url, from: 'Gavel results <results@gavel.example>' },
      },
    });
  }, 30_000);
  afterAll(async () => {
    await t.close();
    twilio.close();
    await smtp.close();
  });

  it('tells the winner and the underbidders of a closed lot on the channels each chose, once', async () => {
    const bidder = (id: string, extra: Record<string, unknown>) =>
      t.ok('POST', '/bidders', { id, name: id, ...extra });
    // Winner: SMS and email. Underbidder: WhatsApp only. A third: email, but no address on file.
    await bidder('n-win', { phone: '+447700900401', email: 'win@example.com', notify: ['sms', 'email'] });
    await bidder('n-under', { phone: '+447700900402', email: 'under@example.com', notify: ['whatsapp'] });
    await bidder('n-quiet', { phone: '+447700900403', notify: ['email'] });
    await t.ok('POST', '/sales', {
      id: 'n-sale',
      mode: 'timed',
      currency: 'EUR',
      title: 'Notify',
      ...LATER,
      kycFreeLimit: '1000000.00',
      premiumBands: [{ upTo: null, rateBp: 2500 }],
      taxRateBp: 2000,
      closingSoonSeconds: 0,
    });
    await t.ok('POST', '/sales/n-sale/lots', {
      id: 'n-lot',
      lotNumber: 12,
      title: 'Silver Jug',
      opening: '100.00',
      increments: [{ from: '0', step: '10.00' }],
      softCloseSeconds: 0,
      graceMs: 0,
    });
    await t.ok('POST', '/sales/n-sale/publish');
    for (const b of ['n-win', 'n-under', 'n-quiet'])
      await t.ok('POST', '/sales/n-sale/registrations', { bidderId: b, limit: '9000.00', approve: true });
    // The sale's clock starts now that it is set up: the set-up can take seconds on a loaded machine.
    await startSaleNow(t, 'n-sale', 3_000);
    await until('n-lot open', async () =>
      (await t.engine.snapshot('n-lot'))?.status === 'open' ? true : undefined,
    );
    expect((await t.bid('n-lot', 'n-quiet', 10_000)).outcome).toBe('accepted');
    expect((await t.bid('n-lot', 'n-under', 11_000)).outcome).toBe('accepted');
    expect((await t.bid('n-lot', 'n-win', 120_000)).outcome).toBe('accepted');
    // A provider outage when the results go out: retried by the outbox until it takes them.
    failNext = 2;

    await until(
      'the winner’s SMS, the underbidder’s WhatsApp and the email',
      () =>
        twilioCalls.filter((c) => c.form.get('Body')?.includes('Silver Jug') === true).length >= 4 &&
        mails.length >= 1
          ? true
          : undefined,
      15_000,
    );
    // Every notification of the lot delivered and recorded: a repeat could only come from one that is not.
    const outboxDone = async (): Promise<true | undefined> => {
      const [p] = await t.orch.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM outbox_events WHERE payload->>'lotId' = 'n-lot' AND published_at IS NULL`,
      );
      return p!.n === 0 ? true : undefined;
    };
    await until('the outbox delivered every notification of the lot', outboxDone);
    const accepted = twilioCalls.slice(2);
    expect(twilioCalls.slice(0, 2).every((c) => c.path === '/2010-04-01/Accounts/AC0001/Messages.json')).toBe(
      true,
    );
    expect(accepted.map((c) => [c.form.get('From'), c.form.get('To')]).sort()).toEqual(
      [
        ['+447700900000', '+447700900401'],
        ['whatsapp:+447700900001', 'whatsapp:+447700900402'],
      ].sort(),
    );
    expect(accepted[0]!.auth).toBe(`Basic ${Buffer.from('AC0001:twilio-test-token').toString('base64')}`);
    const sms = accepted.find((c) => c.form.get('To') === '+447700900401')!.form.get('Body');
    expect(sms).toBe(
      "Congratulations: you won lot 12 (Silver Jug) at EUR 1,200.00. Buyer's premium EUR 300.00, tax EUR 60.00, total due EUR 1,560.00. The auction house will send payment and collection details.",
    );
    const whatsapp = accepted.find((c) => c.form.get('To') === 'whatsapp:+447700900402')!.form.get('Body');
    expect(whatsapp).toBe(
      'Lot 12 (Silver Jug) sold for EUR 1,200.00 to another bidder. Thank you for bidding.',
    );
    // Email: the winner only (the underbidder chose WhatsApp; the third has no address).
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ to: 'win@example.com', subject: 'You won lot 12 (Silver Jug)' });
    expect(mails[0]!.text).toBe(sms);
    expect(mails[0]!.messageId).toMatch(/^<notification-\d+@gavel\.example>$/);

    // Twilio is asked for receipts, and posts them (signed over the public URL): out of order,
    // a status only moves forward.
    const callback = 'https://office.example.com/notify/twilio/status';
    expect(accepted.map((c) => c.form.get('StatusCallback'))).toEqual([callback, callback]);
    const smsSid = (
      await t.orch.db.query<{ provider_ref: string }>(
        `SELECT provider_ref FROM notification_deliveries WHERE channel = 'sms'`,
      )
    )[0]!.provider_ref;
    const receipt = async (status: string, token = 'twilio-test-token'): Promise<number> => {
      const form = new URLSearchParams({ MessageSid: smsSid, MessageStatus: status, AccountSid: 'AC0001' });
      const res = await fetch(`${t.orch.url!}/notify/twilio/status`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          'X-Twilio-Signature': twilioSignature(token, callback, form),
        },
        body: form.toString(),
      });
      return res.status;
    };
    expect(await receipt('delivered')).toBe(204);
    expect(await receipt('sent')).toBe(204);
    expect(await receipt('delivered', 'someone-else')).toBe(403);
    expect(await receipt('exploded')).toBe(400);

    // The back office sees what each bidder was told, and on which channel.
    const told = (await t.ok('GET', '/bidders/n-win/notifications')).notifications as {
      type: string;
      deliveredAt: string | null;
      channels: {
        channel: string;
        recipient: string;
        providerRef: string | null;
        error: string | null;
        status: string | null;
      }[];
    }[];
    const wonNotice = told.find((x) => x.type === 'lot.won')!;
    expect(wonNotice.deliveredAt).not.toBeNull();
    expect(wonNotice.channels.map((x) => [x.channel, x.recipient, x.error])).toEqual([
      ['email', 'win@example.com', null],
      ['sms', '+447700900401', null],
    ]);
    expect(wonNotice.channels[1]!.providerRef).toMatch(/^SM\d+$/);
    expect(wonNotice.channels[1]!.status).toBe('delivered');
    expect(wonNotice.channels[0]!.status).toBeNull();
    expect((await t.api('GET', '/bidders/nobody/notifications')).status).toBe(404);

    // Delivered is recorded per notification and channel: a repeat of the outbox sends nothing.
    const rows = await t.orch.db.query<{ channel: string; recipient: string; provider_ref: string | null }>(
      'SELECT channel, recipient, provider_ref FROM notification_deliveries ORDER BY channel, recipient',
    );
    expect(rows.map((r) => [r.channel, r.recipient])).toEqual([
      ['email', 'win@example.com'],
      ['sms', '+447700900401'],
      ['whatsapp', '+447700900402'],
    ]);
    const before = [twilioCalls.length, mails.length];
    await t.orch.db.query(
      `UPDATE outbox_events SET published_at = NULL, available_at = now() WHERE payload->>'lotId' = 'n-lot'`,
    );
    // Each is marked delivered only after every channel's send: once marked again, nothing more will go.
    await until('the outbox passed again', outboxDone);
    expect([twilioCalls.length, mails.length]).toEqual(before);
  });

  it('records a message the provider refuses for good instead of retrying it', async () => {
    await t.ok('POST', '/bidders', {
      id: 'n-bad',
      name: 'Bad number',
      phone: '+447700900499',
      notify: ['sms'],
    });
    const [row] = await t.orch.db.query<{ id: string }>(
      `INSERT INTO outbox_events (topic, type, payload, dedupe_key)
       VALUES ('https://gavel.local/bidders/n-bad', 'lot.won', $1, 'n-bad-won') RETURNING id`,
      [
        JSON.stringify({
          bidderId: 'n-bad',
          lotNumber: '3',
          title: 'Bowl',
          currency: 'EUR',
          hammer: 1000,
          premium: 250,
          tax: 50,
          total: 1300,
        }),
      ],
    );
    const delivery = await until('the refusal recorded', async () => {
      const [d] = await t.orch.db.query<{ error: string | null }>(
        'SELECT error FROM notification_deliveries WHERE notification_id = $1',
        [row!.id],
      );
      return d;
    });
    expect(delivery.error).toMatch(/400 \(code 21211\)/);
    // Delivered on the first attempt: the refusal is the notification's final state on that channel.
    const ev = await until('the notification marked delivered', async () => {
      const [e] = await t.orch.db.query<{ published: boolean; attempts: number }>(
        'SELECT published_at IS NOT NULL AS published, attempts FROM outbox_events WHERE id = $1',
        [row!.id],
      );
      return e?.published === true ? e : undefined;
    });
    expect(ev).toEqual({ published: true, attempts: 1 });
    expect(twilioCalls.filter((c) => c.form.get('To') === '+447700900499')).toHaveLength(1);
  });

  it('writes no text for the room’s own updates', () => {
    const n = { id: 1, topic: 't', createdAt: 0, attempts: 0, correlationId: undefined };
    expect(messageFor({ ...n, type: 'lot.extended', payload: {} })).toBeUndefined();
    expect(messageFor({ ...n, type: 'auction.restated', payload: {} })).toBeUndefined();
    expect(
      messageFor({
        ...n,
        type: 'lot.closing_soon',
        payload: { lotNumber: '4', endsAt: '2026-12-01T18:30:00.000Z' },
      }),
    ).toEqual({
      subject: 'Lot 4 closes soon',
      text: 'Lot 4 closes soon (18:30 UTC); late bids extend it.',
    });
    expect(messageFor({ ...n, type: 'lot.lost', payload: { lotNumber: '4', outcome: 'unsold' } })?.text).toBe(
      'Lot 4 did not sell (the reserve was not met). The auction house may contact you.',
    );
  });
});

describe('notifications by WhatsApp through the Cloud API', () => {
  const sends: { path: string; auth: string | undefined; body: { to: string; text: { body: string } } }[] =
    [];
  let graph: Server;
  let sms: Server;
  const texts: URLSearchParams[] = [];
  let t: TestBackOffice;
  beforeAll(async () => {
    sms = createServer((req, res) => {
      void read(req).then((raw) => {
        texts.push(new URLSearchParams(raw));
        res
          .writeHead(201, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ sid: `SMf${texts.length}` }));
      });
    });
    sms.listen(0, '127.0.0.1');
    await once(sms, 'listening');
    graph = createServer((req, res) => {
      void read(req).then((raw) => {
        const body = JSON.parse(raw) as { to: string; text: { body: string } };
        sends.push({ path: req.url ?? '', auth: req.headers.authorization, body });
        res.setHeader('Content-Type', 'application/json');
        // Outside the 24-hour window Meta refuses free text (a template is needed).
        if (body.to === '447700900599')
          res
            .writeHead(400)
            .end(JSON.stringify({ error: { code: 131047, message: 'Re-engagement message' } }));
        else res.writeHead(200).end(JSON.stringify({ messages: [{ id: `wamid.n${sends.length}` }] }));
      });
    });
    graph.listen(0, '127.0.0.1');
    await once(graph, 'listening');
    t = await startTestBackOffice('notify-wa', {
      notify: {
        twilio: {
          accountSid: 'AC0002',
          authToken: 'tok',
          smsFrom: '+447700900000',
          whatsappFrom: undefined,
          apiUrl: `http://127.0.0.1:${(sms.address() as AddressInfo).port}`,
        },
        whatsappCloud: {
          accessToken: 'graph-token',
          phoneNumberId: 'PN9',
          graphUrl: `http://127.0.0.1:${(graph.address() as AddressInfo).port}/v21.0`,
        },
      },
    });
  }, 30_000);
  afterAll(async () => {
    await t.close();
    graph.close();
    sms.close();
  });

  const won = (bidderId: string, key: string) =>
    t.orch.db.query<{ id: string }>(
      `INSERT INTO outbox_events (topic, type, payload, dedupe_key)
       VALUES ($1, 'lot.won', $2, $3) RETURNING id`,
      [
        `https://gavel.local/bidders/${bidderId}`,
        JSON.stringify({
          bidderId,
          lotNumber: '5',
          title: 'Clock',
          currency: 'EUR',
          hammer: 500_000,
          premium: 125_000,
          tax: 25_000,
          total: 650_000,
        }),
        key,
      ],
    );

  it('sends from the business number; refused outside the session window, the message goes by SMS', async () => {
    await t.ok('POST', '/bidders', { id: 'wa-ok', name: 'Ok', phone: '+447700900501', notify: ['whatsapp'] });
    await t.ok('POST', '/bidders', {
      id: 'wa-late',
      name: 'Late',
      phone: '+447700900599',
      notify: ['whatsapp'],
    });
    const [ok] = await won('wa-ok', 'wa-ok-won');
    const [late] = await won('wa-late', 'wa-late-won');
    const rows = await until('both recorded, and the fallback', async () => {
      const r = await t.orch.db.query<{
        notification_id: string;
        channel: string;
        provider_ref: string | null;
        error: string | null;
      }>(
        `SELECT notification_id, channel, provider_ref, error FROM notification_deliveries ORDER BY notification_id, channel`,
      );
      return r.length === 3 ? r : undefined;
    });
    expect(sends.map((x) => [x.path, x.auth, x.body.to])).toEqual([
      ['/v21.0/PN9/messages', 'Bearer graph-token', '447700900501'],
      ['/v21.0/PN9/messages', 'Bearer graph-token', '447700900599'],
    ]);
    expect(sends[0]!.body.text.body).toMatch(/^Congratulations: you won lot 5 \(Clock\) at EUR 5,000\.00\./);
    expect(rows.map((r) => [r.notification_id, r.channel, r.provider_ref])).toEqual([
      [ok!.id, 'whatsapp', 'wamid.n1'],
      [late!.id, 'sms', 'SMf1'],
      [late!.id, 'whatsapp', null],
    ]);
    expect(rows[2]!.error).toMatch(/400 \(code 131047\)/);
    // The SMS: to the same number, the same text; the bidder who got the WhatsApp gets no SMS.
    expect(texts.map((f) => [f.get('To'), f.get('Body')])).toEqual([
      ['+447700900599', sends[1]!.body.text.body],
    ]);
  });
});
