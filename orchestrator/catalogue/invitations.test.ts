/**
 * Invite-only sales in the back office, on PGlite in memory (unit tier): the sale's visibility, the
 * invitations API (validation, deduplication, audit, the mail and its hashed token), who sees the
 * sale in the catalogue, accepting a link once, revoking, and the engine's private flag.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../common/logger.ts';
import { topics } from '../../common/topics.ts';
import { inProcessAdmin, type InProcessAdmin } from '../admin/test-kit.ts';
import { DevMailbox } from '../notify/dev-mailbox.ts';
import { backOfficeCatalogue, catalogueApi } from './api.ts';
import { InvitationService, normaliseInvitees } from './invitations.ts';
import { invitedOnlyTopicSql, isInvited } from './visibility.ts';

let a: InProcessAdmin;
const mailbox = new DevMailbox();
beforeAll(async () => {
  a = await inProcessAdmin({ mail: mailbox });
}, 120_000);
afterAll(() => a?.close());

const staff = { id: 'clerk', role: 'auctioneer' } as const;
const anonymous = undefined;

/** An account as sign-up makes it (the id is what the bidder's tokens carry). */
async function account(id: string, email: string): Promise<{ id: string; role: 'bidder' }> {
  await a.db.query(`INSERT INTO accounts (id, kind, email, name) VALUES ($1, 'bidder', $2, $3)`, [
    id,
    email,
    id,
  ]);
  return { id, role: 'bidder' };
}

/** The token of the newest invitation link mailed to `to`. */
function linkTokenFor(to: string): string {
  const mail = mailbox.list().find((m) => m.to.toLowerCase() === to.toLowerCase());
  const token = /\/invite\/([A-Za-z0-9_-]{43})/.exec(mail?.text ?? '')?.[1];
  if (token === undefined) throw new Error(`no invitation mailed to ${to}`);
  return token;
}

