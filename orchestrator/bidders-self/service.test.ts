import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backOfficeEventSchemas } from '../../common/contracts/events.ts';
import { AppError } from '../../common/errors.ts';
import { createLogger } from '../../common/logger.ts';
import { topics } from '../../common/topics.ts';
import { AccountStore } from '../accounts/store.ts';
import { inProcessAdmin, type InProcessAdmin } from '../admin/test-kit.ts';
import { EngineSync } from '../lifecycle/engine-sync.ts';
import { messageFor } from '../notify/templates.ts';
import { BidderSelfService } from './service.ts';

/**
 * The bidder's own side on in-memory PGlite (the embedded default's database), beside the admin
 * API in process: the account ↔ bidder id rule, the profile, registering with the terms, the
 * house's decision and its one notice, changed terms, won lots with the invoice.
 */
let office: InProcessAdmin;
let self: BidderSelfService;
let accounts: AccountStore;
const SALE = 'self-sale';

async function codeOf(p: Promise<unknown>): Promise<{ code: string; field: unknown }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return { code: err.code, field: err.details?.field };
    throw err;
  }
  return { code: 'no error', field: undefined };
}

const PROFILE = { name: 'Ada Lovelace', phone: '+447700900456', country: 'GB', channels: [] };

beforeAll(async () => {
  office = await inProcessAdmin();
  const sync = new EngineSync(office.db, office.engine, createLogger('self-test', 'silent'));
  self = new BidderSelfService({ db: office.db, sync });
  accounts = new AccountStore(office.db);
  await office.build.setUp({
    sale: { id: SALE, cddThreshold: '10000.00', kycFreeLimit: '5000.00' },
    lots: [{ id: 'self-lot-1' }],
    publish: true,
  });
  await office.ok('POST', `/sales/${SALE}/terms`, { body: 'Conditions of sale.\n\nVersion one.' });
  await office.build.sale({ id: 'self-draft' });
}, 60_000);
afterAll(() => office.close());

describe('a bidder account is its bidder record', () => {
  it('gives a new bidder account a bidder record of the same id', async () => {
    const { account } = await accounts.ensure({ kind: 'bidder', email: 'new@example.com', name: 'New' });
    const [row] = await office.db.query<{ id: string; email: string }>(
      'SELECT id, email FROM bidders WHERE id = $1',
      [account.id],
    );
    expect(row).toEqual({ id: account.id, email: 'new@example.com' });
  });

  it('takes the id of the record staff made for the address (a phone bidder signing up later)', async () => {
    await office.ok('POST', '/bidders', { id: 'phone-bidder-7', name: 'Grace', email: 'grace@example.com' });
    const { account, created } = await accounts.ensure({
      kind: 'bidder',
      email: 'Grace@Example.com',
      name: 'Grace H.',
    });
    expect({ id: account.id, created }).toEqual({ id: 'phone-bidder-7', created: true });
    expect(
      await office.db.query('SELECT 1 FROM bidders WHERE email = $1', ['Grace@Example.com']),
    ).toHaveLength(0);
  });

  it('makes no bidder record for staff, and staff have no bidder profile', async () => {
    const { account } = await accounts.ensure({ kind: 'staff', email: 'clerk@example.com', name: 'Clerk' });
    expect(await office.db.query('SELECT 1 FROM bidders WHERE id = $1', [account.id])).toHaveLength(0);
    expect((await codeOf(self.overview(account.id))).code).toBe('FORBIDDEN');
  });
});

