/**
 * "Stale is shown as stale" (no DOM; tested without a browser): while the page's one EventSource is
 * not live, what it shows may be old — the price and status are marked "not live", bidding waits,
 * and nobody is told in green that they lead. An ended session offers sign-in instead of spinning.
 */
import type { ConnectionState } from './live.ts';
import { t } from './i18n/page.ts';

/** The page's link to the server: the feed's state, or `signed_out` once the session was refused. */
export type LinkState = ConnectionState | 'signed_out';

export interface Staleness {
  /** What is on screen may be out of date. */
  stale: boolean;
  /** The words beside the price ("Not live — reconnecting"); "" when live. */
  label: string;
  /** The Bid button's text instead of its own while it waits; undefined when bidding may go ahead. */
  buttonText: string | undefined;
}

export function staleness(link: LinkState): Staleness {
  switch (link) {
    case 'live':
      return { stale: false, label: '', buttonText: undefined };
    case 'connecting':
      return { stale: true, label: t('stale.connecting'), buttonText: t('stale.waiting') };
    case 'reconnecting':
      return { stale: true, label: t('stale.reconnecting'), buttonText: t('stale.waiting') };
    case 'offline':
      return { stale: true, label: t('stale.offline'), buttonText: t('stale.waiting') };
    case 'signed_out':
      return { stale: true, label: t('stale.signedOut'), buttonText: t('stale.signInToBid') };
  }
}

/** Answers that mean the session is over (a refused or expired token): sign in again, retrying will not help. */
export function endsSession(status: number, code: string): boolean {
  return status === 401 || code === 'UNAUTHENTICATED' || code === 'TOKEN_EXPIRED';
}

/** Where "Sign in again" leads: the sign-in page, told to come back to this page (path, query and hash). */
export function signInAgainHref(here: Pick<Location, 'pathname' | 'search' | 'hash'>): string {
  return `/sign-in?next=${encodeURIComponent(`${here.pathname}${here.search}${here.hash}`)}`;
}
