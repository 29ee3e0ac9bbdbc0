import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticCatalogue } from '../../common/catalogue.ts';
import { RedisBidderDirectory } from '../../common/directory.ts';
import { createLogger } from '../../common/logger.ts';
import type { RunningHub } from '../../hub/index.ts';
import { timedSetup } from '../../test/support/bidding.ts';
import { startTestHub } from '../../test/support/hub.ts';
import { redisNamespace } from '../../test/support/redis-namespace.ts';
import { connectSse } from '../../test/support/sse-client.ts';
import { gatewayConfigFromEnv, type GatewayConfig } from '../config.ts';
import { startGateway, type RunningGateway } from '../server.ts';
import { twilioSignature } from '../../common/twilio.ts';
import { whatsappSignature } from './whatsapp-cloud.ts';
import { isBidRecord, type RecordedBid } from '../../bidding/index.ts';
import { LedgerWriter, migrate, RedisDecisionSource, type Database } from '../../orchestrator/ledger.ts';
import { postgresSchema } from '../../test/support/postgres.ts';

/**
 * Bids by SMS and WhatsApp through Twilio's webhook, in the distributed topology (real Redis, a
 * hub on the Redis transport, real HTTP and SSE): the same engine and the same decision as an API
 * bid, exactly one effect per provider message, and a reply for every signed message.
 */
const AUTH_TOKEN = randomBytes(16).toString('hex');
const ALICE = '+447700900201';
const BOB = '+447700900202';
const CAROL = '+447700900203';
const DAVE = '+447700900204';