describe('profile, registration and decision', () => {
  let id: string;
  beforeAll(async () => {
    id = (await accounts.ensure({ kind: 'bidder', email: 'ada@example.com', name: 'Ada' })).account.id;
  });

  it('refuses to register before the profile, and refuses a bad profile field by name, saving nothing', async () => {
    expect(await codeOf(self.register(id, SALE, { termsVersion: 1, accept: true }))).toMatchObject({
      code: 'PROFILE_INCOMPLETE',
    });
    expect(await codeOf(self.saveProfile(id, { ...PROFILE, phone: '123' }))).toEqual({
      code: 'VALIDATION_FAILED',
      field: 'phone',
    });
    expect((await self.overview(id)).profile).toMatchObject({
      phone: null,
      complete: false,
      emailVerified: true,
    });
    const saved = await self.saveProfile(id, { ...PROFILE, channels: ['sms'] });
    expect(saved).toMatchObject({
      phone: '+447700900456',
      country: 'GB',
      channels: ['email', 'sms'],
      complete: true,
    });
  });

  it('refuses a phone number another bidder has', async () => {
    const other = (await accounts.ensure({ kind: 'bidder', email: 'bob@example.com', name: 'Bob' })).account
      .id;
    expect(await codeOf(self.saveProfile(other, PROFILE))).toEqual({ code: 'CONTACT_TAKEN', field: 'phone' });
  });

  it('shows the current terms, and registers pending only with them accepted', async () => {
    const offer = await self.offer(id, SALE);
    expect(offer.terms).toMatchObject({ version: 1, body: 'Conditions of sale.\n\nVersion one.' });
    expect(offer.sale.registration).toBeNull();
    expect(await codeOf(self.offer(id, 'self-draft'))).toMatchObject({ code: 'UNKNOWN_SALE' });
    expect(await codeOf(self.register(id, SALE, { termsVersion: 0, accept: true }))).toMatchObject({
      code: 'TERMS_VERSION',
      field: 'termsVersion',
    });
    expect(await codeOf(self.register(id, SALE, { termsVersion: 1, accept: false }))).toEqual({
      code: 'VALIDATION_FAILED',
      field: 'accept',
    });
    expect(
      await codeOf(self.register(id, SALE, { termsVersion: 1, accept: true, limit: '30.001' })),
    ).toMatchObject({
      code: 'BAD_SCALE',
    });
    expect(
      await codeOf(self.register(id, SALE, { termsVersion: 1, accept: true, limit: '10000.00' })),
    ).toEqual({
      code: 'CDD_REQUIRED',
      field: 'limit',
    });
    // Nothing half-saved by the refusals.
    expect(await office.db.query('SELECT 1 FROM registrations WHERE bidder_id = $1', [id])).toHaveLength(0);

    const reg = await self.register(id, SALE, { termsVersion: 1, accept: true, limit: '3000.00' });
    expect(reg).toMatchObject({
      status: 'pending',
      limit: '3000.00',
      requestedLimit: '3000.00',
      termsVersion: 1,
      termsToAccept: false,
      kycFreeLimit: '5000.00',
    });
    expect(reg.paddle).toMatch(/^\d+$/);
    expect(reg.termsAcceptedAt).not.toBeNull();
    expect(await codeOf(self.register(id, SALE, { termsVersion: 1, accept: true }))).toMatchObject({
      code: 'ALREADY_REGISTERED',
    });
    // Pending: the engine holds no limit for the bidder yet.
    const list = await office.ok('GET', `/sales/${SALE}/registrations`);
    const mine = (
      list.registrations as { bidderId: string; eligibility: { limit: string; reasons: string[] } }[]
    ).find((r) => r.bidderId === id);
    expect(mine?.eligibility).toMatchObject({ limit: '0.00', reasons: ['NOT_APPROVED'] });
  });

  it('tells the bidder of the house’s decision once per decision, through the outbox', async () => {
    const events = () =>
      office.db.query<{ type: string; payload: Record<string, unknown>; topic: string; id: unknown }>(
        `SELECT id, type, topic, payload FROM outbox_events WHERE type LIKE 'registration.%' ORDER BY id`,
      );
    await office.ok('PATCH', `/sales/${SALE}/registrations/${id}`, { status: 'approved' });
    // The same decision again is no new decision.
    await office.ok('PATCH', `/sales/${SALE}/registrations/${id}`, { status: 'approved' });
    // A limit change alone is no decision either.
    await office.ok('PATCH', `/sales/${SALE}/registrations/${id}`, { limit: '2500.00' });
    let rows = await events();
    expect(rows.map((r) => r.type)).toEqual(['registration.approved']);
    expect(rows[0]!.topic).toBe(topics().bidder(id));
    expect(rows[0]!.payload).toMatchObject({
      bidderId: id,
      saleId: SALE,
      status: 'approved',
      currency: 'EUR',
    });
    // The payload is the wire contract the bidder's pages read.
    expect(backOfficeEventSchemas['registration.approved'].parse(rows[0]!.payload)).toMatchObject({
      limit: '3000.00',
    });
    const message = messageFor({
      id: Number(rows[0]!.id),
      topic: rows[0]!.topic,
      type: rows[0]!.type,
      payload: rows[0]!.payload,
      createdAt: Date.now(),
      attempts: 0,
      correlationId: undefined,
    });
    expect(message?.subject).toBe(`You are approved to bid: ${SALE}`);
    expect(message?.text).toMatch(/paddle is \d+, your limit EUR 3,000\.00/);

    expect((await self.overview(id)).registrations[0]).toMatchObject({
      status: 'approved',
      limit: '2500.00',
    });
    await office.ok('PATCH', `/sales/${SALE}/registrations/${id}`, { status: 'revoked' });
    await office.ok('PATCH', `/sales/${SALE}/registrations/${id}`, { status: 'approved' });
    rows = await events();
    expect(rows.map((r) => r.type)).toEqual([
      'registration.approved',
      'registration.revoked',
      'registration.approved',
    ]);
  });

  it('asks for the terms again when they change, and accepts only the current version', async () => {
    await office.ok('POST', `/sales/${SALE}/terms`, { body: 'Revised conditions.' });
    const before = (await self.overview(id)).registrations[0]!;
    expect(before).toMatchObject({ termsVersion: 1, currentTermsVersion: 2, termsToAccept: true });
    expect(await codeOf(self.acceptTerms(id, SALE, 1))).toMatchObject({ code: 'TERMS_VERSION' });
    const after = await self.acceptTerms(id, SALE, 2);
    expect(after).toMatchObject({ termsVersion: 2, termsToAccept: false });
    const other = (await accounts.ensure({ kind: 'bidder', email: 'cy@example.com', name: 'Cy' })).account.id;
    expect(await codeOf(self.acceptTerms(other, SALE, 2))).toMatchObject({ code: 'NOT_REGISTERED' });
  });

  it('lists the sales open for registration and the lots won with their invoice', async () => {
    await office.db.query(
      `INSERT INTO winners (lot_id, sale_id, bidder_id, hammer_minor, currency, seq, decided_at, premium_minor, tax_minor, total_minor)
       VALUES ('self-lot-1', $1, $2, 200000, 'EUR', 3, now(), 50000, 10000, 260000)`,
      [SALE, id],
    );
    const ov = await self.overview(id);
    expect(ov.sales.map((s) => s.id)).toContain(SALE);
    expect(ov.sales.map((s) => s.id)).not.toContain('self-draft');
    expect(ov.won).toEqual([
      expect.objectContaining({
        lotId: 'self-lot-1',
        hammer: '2000.00',
        premium: '500.00',
        tax: '100.00',
        total: '2600.00',
        currency: 'EUR',
      }),
    ]);
    // Without a KYC vendor: the house verifies people itself.
    expect(ov.kyc).toMatchObject({ status: 'pending', available: false, required: false });
    expect((await codeOf(self.startKyc(id))).code).toBe('KYC_DISABLED');
  });
});

