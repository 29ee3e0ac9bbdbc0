/** Accounts and sign-in in the back office (docs/accounts.md): the service the gateway's sessions use, and its HTTP face. */
import type { StaffRole } from '../../common/accounts.ts';
import type { Logger } from '../../common/logger.ts';
import type { Database } from '../ledger/db.ts';
import type { NotifyConfig } from '../notify/config.ts';
import type { DevMailbox } from '../notify/dev-mailbox.ts';
import { EmailSender, type Sender } from '../notify/senders.ts';
import { AccountsService } from './service.ts';

export { AccountsService } from './service.ts';
export { DevMailbox } from '../notify/dev-mailbox.ts';
export { accountsRoutes } from './routes.ts';
export { accountsConfigFromEnv, type AccountsConfig } from './config.ts';

/**
 * The accounts service on `db`, mailing through SMTP when `notify.email` is set, else into `mailbox`
 * (the embedded default's local outbox) when given, else not at all (links cannot be sent).
 */
export function startAccounts(
  db: Database,
  opts: {
    notify?: NotifyConfig | undefined;
    mailbox?: DevMailbox | undefined;
    logger: Logger;
    /** ACCOUNTS_TOTP_KEY (orchestrator/accounts/config.ts). */
    totpKey?: Buffer | undefined;
  },
): { accounts: AccountsService; close: () => void } {
  let mail: Sender | undefined = opts.mailbox;
  let close = (): void => undefined;
  if (opts.notify?.email !== undefined) {
    const smtp = new EmailSender(opts.notify.email);
    mail = smtp;
    close = () => smtp.close();
  }
  return { accounts: new AccountsService({ db, mail, logger: opts.logger, totpKey: opts.totpKey }), close };
}

/** The demo's staff, to try staff sign-in by email link in the embedded default (their mail is at /dev/mail). */
export const DEMO_STAFF = [
  { email: 'admin@gavel.local', name: 'Demo Admin', roles: ['admin'] },
  { email: 'auctioneer@gavel.local', name: 'Demo Auctioneer', roles: ['auctioneer'] },
] as const satisfies readonly { email: string; name: string; roles: readonly StaffRole[] }[];

export async function seedDemoStaff(accounts: AccountsService): Promise<void> {
  for (const s of DEMO_STAFF) await accounts.store.ensure({ kind: 'staff', ...s, roles: [...s.roles] });
}