describe('bids by text message (Twilio webhook)', () => {
  const ns = redisNamespace('messaging');
  const run = randomUUID().slice(0, 6);
  const lotA = `sms-a-${run}`;
  const lotB = `sms-b-${run}`;
  const lotC = `sms-c-${run}`;
  const lotD = `sms-d-${run}`;
  const lotE = `sms-e-${run}`;
  let hub: RunningHub;
  let g: RunningGateway;
  const started: RunningGateway[] = [];

  const start = async (overrides: Partial<GatewayConfig> = {}): Promise<RunningGateway> => {
    const publisherKey = randomBytes(32).toString('hex');
    const gateway = await startGateway(
      {
        ...gatewayConfigFromEnv({}),
        mode: 'distributed',
        host: '127.0.0.1',
        port: 0,
        demo: false,
        redisUrl: 'redis://127.0.0.1:6379',
        redisPrefix: ns.prefix,
        hubUrl: `${hub.url}/.well-known/mercure`,
        hubPublishUrl: `redis://127.0.0.1:6379?prefix=${encodeURIComponent(`${ns.prefix}:{hub}`)}`,
        publisherKey,
        userJwtKey: randomBytes(32).toString('hex'),
        twilioAuthToken: AUTH_TOKEN,
        // Texted bids up to 10,000.00 are decided at once; above, the sender confirms with a code.
        smsConfirmAbove: new Map([
          ['EUR', 1_000_000],
          ['GBP', 1_000_000],
        ]),
        ...overrides,
      },
      createLogger('gavel', (process.env.TEST_LOG_LEVEL ?? 'silent') as 'silent'),
      {
        clients: false,
        // Lot 7 is in both sales; lot 8 only in the first.
        catalogue: staticCatalogue([
          {
            id: 'sms-sale-1',
            title: 'One',
            mode: 'timed',
            currency: 'EUR',
            lots: [
              { id: lotA, lotNumber: '7', title: 'A', description: '', estimateLow: '', estimateHigh: '' },
              { id: lotC, lotNumber: '8', title: 'C', description: '', estimateLow: '', estimateHigh: '' },
              { id: lotD, lotNumber: '9', title: 'D', description: '', estimateLow: '', estimateHigh: '' },
              { id: lotE, lotNumber: '10', title: 'E', description: '', estimateLow: '', estimateHigh: '' },
            ],
          },
          {
            id: 'sms-sale-2',
            title: 'Two',
            mode: 'timed',
            currency: 'GBP',
            lots: [
              { id: lotB, lotNumber: '7', title: 'B', description: '', estimateLow: '', estimateHigh: '' },
            ],
          },
        ]),
      },
    );
    started.push(gateway);
    return gateway;
  };

  beforeAll(async () => {
    hub = await startTestHub({
      transportUrl: `redis://127.0.0.1:6379?prefix=${encodeURIComponent(`${ns.prefix}:{hub}`)}`,
    });
    g = await start();
    const now = Date.now();
    await g.store!.configure(timedSetup(lotA, now, { saleId: 'sms-sale-1' }));
    await g.store!.configure(timedSetup(lotB, now, { saleId: 'sms-sale-2', currency: 'GBP' }));
    await g.store!.configure(timedSetup(lotC, now, { saleId: 'sms-sale-1' }));
    await g.store!.configure(timedSetup(lotD, now, { saleId: 'sms-sale-1' }));
    await g.store!.configure(timedSetup(lotE, now, { saleId: 'sms-sale-1' }));
    for (const lot of [lotA, lotB, lotC, lotD, lotE])
      for (const b of ['alice', 'bob', 'carol']) await g.store!.setEligibility(lot, b, 10_000_000);
    // What the back office writes from its bidders' contact details.
    const directory = new RedisBidderDirectory(ns.connect(), ns.prefix);
    await directory.setPhone('alice', ALICE);
    await directory.setPhone('bob', BOB);
    await directory.setPhone('carol', CAROL);
  });
  afterAll(async () => {
    for (const s of started) await s.close();
    await hub.close();
    await ns.cleanup();
  });

  /** A webhook as Twilio sends it: form-encoded, signed over the URL and the sorted parameters. */
  const webhook = async (
    gateway: RunningGateway,
    fields: Record<string, string>,
    opts: { signWith?: string; signedUrl?: string; contentType?: string; signature?: string } = {},
  ): Promise<{ status: number; type: string; text: string }> => {
    const url = `${gateway.url}/v1/messaging/twilio`;
    const form = new URLSearchParams({ AccountSid: 'AC123', To: '+447700900999', ...fields });
    const signature =
      opts.signature ?? twilioSignature(opts.signWith ?? AUTH_TOKEN, opts.signedUrl ?? url, form);
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'Content-Type': opts.contentType ?? 'application/x-www-form-urlencoded',
        'X-Twilio-Signature': signature,
      },
      body: form.toString(),
    });
    return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
  };
  /** The reply text the sender gets, out of the TwiML. */
  const sms = async (
    from: string,
    body: string,
    sid = `SM${randomUUID().replace(/-/g, '')}`,
  ): Promise<string> => {
    const res = await webhook(g, { MessageSid: sid, From: from, Body: body });
    expect(res.status, res.text).toBe(200);
    expect(res.type).toMatch(/^text\/xml/);
    const m = /<Message>([\s\S]*)<\/Message>/.exec(res.text);
    expect(m, res.text).not.toBeNull();
    return m![1]!.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
  };

  it('decides a texted bid in the same engine, pushes it to the room, and answers the sender', async () => {
    const sse = await connectSse(
      `${hub.url}/.well-known/mercure?topic=${encodeURIComponent(`https://gavel.local/auctions/${lotC}`)}`,
    );
    const sid = `SM${randomUUID().replace(/-/g, '')}`;
    expect(await sms(ALICE, '#8 100.00', sid)).toBe(
      'Lot 8: bid accepted, you lead at EUR 100.00. Next bid EUR 150.00.',
    );
    const [ev] = await sse.waitFor(1);
    expect(JSON.parse(ev!.data)).toMatchObject({ auctionId: lotC, price: '100.00', seq: 1 });
    // The provider delivers the same message again: the same answer, and no second decision.
    expect(await sms(ALICE, '#8 100.00', sid)).toBe(
      'Lot 8: bid accepted, you lead at EUR 100.00. Next bid EUR 150.00.',
    );
    // By WhatsApp, the other formats, a confidential maximum.
    expect(await sms(`whatsapp:${BOB}`, 'BID €200 for lot 8 max 500')).toBe(
      'Lot 8: bid accepted, you lead at EUR 200.00. Next bid EUR 250.00. Your maximum of EUR 500.00 stays confidential.',
    );
    // Alice is answered by Bob's maximum at once: she is told the price and what to bid.
    expect(await sms(ALICE, 'bid 8 EUR 250')).toMatch(
      /^Lot 8: a higher maximum was already standing; the price is now 300\.00 EUR, bid at least 350\.00 EUR\.$/,
    );
    const events = await g.engine.decisions(lotC);
    expect(
      events.map((e) => (e.type === 'bid' ? [e.decision.seq, e.source, e.decision.outcome] : [])),
    ).toEqual([
      [1, 'sms', 'accepted'],
      [2, 'whatsapp', 'accepted'],
      [3, 'sms', 'rejected'],
    ]);
    // The provider's message id is the correlation id of the ledger row.
    expect(events[0]).toMatchObject({ correlationId: `twilio:${sid}` });
    sse.close();
  });

  it('tells the sender what is wrong with a message, and decides nothing', async () => {
    expect(await sms('+447700900299', '#8 1000')).toMatch(/not registered for bidding/);
    expect(await sms('not-a-number', '#8 1000')).toMatch(/not registered for bidding/);
    expect(await sms(CAROL, 'how much is lot 8?')).toMatch(/could not read a bid.*"#102 2500"/);
    expect(await sms(CAROL, '')).toMatch(/could not read a bid/);
    expect(await sms(CAROL, '#8 EUR 100 GBP')).toMatch(/names two currencies/);
    expect(await sms(CAROL, '#99 1000')).toMatch(/^There is no lot "99" open for bids/);
    expect(await sms(CAROL, '#7 1000')).toBe(
      `Lot 7 is in more than one sale: send its code instead (${lotA} or ${lotB}).`,
    );
    expect(await sms(CAROL, '#8 1000.001')).toBe('Lot 8: amount has 3 decimal places; EUR allows at most 2.');
    expect(await sms(CAROL, '#8 £1000')).toBe('Lot 8: bids on this lot are in EUR.');
    expect(await sms(CAROL, '#8 1000 max 900')).toBe('Lot 8: the maximum must be at least the bid.');
    expect(await sms(CAROL, '#8 0')).toBe('Lot 8: the bid must be more than zero.');
    // A lot's code names it in one sale; its currency is that sale's.
    expect(await sms(CAROL, `#${lotB} £1,000`)).toBe(
      'Lot 7: bid accepted, you lead at GBP 1,000.00. Next bid GBP 1,100.00.',
    );
    expect((await g.engine.decisions(lotA)).length).toBe(0);
  });

  it('holds the per-bidder rate limit of the API for texted bids too', async () => {
    // 20 at once: at most 10 fit the limit (5/s and a burst of 10), 15 if a second turns meanwhile.
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) => sms(CAROL, `#${lotA} ${1000 + i * 100}`)),
    );
    const limited = replies.filter((r) => r.startsWith('Too many bids in a short time')).length;
    expect(limited).toBeGreaterThanOrEqual(5);
    expect(replies.filter((r) => r.startsWith('Lot 7: ')).length).toBe(20 - limited);
    expect(replies.some((r) => r.startsWith('Lot 7: bid accepted'))).toBe(true);
  });

  describe('confirmation above the threshold (SMS_CONFIRM_ABOVE)', () => {
    const pg = postgresSchema('sms_confirm');
    let db: Database;
    beforeAll(async () => {
      await pg.create();
      db = pg.open(2);
      await migrate(db);
      // Dave bids only here (the others' rate limits are spent by the tests above).
      await g.store!.setEligibility(lotE, 'dave', 10_000_000);
      await new RedisBidderDirectory(ns.connect(), ns.prefix).setPhone('dave', DAVE);
    }, 60_000);
    afterAll(() => pg.cleanup());

    const sid = (): string => `SM${randomUUID().replace(/-/g, '')}`;
    const bidsOn = async (): Promise<RecordedBid[]> => (await g.engine.decisions(lotE)).filter(isBidRecord);
    const ASK =
      /^Reply YES (\d{6}) within 5 minutes to bid EUR 25,000\.00 on lot 10\. Not your bid\? Ignore this message: nothing is bid without the code\.$/;

    it('decides a bid up to the threshold at once, on caller ID', async () => {
      const bidSid = sid();
      expect(await sms(ALICE, '#10 5000', bidSid)).toBe(
        'Lot 10: bid accepted, you lead at EUR 5,000.00. Next bid EUR 5,250.00.',
      );
      expect((await bidsOn()).map((e) => [e.correlationId, e.assurance, e.decision.outcome])).toEqual([
        [`twilio:${bidSid}`, 'caller_id', 'accepted'],
      ]);
    });

    it('asks above it for a code, refuses wrong codes and other numbers, and places the bid once on the right one', async () => {
      const before = (await bidsOn()).length;
      const bidSid = sid();
      const ask = await sms(BOB, '#10 25000', bidSid);
      expect(ask).toMatch(ASK);
      const code = ASK.exec(ask)![1]!;
      // Nothing is bid yet; the provider's repeat of the bid message is asked the same.
      expect(await sms(BOB, '#10 25000', bidSid)).toBe(ask);
      expect(await bidsOn()).toHaveLength(before);

      const wrong = code === '000000' ? '000001' : '000000';
      expect(await sms(BOB, `YES ${wrong}`)).toBe(
        'That code does not match a bid waiting for confirmation from this number (4 tries left).',
      );
      // The code from another number (Carol's, registered; an unregistered one): nothing placed.
      expect(await sms(CAROL, `YES ${code}`)).toBe(
        'There is no bid waiting for confirmation from this number.',
      );
      expect(await sms('+447700900299', `YES ${code}`)).toMatch(/not registered for bidding/);
      expect(await sms(BOB, 'YES')).toMatch(/reply YES and the code we sent/);
      expect(await bidsOn()).toHaveLength(before);

      const yesSid = sid();
      const placed = await sms(BOB, ` yes ${code} `, yesSid);
      expect(placed).toBe('Lot 10: bid accepted, you lead at EUR 25,000.00. Next bid EUR 25,250.00.');
      // Repeated: the provider's redelivery, a second YES, the bid message again — one bid, one answer.
      expect(await sms(BOB, ` yes ${code} `, yesSid)).toBe(placed);
      expect(await sms(BOB, `YES ${code}`)).toBe(placed);
      expect(await sms(BOB, '#10 25000', bidSid)).toBe(placed);
      const after = (await bidsOn()).slice(before);
      expect(
        after.map((e) => [e.correlationId, e.idempotencyKey, e.source, e.assurance, e.decision.amount]),
      ).toEqual([[`twilio:${bidSid}`, `twilio:${bidSid}`, 'sms', 'confirmed', 2_500_000]]);
    });

    it('counts a maximum above the threshold, and confirms by WhatsApp too', async () => {
      const before = (await bidsOn()).length;
      const ask = await sms(`whatsapp:${DAVE}`, '#10 25250 max 40000');
      expect(ask).toMatch(
        /^Reply YES (\d{6}) within 5 minutes to bid EUR 25,250\.00 \(maximum EUR 40,000\.00\) on lot 10\./,
      );
      const code = /YES (\d{6})/.exec(ask)![1]!;
      expect(await sms(`whatsapp:${DAVE}`, `YES ${code}`)).toBe(
        'Lot 10: bid accepted, you lead at EUR 25,250.00. Next bid EUR 25,500.00. Your maximum of EUR 40,000.00 stays confidential.',
      );
      expect((await bidsOn()).slice(before).map((e) => [e.source, e.assurance, e.max])).toEqual([
        ['whatsapp', 'confirmed', 4_000_000],
      ]);
    });

    it('refuses a code once its window has passed', async () => {
      const quick = await start({ smsConfirmWindowMs: 1_000 });
      const before = (await bidsOn()).length;
      const bidSid = sid();
      const send = async (body: string, messageSid = sid()): Promise<string> => {
        const res = await webhook(quick, { MessageSid: messageSid, From: ALICE, Body: body });
        return /<Message>([\s\S]*)<\/Message>/.exec(res.text)![1]!;
      };
      const ask = await send('#10 50000', bidSid);
      const code = /YES (\d{6}) within 1 seconds/.exec(ask)![1]!;
      await new Promise((r) => setTimeout(r, 1_500));
      expect(await send(`YES ${code}`)).toBe('That code has expired. Send your bid again for a new code.');
      expect(await send('#10 50000', bidSid)).toBe(
        'Lot 10: the time to confirm this bid has passed. Send the bid again for a new code.',
      );
      expect(await bidsOn()).toHaveLength(before);
    });

    it('shows each bid’s assurance on its ledger row (PostgreSQL)', async () => {
      const alice = await g.tokens.sign({ id: 'alice', role: 'bidder', name: 'Alice' });
      const api = await fetch(`${g.url}/v1/auctions/${lotE}/bids`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${alice}`,
          'Content-Type': 'application/json',
          'Idempotency-Key': randomUUID(),
        },
        body: JSON.stringify({ amount: '41000.00' }),
      });
      expect(api.status).toBe(201);
      const writer = new LedgerWriter({
        db,
        source: new RedisDecisionSource({ redis: ns.connect(), prefix: ns.prefix }),
      });
      await writer.runOnce();
      const rows = await db.query<{ seq: string; source: string; assurance: string | null; outcome: string }>(
        'SELECT seq::text, source, assurance, outcome FROM bids WHERE auction_id = $1 ORDER BY seq',
        [lotE],
      );
      expect(rows.map((r) => [r.source, r.assurance, r.outcome])).toEqual([
        ['sms', 'caller_id', 'accepted'],
        ['sms', 'confirmed', 'accepted'],
        ['whatsapp', 'confirmed', 'accepted'],
        ['api', 'session', 'accepted'],
      ]);
    }, 30_000);
  });

  it('refuses requests the provider did not sign, or that are not its webhook', async () => {
    const fields = { MessageSid: 'SMx', From: ALICE, Body: '#8 5000' };
    const refusal = (res: { status: number; text: string }, status: number, code: string): void => {
      expect(res.status, res.text).toBe(status);
      expect((JSON.parse(res.text) as { error: { code: string } }).error.code).toBe(code);
    };
    refusal(await webhook(g, fields, { signWith: 'another-token' }), 403, 'BAD_SIGNATURE');
    refusal(await webhook(g, fields, { signature: '' }), 403, 'BAD_SIGNATURE');
    refusal(await webhook(g, fields, { contentType: 'application/json' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    refusal(await webhook(g, { MessageSid: 'SMy', From: ALICE }), 400, 'VALIDATION_FAILED');
    // None of them reached the engine.
    expect(
      (await g.engine.decisions(lotC)).every((e) => e.type !== 'bid' || e.decision.amount !== 500_000),
    ).toBe(true);

    const disabled = await start({ twilioAuthToken: undefined });
    refusal(await webhook(disabled, fields), 503, 'MESSAGING_DISABLED');

    // Behind a proxy the provider signs the public URL, not the one the gateway sees.
    const proxied = await start({ messagingPublicUrl: 'https://bids.example.com' });
    const publicUrl = 'https://bids.example.com/v1/messaging/twilio';
    refusal(await webhook(proxied, fields), 403, 'BAD_SIGNATURE');
    const ok = await webhook(proxied, { ...fields, Body: 'hello' }, { signedUrl: publicUrl });
    expect([ok.status, ok.text]).toEqual([200, expect.stringContaining('could not read a bid')]);
  });

  describe('WhatsApp Cloud API webhook', () => {
    const APP_SECRET = randomBytes(16).toString('hex');
    const VERIFY = 'verify-me';
    const sends: { path: string; auth: string | undefined; body: Record<string, unknown> }[] = [];
    let graph: Server;
    let w: RunningGateway;
    beforeAll(async () => {
      graph = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
          sends.push({ path: req.url ?? '', auth: req.headers.authorization, body });
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ messages: [{ id: `wamid.out${sends.length}` }] }));
        });
      });
      graph.listen(0, '127.0.0.1');
      await once(graph, 'listening');
      w = await start({
        whatsapp: {
          appSecret: APP_SECRET,
          verifyToken: VERIFY,
          accessToken: 'graph-token',
          graphUrl: `http://127.0.0.1:${(graph.address() as AddressInfo).port}/v21.0`,
        },
      });
    });
    afterAll(() => {
      graph.close();
    });

    const deliver = async (
      payload: unknown,
      signature?: string,
    ): Promise<{ status: number; body: unknown }> => {
      const raw = JSON.stringify(payload);
      const res = await fetch(`${w.url}/v1/messaging/whatsapp`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'X-Hub-Signature-256': signature ?? whatsappSignature(APP_SECRET, raw),
        },
        body: raw,
      });
      return { status: res.status, body: await res.json() };
    };
    const delivery = (messages: unknown[], statuses: unknown[] = []) => ({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: 'WABA1',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '447700900999', phone_number_id: 'PN1' },
                messages,
                statuses,
              },
            },
          ],
        },
      ],
    });

    it('answers the subscription handshake only with our verify token', async () => {
      const ok = await fetch(
        `${w.url}/v1/messaging/whatsapp?hub.mode=subscribe&hub.verify_token=${VERIFY}&hub.challenge=1158201444`,
      );
      expect([ok.status, await ok.text()]).toEqual([200, '1158201444']);
      const wrong = await fetch(
        `${w.url}/v1/messaging/whatsapp?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1`,
      );
      expect(wrong.status).toBe(403);
      expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe('BAD_VERIFY_TOKEN');
    });

    it('decides each texted bid of a delivery once and replies to each message through the API', async () => {
      const lot = lotD;
      const bid = {
        from: BOB.slice(1),
        id: `wamid.${randomUUID()}`,
        timestamp: '1',
        type: 'text',
        text: { body: '#9 500' },
      };
      const photo = {
        from: BOB.slice(1),
        id: `wamid.${randomUUID()}`,
        timestamp: '1',
        type: 'image',
        image: { id: 'm1' },
      };
      const first = await deliver(delivery([bid, photo]));
      expect(first).toEqual({ status: 200, body: { received: 2 } });
      expect(
        sends.map((x) => [x.path, x.auth, x.body.to, (x.body.context as { message_id: string }).message_id]),
      ).toEqual([
        ['/v21.0/PN1/messages', 'Bearer graph-token', BOB.slice(1), bid.id],
        ['/v21.0/PN1/messages', 'Bearer graph-token', BOB.slice(1), photo.id],
      ]);
      expect((sends[0]!.body.text as { body: string }).body).toBe(
        'Lot 9: bid accepted, you lead at EUR 500.00. Next bid EUR 550.00.',
      );
      expect((sends[1]!.body.text as { body: string }).body).toMatch(/send your bid as a text message/);
      // Meta delivers the same message again: no second decision.
      expect((await deliver(delivery([bid]))).status).toBe(200);
      const events = await g.engine.decisions(lot);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ source: 'whatsapp', correlationId: `whatsapp-cloud:${bid.id}` });
      // Delivery receipts carry no message: nothing decided, nothing sent.
      const before = sends.length;
      expect(await deliver(delivery([], [{ id: 'wamid.out1', status: 'delivered' }]))).toEqual({
        status: 200,
        body: { received: 0 },
      });
      expect(sends.length).toBe(before);
    });

    it('refuses an unsigned delivery, a body that is not one, and a half configuration', async () => {
      expect((await deliver(delivery([]), 'sha256=00')).status).toBe(403);
      const notOurs = await deliver({ object: 'page', entry: [] });
      expect(notOurs.status).toBe(400);
      expect((notOurs.body as { error: { code: string } }).error.code).toBe('VALIDATION_FAILED');
      const off = await fetch(`${g.url}/v1/messaging/whatsapp?hub.mode=subscribe`);
      expect(off.status).toBe(503);
      expect(() => gatewayConfigFromEnv({ WHATSAPP_APP_SECRET: 's' })).toThrow(
        /WHATSAPP_VERIFY_TOKEN, WHATSAPP_ACCESS_TOKEN/,
      );
    });
  });
});
