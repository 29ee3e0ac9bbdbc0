import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpCatalogue } from '../../common/catalogue.ts';
import { errorHandler } from '../../common/http-errors.ts';
import { createLogger } from '../../common/logger.ts';
import {
  accountsRoutes,
  catalogueApi,
  DevMailbox,
  InvitationService,
  invitationsRoutes,
  startAccounts,
} from '../../orchestrator/index.ts';
import { migrate, type Database } from '../../orchestrator/ledger.ts';
import { postgresSchema } from '../../test/support/postgres.ts';
import { tracked } from '../../test/support/registry.ts';
import { inviteRoutes } from './invite.ts';
import { RemoteAccounts } from './remote-accounts.ts';
import { RemoteInvitations } from './remote-invitations.ts';

/**
 * The distributed topology's invitation: the gateway's landing reaches the back office's
 * invitations and accounts (PostgreSQL) over HTTP with the shared service token, and its catalogue
 * asks for the invitee's view over HTTP — the same flow as in process.
 */
const ORIGIN = 'https://bids.example.com';
const SERVICE_TOKEN = 'accounts-service-token-for-tests';
const logger = createLogger('remote-invitations-test', 'silent');
const pg = postgresSchema('remote_invitations');
const mailbox = new DevMailbox();
let db: Database;
let invitations: InvitationService;
let officeUrl: string;
let gateway: Hono;

beforeAll(async () => {
  await pg.create();
  db = pg.open(4);
  await migrate(db);
  const accounts = startAccounts(db, { mailbox, logger }).accounts;
  invitations = new InvitationService({ db, mail: mailbox, publicOrigin: ORIGIN, logger });
  const office = new Hono();
  office.onError(errorHandler(logger));
  office.route('/accounts/v1', accountsRoutes(accounts, SERVICE_TOKEN));
  office.route('/invitations/v1', invitationsRoutes(invitations, SERVICE_TOKEN));
  office.route('/catalogue/v1', catalogueApi(db, logger, { serviceToken: SERVICE_TOKEN }));
  const server = tracked('back office API', createServer(getRequestListener(office.fetch)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  officeUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  gateway = new Hono();
  gateway.onError(errorHandler(logger));
  gateway.route(
    '/',
    inviteRoutes({
      invitations: new RemoteInvitations(officeUrl, SERVICE_TOKEN),
      accounts: new RemoteAccounts(officeUrl, SERVICE_TOKEN),
      publicOrigin: ORIGIN,
    }),
  );
  await db.query(
    `INSERT INTO sales (id, title, mode, currency, status, starts_at, visibility)
     VALUES ('salon', 'Le Salon', 'live', 'EUR', 'scheduled', now(), 'invite_only'),
            ('open-day', 'Open Day', 'live', 'EUR', 'scheduled', now(), 'public')`,
  );
}, 60_000);
afterAll(() => pg.cleanup());

const same = { 'Sec-Fetch-Site': 'same-origin' };

describe('an invitation across processes (/invitations/v1, /accounts/v1, /catalogue/v1 on PostgreSQL)', () => {
  it('lands, signs the invitee up and in, and the catalogue over HTTP shows them the sale', async () => {
    await invitations.invite('salon', ['remote@example.com'], 'admin:test');
    const link = /https:\/\/\S+\/invite\/[\w-]{43}/.exec(mailbox.list()[0]!.text)![0];
    const path = new URL(link).pathname;
    const page = await gateway.request(`${ORIGIN}${path}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Le Salon');
    // The back office's refusal of a missing name crosses the wire as itself: the page asks again.
    const post = (body: string) =>
      gateway.request(`${ORIGIN}${path}`, {
        method: 'POST',
        headers: { ...same, 'Content-Type': 'application/x-www-form-urlencoded' },
        body,
      });
    const nameless = await post('name=');
    expect(nameless.status).toBe(400);
    expect(await nameless.text()).toContain('Your name');
    const done = await post('name=Remote+Invitee');
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/bid?sale=salon');
    expect(done.headers.get('set-cookie')).toMatch(/^__Host-gavel_session=.+; .*Secure/);
    expect((await post('name=Again')).status).toBe(400);

    const [account] = await db.query<{ id: string }>(
      `SELECT id FROM accounts WHERE email = 'remote@example.com'`,
    );
    const invitee = { id: account!.id, role: 'bidder' as const };
    const withToken = new HttpCatalogue(officeUrl, 0, SERVICE_TOKEN);
    expect((await withToken.sales(invitee)).map((s) => s.id)).toEqual(['open-day', 'salon']);
    expect((await withToken.sale('salon', invitee))?.visibility).toBe('invite_only');
    expect((await withToken.sales()).map((s) => s.id)).toEqual(['open-day']);
    expect(await withToken.sale('salon', { id: 'someone-else', role: 'bidder' })).toBeUndefined();
    expect((await withToken.sales({ id: 'clerk', role: 'auctioneer' })).map((s) => s.id)).toContain('salon');
    // A gateway without the service token reads the public catalogue only, whoever asks.
    const withoutToken = new HttpCatalogue(officeUrl, 0);
    expect((await withoutToken.sales(invitee)).map((s) => s.id)).toEqual(['open-day']);
  });
});
