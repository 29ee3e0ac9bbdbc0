/**
 * The console's room, without the DOM: who is online, the internet leader's paddle, messages to the
 * bidders, the missed-bid warning — as the clerk reads them. Tested without a browser.
 */
import {
  SALE_MESSAGE_MAX,
  type FloorActionName,
  type FloorLot,
  type MissedBid,
  type PublicAuctionView,
  type SaleAudience,
  type SaleMessage,
} from '../../common/contracts/index.ts';
import { withCurrency } from './money.ts';

/** The quick buttons: what an auctioneer says to the phones most often. */
export const QUICK_MESSAGES = [
  'Fair warning — last chance',
  'Next lot coming up',
  'Pausing briefly',
  'Bidding is with the room',
] as const;

/** "3 online": the signed-in bidders following the sale (each once, however many pages). */
export function audienceText(a: SaleAudience | undefined): string {
  return a === undefined ? '— online' : `${a.bidders} online`;
}

/** The detail behind it: every connection, room screens and staff included. */
export function audienceTitle(a: SaleAudience | undefined): string {
  if (a === undefined) return 'Bidders following this sale now';
  const n = a.connections;
  return `${a.bidders} bidder${a.bidders === 1 ? '' : 's'} signed in and following this sale; ${n} connection${n === 1 ? '' : 's'} in all`;
}

/** The internet (or absentee) leader's registered paddle, when the floor state shown is the lot's current one. */
export function onlinePaddleOf(floor: FloorLot | undefined, view: PublicAuctionView): string | undefined {
  const leader = floor?.leader;
  if (floor === undefined || leader === null || leader === undefined || floor.seq !== view.seq)
    return undefined;
  return leader.kind === 'floor' ? undefined : (leader.onlinePaddle ?? undefined);
}

/**
 * "Internet bidder · paddle 1042" when an internet (or absentee) bidder leads and the floor state
 * shown is the lot's current one; '' otherwise (a floor bidder's paddle is already the leader's name).
 */
export function leaderPaddleText(floor: FloorLot | undefined, view: PublicAuctionView): string {
  const leader = floor?.leader;
  if (floor === undefined || leader === null || leader === undefined || floor.seq !== view.seq) return '';
  if (leader.kind === 'floor') return '';
  const who = leader.kind === 'absentee' ? 'Absentee' : 'Internet bidder';
  const paddle = leader.onlinePaddle;
  return paddle === null || paddle === undefined ? `${who} · no paddle on file` : `${who} · paddle ${paddle}`;
}

/** The free-text field's counter, and whether the text can be sent (1–280 characters once trimmed). */
export function messageCounter(text: string): { label: string; sendable: boolean; over: boolean } {
  const n = [...text].length;
  const trimmed = text.trim().length;
  return {
    label: `${n} / ${SALE_MESSAGE_MAX}`,
    sendable: trimmed > 0 && n <= SALE_MESSAGE_MAX,
    over: n > SALE_MESSAGE_MAX,
  };
}

/** "Last sent 19:02: Pausing briefly" (the clock of this tablet, 24-hour), or that none was sent. */
export function lastMessageText(m: SaleMessage | null | undefined, timeZone?: string): string {
  if (m === null || m === undefined) return 'No message sent yet';
  const at = new Date(m.sentAt).toLocaleTimeString('en-GB', {
    hour: '2-digit',
    minute: '2-digit',
    ...(timeZone === undefined ? {} : { timeZone }),
  });
  return `Last sent ${at}: ${m.text}`;
}

const AFTER: Partial<Record<FloorActionName, string>> = {
  hammer: 'the hammer',
  pass: 'the pass',
  withdraw: 'the withdrawal',
};

/** "Missed bid: EUR 1,100.00 from paddle 1043 arrived 0.4 s after the hammer". */
export function missedBidText(m: MissedBid): string {
  const from = m.paddle === null ? (m.bidder === '' ? 'an internet bidder' : m.bidder) : `paddle ${m.paddle}`;
  const late = (Math.round(m.lateByMs / 100) / 10).toFixed(1);
  return `Missed bid: ${withCurrency(m.amount, m.currency)} from ${from} arrived ${late} s after ${AFTER[m.closedBy] ?? m.closedBy}`;
}