describe("a sale's visibility", () => {
  it('is public by default, takes invite_only, and refuses anything else naming the field', async () => {
    const plain = await a.ok('POST', '/sales', {
      id: 'v-pub',
      mode: 'timed',
      currency: 'EUR',
      title: 't',
      startsAt: new Date().toISOString(),
    });
    expect((plain.sale as { visibility: string }).visibility).toBe('public');
    const bad = await a.api('POST', '/sales', {
      id: 'v-bad',
      mode: 'timed',
      currency: 'EUR',
      title: 't',
      startsAt: new Date().toISOString(),
      visibility: 'secret',
    });
    expect([bad.status, bad.body.error?.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(bad.body.error?.message).toMatch(/^visibility: /);
    expect((await a.api('GET', '/sales/v-bad')).status).toBe(404);
  });

  it('changes while a draft, and not once published (NOT_DRAFT, naming the field)', async () => {
    await a.build.setUp({ sale: { id: 'v-draft' }, lots: [{ id: 'v-draft-1' }] });
    const made = await a.ok('PATCH', '/sales/v-draft', { visibility: 'invite_only' });
    expect((made.sale as { visibility: string }).visibility).toBe('invite_only');
    await a.build.publish('v-draft');
    const refused = await a.api('PATCH', '/sales/v-draft', { visibility: 'public' });
    expect([refused.status, refused.body.error?.code]).toEqual([409, 'NOT_DRAFT']);
    expect(refused.body.error?.details).toEqual({ field: 'visibility' });
    // The same value is no change: allowed with the rest of a patch.
    expect((await a.api('PATCH', '/sales/v-draft', { visibility: 'invite_only', title: 'T' })).status).toBe(
      200,
    );
  });

  it("puts an invite-only sale's lots into the engine as private, a public sale's not", async () => {
    await a.build.setUp({ sale: { id: 'v-pub2' }, lots: [{ id: 'v-pub2-1' }], publish: true });
    expect((await a.engine.snapshot('v-draft-1'))?.private).toBe(true);
    expect((await a.engine.snapshot('v-pub2-1'))?.private).toBeUndefined();
  });
});

describe('invitations', () => {
  beforeAll(async () => {
    await a.build.setUp({
      sale: { id: 'club', visibility: 'invite_only', title: 'The Collector’s Evening' },
      lots: [{ id: 'club-1' }],
      publish: true,
    });
  });

  it('validates the addresses, naming the one at fault, and saves nothing then', async () => {
    for (const [body, field] of [
      [{}, /^emails: /],
      [{ emails: [] }, /^emails: /],
      [{ emails: 'ada@example.com' }, /^emails: /],
      [{ emails: ['ada@example.com', 'not an address'] }, /^emails\[1\]: /],
      [{ emails: ['ada@example.com', 42] }, /^emails\[1\]: /],
      [{ emails: ['ada@example.com'], note: 'hi' }, /note/],
    ] as const) {
      const r = await a.api('POST', '/sales/club/invitations', body);
      expect([r.status, r.body.error?.code], JSON.stringify(body)).toEqual([400, 'VALIDATION_FAILED']);
      expect(r.body.error?.message, JSON.stringify(body)).toMatch(field);
    }
    expect((await a.ok('GET', '/sales/club/invitations')).invitations).toEqual([]);
    const unknown = await a.api('POST', '/sales/nowhere/invitations', { emails: ['ada@example.com'] });
    expect([unknown.status, unknown.body.error?.code]).toEqual([404, 'UNKNOWN_SALE']);
  });

  it('deduplicates whatever the case, mails each a link, stores only its hash, audits the admin', async () => {
    const before = mailbox.list().length;
    const r = await a.api('POST', '/sales/club/invitations', {
      emails: ['Ada@Example.com', 'ada@example.com ', 'bob@example.com'],
    });
    expect(r.status).toBe(201);
    expect(r.body.sent).toEqual(['Ada@Example.com', 'bob@example.com']);
    expect(mailbox.list().length - before).toBe(2);
    const mail = mailbox.list().find((m) => m.to === 'Ada@Example.com')!;
    expect(mail.subject).toContain('The Collector’s Evening');
    expect(mail.text).toMatch(/http:\/\/gavel\.test\/invite\/[A-Za-z0-9_-]{43}/);
    const token = linkTokenFor('ada@example.com');
    const rows = await a.db.query<{ token_hash: string }>(
      `SELECT token_hash FROM sale_invitations WHERE lower(email) = 'ada@example.com'`,
    );
    expect(rows.map((x) => x.token_hash)).toEqual([createHash('sha256').update(token).digest('hex')]);
    expect(JSON.stringify(await a.db.query('SELECT * FROM sale_invitations'))).not.toContain(token);
    const [audit] = await a.db.query<{ actor: string; details: unknown }>(
      `SELECT actor, details FROM audit_log WHERE action = 'sale.invite' AND entity_id = 'club' ORDER BY id DESC LIMIT 1`,
    );
    expect(audit?.actor).toBe('admin:ada');
    const list = (await a.ok('GET', '/sales/club/invitations')).invitations as {
      email: string;
      status: string;
    }[];
    expect(list.map((i) => [i.email.toLowerCase(), i.status]).sort()).toEqual([
      ['ada@example.com', 'pending'],
      ['bob@example.com', 'pending'],
    ]);
    // Inviting again sends a new link; the old one stops working.
    await a.ok('POST', '/sales/club/invitations', { emails: ['bob@example.com'] });
    const service = new InvitationService({ db: a.db, logger: createLogger('t', 'silent') });
    expect((await service.describe(token)).state).toBe('valid');
    expect(normaliseInvitees(['X@y.z', 'x@Y.z'])).toEqual(['X@y.z']);
  });

  it('shows the sale to staff and the invited only, in the catalogue and over its HTTP API', async () => {
    const catalogue = backOfficeCatalogue(a.db);
    const ada = await account('acc-ada', 'ADA@example.com');
    const eve = await account('acc-eve', 'eve@example.com');
    const ids = async (v: Parameters<typeof catalogue.sales>[0]) =>
      (await catalogue.sales(v)).map((s) => s.id);
    expect(await ids(anonymous)).not.toContain('club');
    expect(await ids(eve)).not.toContain('club');
    expect(await ids(staff)).toContain('club');
    expect(await ids(ada)).toContain('club');
    expect((await catalogue.sales(ada)).find((s) => s.id === 'club')?.visibility).toBe('invite_only');
    expect(await catalogue.sale('club', eve)).toBeUndefined();
    expect(await catalogue.sale('club', anonymous)).toBeUndefined();
    expect((await catalogue.sale('club', ada))?.lots.map((l) => l.id)).toEqual(['club-1']);
    expect(await isInvited(a.db, 'club', ada.id)).toBe(true);
    expect(await isInvited(a.db, 'club', eve.id)).toBe(false);

    const api = catalogueApi(a.db, createLogger('t', 'silent'), { serviceToken: 'service-token-0123456789' });
    expect((await api.request('/sales/club')).status).toBe(404);
    const asAda = { 'X-Gavel-Viewer': 'bidder:acc-ada', Authorization: 'Bearer service-token-0123456789' };
    const ok = await api.request('/sales/club', { headers: asAda });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('cache-control')).toBe('private, no-store');
    // Claiming to be Ada without the service token is refused, not answered as anonymous.
    const forged = await api.request('/sales/club', { headers: { 'X-Gavel-Viewer': 'bidder:acc-ada' } });
    expect(forged.status).toBe(401);
    const listed = (await (await api.request('/sales')).json()) as { sales: { id: string }[] };
    expect(listed.sales.map((s) => s.id)).not.toContain('club');
  });

  it('accepts a link once: the account is made (name needed), the link is used up', async () => {
    const service = new InvitationService({ db: a.db, logger: createLogger('t', 'silent') });
    const token = linkTokenFor('bob@example.com');
    const landing = await service.describe(token);
    expect(landing).toEqual({
      state: 'valid',
      saleId: 'club',
      saleTitle: 'The Collector’s Evening',
      email: 'bob@example.com',
      hasAccount: false,
    });
    await expect(service.accept(token, undefined)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(service.accept(token, '  ')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    const accepted = await service.accept(token, 'Bob Builder');
    expect(accepted.saleId).toBe('club');
    expect(accepted.signInToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const [bob] = await a.db.query<{ id: string; name: string }>(
      `SELECT id, name FROM accounts WHERE email = 'bob@example.com'`,
    );
    expect(bob?.name).toBe('Bob Builder');
    // The sign-in link the gateway consumes is for Bob's account, and hashed too.
    const [link] = await a.db.query<{ account_id: string }>(
      'SELECT account_id FROM sign_in_links WHERE token_hash = $1',
      [createHash('sha256').update(accepted.signInToken).digest('hex')],
    );
    expect(link?.account_id).toBe(bob?.id);
    expect((await service.describe(token)).state).toBe('accepted');
    await expect(service.accept(token, 'Bob')).rejects.toMatchObject({ code: 'INVITATION_INVALID' });
    await expect(service.accept('x'.repeat(43), 'Bob')).rejects.toMatchObject({ code: 'INVITATION_INVALID' });
    expect((await service.describe('not-a-token')).state).toBe('unknown');
    expect(
      (await backOfficeCatalogue(a.db).sales({ id: bob!.id, role: 'bidder' })).map((s) => s.id),
    ).toContain('club');
    const list = (await a.ok('GET', '/sales/club/invitations')).invitations as {
      email: string;
      status: string;
      accountId: string | null;
    }[];
    expect(list.find((i) => i.email === 'bob@example.com')).toMatchObject({
      status: 'accepted',
      accountId: bob?.id,
    });
    // Re-inviting an accepted address sends nothing.
    const again = await a.ok('POST', '/sales/club/invitations', { emails: ['BOB@example.com'] });
    expect([again.sent, again.alreadyAccepted]).toEqual([[], ['BOB@example.com']]);
  });

  it('revokes: the link stops working and the sale disappears for the invitee', async () => {
    const service = new InvitationService({ db: a.db, logger: createLogger('t', 'silent') });
    const token = linkTokenFor('ada@example.com');
    const list = (await a.ok('GET', '/sales/club/invitations')).invitations as {
      id: string;
      email: string;
    }[];
    const ada = list.find((i) => i.email === 'Ada@Example.com')!;
    const r = await a.ok('DELETE', `/sales/club/invitations/${ada.id}`);
    expect((r.invitation as { status: string }).status).toBe('revoked');
    expect((await service.describe(token)).state).toBe('revoked');
    await expect(service.accept(token, 'Ada')).rejects.toMatchObject({ code: 'INVITATION_INVALID' });
    expect(await backOfficeCatalogue(a.db).sale('club', { id: 'acc-ada', role: 'bidder' })).toBeUndefined();
    const unknown = await a.api('DELETE', '/sales/club/invitations/inv_nope');
    expect([unknown.status, unknown.body.error?.code]).toEqual([404, 'UNKNOWN_INVITATION']);
    const [audit] = await a.db.query<{ actor: string }>(
      `SELECT actor FROM audit_log WHERE action = 'sale.invitation_revoke' ORDER BY id DESC LIMIT 1`,
    );
    expect(audit?.actor).toBe('admin:ada');
  });

  it('refuses invitations where no mail or no PUBLIC_ORIGIN is configured (NOT_AVAILABLE)', async () => {
    const logger = createLogger('t', 'silent');
    for (const service of [
      new InvitationService({ db: a.db, logger, publicOrigin: 'http://gavel.test' }),
      new InvitationService({ db: a.db, logger, mail: mailbox }),
    ])
      await expect(service.invite('club', ['x@example.com'], 'admin:ada')).rejects.toMatchObject({
        code: 'NOT_AVAILABLE',
      });
  });

  it("marks an invite-only sale's sale and lot topics private for the notifications", async () => {
    const t = topics();
    // As the outbox's claim query evaluates it, on a row of outbox_events.
    const isPrivate = async (topic: string): Promise<boolean> => {
      const rows = await a.db.query<{ p: boolean }>(
        `SELECT ${invitedOnlyTopicSql(t)} AS p FROM (SELECT $1::text AS topic) AS outbox_events`,
        [topic],
      );
      return rows[0]?.p === true;
    };
    expect(await isPrivate(t.sale('club'))).toBe(true);
    expect(await isPrivate(t.auction('club-1'))).toBe(true);
    expect(await isPrivate(t.sale('v-pub2'))).toBe(false);
    expect(await isPrivate(t.auction('v-pub2-1'))).toBe(false);
    expect(await isPrivate(t.bidder('x'))).toBe(false);
  });
});
