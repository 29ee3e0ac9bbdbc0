import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminBuilders } from '../../test/support/builders.ts';
import {
  startSaleNow,
  startTestBackOffice,
  until,
  type TestBackOffice,
} from '../../test/support/orchestrator.ts';
import { startTestSmtp } from '../../test/support/smtp.ts';
import { REFUSED_NUMBER, startFakeTwilio, type FakeTwilio } from '../../test/support/twilio.ts';

/**
 * The back office's own metrics on a running orchestrator (real PostgreSQL, Redis, HTTP): a timed
 * lot opened and closed by the sale clock and finalised, its results sent by SMS, WhatsApp and email
 * through local stand-ins (a fake Twilio API that fails once and refuses one number, a real SMTP
 * sink) — then `/metrics` shows the clock's lateness, the finaliser's delay and each message
 * counted by channel and outcome.
 */

/** The value of one sample of the Prometheus text format, or undefined when there is none. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-z_:][a-z0-9_:]*)(?:\{(.*)\})? (\S+)$/i.exec(line);
    if (m?.[1] !== name) continue;
    const got = Object.fromEntries(
      [...(m[2] ?? '').matchAll(/([a-z_][a-z0-9_]*)="([^"]*)"/gi)].map((l) => [l[1]!, l[2]!]),
    );
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return undefined;
}

describe('the back office metrics', () => {
  let twilio: FakeTwilio;
  let smtp: Awaited<ReturnType<typeof startTestSmtp>>;
  let t: TestBackOffice;

  beforeAll(async () => {
    twilio = await startFakeTwilio();
    smtp = await startTestSmtp();
    t = await startTestBackOffice('metrics', {
      notify: {
        twilio: {
          accountSid: 'AC0002',
          authToken: 'twilio-test-token',
          smsFrom: '+447700900000',
          whatsappFrom: '+447700900001',
          apiUrl: twilio.url,
          publicUrl: undefined,
        },
        email: { smtpUrl: smtp.url, from: 'Gavel results <results@gavel.example>' },
      },
    });
  }, 60_000);
  afterAll(async () => {
    await t.close();
    await twilio.close();
    await smtp.close();
  });

  const scrape = async (): Promise<string> => {
    const res = await fetch(`${t.orch.url!}/metrics`);
    expect(res.status).toBe(200);
    return res.text();
  };

  it('count the clock’s lateness, the finalisation and every message by channel and outcome', async () => {
    const before = await scrape();
    // Every channel's series is there from the start, at zero; no transition observed yet.
    for (const channel of ['sms', 'whatsapp', 'email', 'push'])
      for (const outcome of ['sent', 'failed'])
        expect(
          sample(before, 'gavel_notifications_total', { channel, outcome }),
          `${channel} ${outcome}`,
        ).toBe(0);
    expect(sample(before, 'gavel_lifecycle_drift_seconds_count', { transition: 'close' })).toBeUndefined();

    const bidder = (id: string, extra: Record<string, unknown>) =>
      t.ok('POST', '/bidders', { id, name: id, ...extra });
    // The winner by SMS and email, an underbidder by WhatsApp, another by SMS to a number Twilio refuses.
    await bidder('m-win', { phone: '+447700900501', email: 'win@example.com', notify: ['sms', 'email'] });
    await bidder('m-wa', { phone: '+447700900502', notify: ['whatsapp'] });
    await bidder('m-bad', { phone: REFUSED_NUMBER, notify: ['sms'] });
    await adminBuilders((m, p, b) => t.ok(m, p, b)).setUp({
      sale: { id: 'm-sale', kycFreeLimit: '1000000.00', closingSoonSeconds: 0 },
      lots: [{ id: 'm-lot', softCloseSeconds: 0, graceMs: 0 }],
      publish: true,
      register: ['m-win', 'm-wa', 'm-bad'],
      registration: { limit: '9000.00' },
    });
    // The start is set 1 s in the past: the opening is due from this change, not from that start.
    const changedAt = Date.now();
    await startSaleNow(t, 'm-sale', 3_000);
    const seenOpenAt = await until(
      'm-sale open',
      async () => {
        const [r] = await t.orch.db.query<{ status: string }>('SELECT status FROM sales WHERE id = $1', [
          'm-sale',
        ]);
        return r?.status === 'open' ? Date.now() : undefined;
      },
      30_000,
    );
    expect((await t.bid('m-lot', 'm-bad', 10_000)).outcome).toBe('accepted');
    expect((await t.bid('m-lot', 'm-wa', 11_000)).outcome).toBe('accepted');
    expect((await t.bid('m-lot', 'm-win', 120_000)).outcome).toBe('accepted');
    const endsAt = (await t.engine.snapshot('m-lot'))!.endsAt;
    // The first message of the results (the winner's SMS) meets a provider outage: failed, then retried.
    twilio.failNext = 1;

    // Closed by the clock: the moment this test sees it is after the close itself.
    const seenClosedAt = await until(
      'm-lot closed',
      async () => {
        const [r] = await t.orch.db.query<{ status: string }>('SELECT status FROM lots WHERE id = $1', [
          'm-lot',
        ]);
        return r?.status !== 'open' && r?.status !== 'scheduled' ? Date.now() : undefined;
      },
      30_000,
    );
    await until(
      'm-lot finalised and every notification of it delivered',
      async () => {
        const [r] = await t.orch.db.query<{ finalised: boolean; pending: number }>(
          `SELECT (SELECT finalised_at IS NOT NULL FROM lots WHERE id = 'm-lot') AS finalised,
                  (SELECT count(*)::int FROM outbox_events
                    WHERE payload->>'lotId' = 'm-lot' AND published_at IS NULL) AS pending`,
        );
        return r?.finalised === true && r.pending === 0 ? true : undefined;
      },
      60_000,
    );

    const after = await scrape();
    // The clock: the sale opened once (late by no more than the test waited for it), the lot closed once — late by at most what this test saw
    // beyond the end plus the clock's 1 s skew margin (grace 0), so the margin is not counted as late.
    expect(sample(after, 'gavel_lifecycle_drift_seconds_count', { transition: 'open' })).toBe(1);
    expect(sample(after, 'gavel_lifecycle_drift_seconds_sum', { transition: 'open' })).toBeLessThanOrEqual(
      (seenOpenAt - changedAt) / 1000 + 0.01,
    );
    expect(sample(after, 'gavel_lifecycle_drift_seconds_count', { transition: 'close' })).toBe(1);
    const closeDrift = sample(after, 'gavel_lifecycle_drift_seconds_sum', { transition: 'close' })!;
    expect(closeDrift).toBeGreaterThanOrEqual(0);
    expect(closeDrift).toBeLessThanOrEqual((seenClosedAt - endsAt - 1_000) / 1000 + 0.01);
    expect(sample(after, 'gavel_lifecycle_drift_seconds_bucket', { transition: 'close', le: '+Inf' })).toBe(
      1,
    );
    // The finaliser: one timed lot, from its close to its result; none live.
    expect(sample(after, 'gavel_finalisation_seconds_count', { mode: 'timed' })).toBe(1);
    expect(sample(after, 'gavel_finalisation_seconds_sum', { mode: 'timed' })).toBeGreaterThanOrEqual(0);
    expect(sample(after, 'gavel_finalisation_seconds_count', { mode: 'live' })).toBeUndefined();

    // The messages: the winner's SMS failed once (503) then went, its email went; the WhatsApp went;
    // the SMS to the refused number failed for good (400, not retried).
    const counts = Object.fromEntries(
      ['sms', 'whatsapp', 'email', 'push'].flatMap((channel) =>
        ['sent', 'failed'].map((outcome) => [
          `${channel} ${outcome}`,
          sample(after, 'gavel_notifications_total', { channel, outcome }),
        ]),
      ),
    );
    expect(counts).toEqual({
      'sms sent': 1,
      'sms failed': 2,
      'whatsapp sent': 1,
      'whatsapp failed': 0,
      'email sent': 1,
      'email failed': 0,
      'push sent': 0,
      'push failed': 0,
    });
    // What the stand-ins saw agrees: three Twilio calls to the winner and the refused number, one mail.
    expect(twilio.calls.map((c) => c.form.get('To')).sort()).toEqual(
      ['+447700900501', '+447700900501', REFUSED_NUMBER, 'whatsapp:+447700900502'].sort(),
    );
    expect(smtp.mails.map((m) => m.to)).toEqual(['win@example.com']);
  }, 120_000);
});
