/**
 * What a bidder's browser is pushed (docs/push-notifications.md): outbid, closing soon, a live lot
 * coming up, won — built from the outbox event, to the bidder it names. Pure: unit-tested without a
 * push service. Only what the bidder may see and nothing a push service could misuse: the lot, the
 * public price or hammer, the time; never a maximum, the reserve or another bidder's identity.
 */
import type { PushKind, PushMessage } from '../../../common/contracts/push.ts';
import { displayAmount, parseAmount } from '../../../common/money.ts';
import type { Notification } from '../outbox.ts';

/** The outbox event types pushed, and the kind each becomes. */
export const PUSHED_TYPES: Readonly<Record<string, PushKind>> = {
  'lot.outbid': 'outbid',
  'lot.closing_soon': 'closing_soon',
  'lot.coming_up': 'coming_up',
  'lot.won': 'won',
};

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/** A decimal string in `currency` as people read it (`EUR 1,200.00`), or '' when it is not one. */
function money(v: unknown, currency: string): string {
  if (typeof v !== 'string' || currency === '') return '';
  try {
    return displayAmount(parseAmount(v, currency), currency);
  } catch {
    return '';
  }
}

/** `/bid?sale=…#lot=…`: the bidder page on that sale, opened at the lot. */
export function lotUrl(saleId: string, lotId: string): string {
  return `/bid?sale=${encodeURIComponent(saleId)}#lot=${encodeURIComponent(lotId)}`;
}

/** The push for a bidder's outbox event; undefined when this event is not pushed. */
export function pushMessageFor(n: Notification): PushMessage | undefined {
  const kind = PUSHED_TYPES[n.type];
  const p = n.payload;
  const [lotId, saleId] = [str(p.lotId), str(p.saleId)];
  // Only a bidder's own event (the sale-wide copy of closing-soon has no bidder).
  if (kind === undefined || str(p.bidderId) === '' || lotId === '' || saleId === '') return undefined;
  const [num, title] = [str(p.lotNumber), str(p.title)];
  const lot = num !== '' ? `Lot ${num}` : 'A lot';
  const named = title === '' ? lot : `${lot}: ${title}`;
  const currency = str(p.currency);
  const base = {
    kind,
    url: lotUrl(saleId, lotId),
    tag: `${kind}:${lotId}`,
    lotId,
    saleId,
    at: new Date(n.createdAt).toISOString(),
  };
  switch (kind) {
    case 'outbid': {
      const price = money(p.price, currency);
      return {
        ...base,
        title: `You have been outbid on ${lot.toLowerCase()}`,
        body: `${named}. ${price === '' ? '' : `The price is now ${price}. `}Bid again before it closes.`,
      };
    }
    case 'closing_soon': {
      const at = Date.parse(str(p.endsAt));
      return {
        ...base,
        title: `${lot} closes soon`,
        body: `${named}${Number.isFinite(at) ? ` closes at ${new Date(at).toISOString().slice(11, 16)} UTC` : ' closes soon'}; a late bid extends it.`,
      };
    }
    case 'coming_up':
      return {
        ...base,
        title: `${lot} is coming up`,
        body: `${named} is two lots away in the live sale. Open the sale to bid.`,
      };
    case 'won': {
      const hammer = money(p.hammer, currency);
      return {
        ...base,
        title: `You won ${lot.toLowerCase()}`,
        body: `${named}${hammer === '' ? '' : `, hammer ${hammer}`}. The invoice is in your account.`,
      };
    }
  }
}
