/**
 * What a bidder is sent by SMS, WhatsApp or email for the notifications that matter outside the
 * sale room: a lot won (with the invoice), a lot lost, a lot closing soon, a bid cancelled. The
 * room's own updates (extensions, every price) stay on the live channels: a text per extension of a
 * soft-close battle would be spam.
 */
import { displayAmount, parseAmount } from '../../common/money.ts';
import type { Notification } from './outbox.ts';
import { registrationMessage } from '../bidders-self/notice.ts';

export interface OutboundMessage {
  /** The email subject. */
  subject: string;
  /** The whole message: the SMS/WhatsApp text, the email body. */
  text: string;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

export function messageFor(n: Notification): OutboundMessage | undefined {
  const p = n.payload;
  const currency = str(p.currency);
  // Amounts are decimal strings, as on every wire; events queued before that carry minor units.
  const money = (v: unknown): string => {
    if (currency === '') return '';
    if (typeof v === 'number') return displayAmount(v, currency);
    if (typeof v !== 'string') return '';
    try {
      return displayAmount(parseAmount(v, currency), currency);
    } catch {
      return '';
    }
  };
  const [num, title] = [str(p.lotNumber), str(p.title)];
  const lot =
    num !== '' ? `lot ${num}${title === '' ? '' : ` (${title})`}` : title !== '' ? `"${title}"` : 'a lot';
  switch (n.type) {
    case 'lot.won':
      return {
        subject: `You won ${lot}`,
        text:
          `Congratulations: you won ${lot} at ${money(p.hammer)}. ` +
          `Buyer's premium ${money(p.premium)}, tax ${money(p.tax)}, total due ${money(p.total)}. ` +
          'The auction house will send payment and collection details.',
      };
    case 'lot.lost':
      return p.outcome === 'sold'
        ? {
            subject: `Result of ${lot}`,
            text: `${cap(lot)} sold for ${money(p.hammer)} to another bidder. Thank you for bidding.`,
          }
        : {
            subject: `Result of ${lot}`,
            text: `${cap(lot)} did not sell (the reserve was not met). The auction house may contact you.`,
          };
    case 'lot.closing_soon': {
      const at = Date.parse(str(p.endsAt));
      return {
        subject: `${cap(lot)} closes soon`,
        text: `${cap(lot)} closes soon${Number.isFinite(at) ? ` (${new Date(at).toISOString().slice(11, 16)} UTC)` : ''}; late bids extend it.`,
      };
    }
    case 'bid.cancelled':
      return {
        subject: `Your bid on ${lot} was cancelled`,
        text: `The auction house cancelled your bid on ${lot}; the price went back to the bid before it.`,
      };
    default:
      // A decision on a registration (orchestrator/bidders-self).
      return registrationMessage(n.type, p);
  }
}

const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