describe('invite-only sales', () => {
  it('are not offered to, nor open for registration by, an uninvited bidder — until invited', async () => {
    await office.build.setUp({
      sale: { id: 'self-club', visibility: 'invite_only' },
      lots: [{ id: 'self-club-1' }],
      publish: true,
    });
    const { account } = await accounts.ensure({
      kind: 'bidder',
      email: 'uninvited@example.com',
      name: 'Una',
    });
    await self.saveProfile(account.id, { ...PROFILE, phone: '+447700900999' });
    const saleIds = async (): Promise<string[]> => (await self.overview(account.id)).sales.map((s) => s.id);
    expect(await saleIds()).toContain(SALE);
    expect(await saleIds()).not.toContain('self-club');
    // As if it did not exist: the same answer as an unknown sale.
    expect((await codeOf(self.offer(account.id, 'self-club'))).code).toBe('UNKNOWN_SALE');
    expect(
      (await codeOf(self.register(account.id, 'self-club', { termsVersion: 0, accept: true }))).code,
    ).toBe('UNKNOWN_SALE');
    expect(await office.db.query("SELECT 1 FROM registrations WHERE sale_id = 'self-club'")).toHaveLength(0);

    // The house invites the address (as POST …/invitations records it; the mail is not this test's).
    await office.db.query(
      `INSERT INTO sale_invitations (id, sale_id, email, token_hash, invited_by, expires_at)
       VALUES ('inv-self-1', 'self-club', 'Uninvited@Example.com', 'hash-self-1', 'admin:test', now() + interval '1 day')`,
    );
    expect(await saleIds()).toContain('self-club');
    expect((await self.offer(account.id, 'self-club')).sale.id).toBe('self-club');
  });
});
