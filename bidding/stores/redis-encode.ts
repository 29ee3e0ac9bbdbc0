import type { LiveState } from '../core/decide.ts';
import { encodeBands } from '../core/increments.ts';
import { bidFingerprint } from '../core/restore.ts';
import type { AuctionSetup, BidAnswer } from '../core/types.ts';

/** What the store writes into Redis for the scripts: the state hash's fields and a stored bid answer. */

/** The set-up as state hash field/value pairs (what configure-3.lua writes). */
export function setupFields(setup: AuctionSetup): string[] {
  return [
    'id',
    setup.id,
    'sale_id',
    setup.saleId,
    'mode',
    setup.mode,
    'currency',
    setup.currency,
    'status',
    setup.status,
    'starts_at',
    String(setup.startsAt),
    'scheduled_end',
    String(setup.endsAt),
    'grace_ms',
    String(setup.graceMs),
    'soft_close_ms',
    String(setup.softCloseMs),
    'soft_close_cap_ms',
    String(setup.softCloseCapMs),
    'increments',
    encodeBands(setup.increments),
    'opening',
    String(setup.opening),
    'reserve',
    String(setup.reserve),
    'private',
    setup.private === true ? '1' : '0',
  ];
}

/** The live fields of the state hash, as save_state (lua/includes/live.lua) writes them; lists and undo restored empty. */
export function liveFields(s: LiveState): string[] {
  return [
    'status',
    s.status,
    'ends_at',
    String(s.endsAt),
    'price',
    String(s.price),
    'leader',
    s.leaderId ?? '',
    'leader_max',
    String(s.leaderMax),
    'bid_count',
    String(s.bidCount),
    'seq',
    String(s.seq),
    'asking',
    String(s.asking),
    'message',
    s.message ?? '',
    'held_from',
    s.heldFrom ?? '',
    'step',
    String(s.step),
    'leader_kind',
    s.leaderKind ?? '',
    'standing_seq',
    String(s.standingSeq),
    'absentees',
    '[]',
    'standing',
    '[]',
    'undo',
    '',
    'undo_closed',
    '0',
  ];
}

/** A bid answer as place-bid-6.lua stores it in the idempotency hash (same reply fields, same order). */
export function storedAnswer(a: BidAnswer): string {
  const d = a.decision;
  const reply = [
    'seq',
    String(d.seq),
    'outcome',
    d.outcome,
    'reason',
    d.reason ?? '',
    'kind',
    d.kind ?? '',
    'amount',
    String(d.amount),
    'price',
    String(d.price),
    'leader',
    d.leaderId ?? '',
    'prev_price',
    String(d.previousPrice),
    'prev_leader',
    d.previousLeaderId ?? '',
    'price_changed',
    d.priceChanged ? '1' : '0',
    'bid_count',
    String(d.bidCount),
    'ends_at',
    String(d.endsAt),
    'extended',
    d.extended ? '1' : '0',
    'asking',
    String(d.asking),
    'reserve_met',
    d.reserveMet ? '1' : '0',
    'at',
    String(d.decidedAt),
    'stream_id',
    a.streamId ?? '',
  ];
  return JSON.stringify({ fingerprint: bidFingerprint(a.amount, a.max), reply });
}
