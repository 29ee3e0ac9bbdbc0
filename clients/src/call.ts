/**
 * The auctioneer's call on a live lot as the bidder's banner says it (no DOM; tested without a
 * browser): fair warning, on hold with the auctioneer's message, and the result just given.
 */
import type { PublicAuctionView } from '../../common/contracts/index.ts';
import { withCurrency } from './money.ts';
import { t } from './i18n/page.ts';

export type CallKind = 'fair_warning' | 'on_hold' | 'sold' | 'passed' | 'withdrawn';

export interface Call {
  kind: CallKind;
  text: string;
  /** Said at once (assertive) rather than after what the reader is saying. */
  urgent: boolean;
}

/** The fair-warning call in English (the catalogue's `call.fairWarning`; the banner says it in the page's language). */
export const FAIR_WARNING_TEXT = 'Fair warning — the hammer is about to fall';

/** The banner for a live lot's state; undefined when there is no call (open, waiting, or a timed lot). */
export function callOf(view: PublicAuctionView): Call | undefined {
  if (view.mode !== 'live') return undefined;
  switch (view.status) {
    case 'fair_warning':
      return { kind: 'fair_warning', text: t('call.fairWarning'), urgent: true };
    case 'on_hold': {
      const said = view.message?.trim() ?? '';
      return {
        kind: 'on_hold',
        text: said === '' ? t('call.onHold') : t('call.onHoldSaying', { message: said }),
        urgent: false,
      };
    }
    case 'sold':
      return {
        kind: 'sold',
        text: t('call.sold', { amount: withCurrency(view.price, view.currency) }),
        urgent: false,
      };
    case 'passed':
    case 'unsold':
      return { kind: 'passed', text: t('call.passed'), urgent: false };
    case 'withdrawn':
      return { kind: 'withdrawn', text: t('call.withdrawn'), urgent: false };
    default:
      return undefined;
  }
}

/**
 * Whether this state is a new fair warning to signal (vibration): the lot entered fair warning at a
 * seq the page has not signalled yet. A repeat, a replay or a refetch of the same state buzzes once.
 */
export function isNewFairWarning(view: PublicAuctionView, signalled: ReadonlyMap<string, number>): boolean {
  return view.status === 'fair_warning' && signalled.get(view.auctionId) !== view.seq;
}
