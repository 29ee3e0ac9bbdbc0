/**
 * Bids by text message. Every provider's webhook becomes one `InboundMessage`; this turns it into
 * the same `placeBid` an HTTP bid makes — the same engine, the same atomic decision, the same
 * per-bidder rate limit, the same stored answer for a retry — and into the reply the sender reads.
 *
 * Exactly one effect per message: the provider's message id is the bid's Idempotency-Key, so a
 * webhook the provider delivers twice is decided once and answered twice with the same reply.
 * It is also the bid's correlation id, so the provider's id is on the ledger row and every log line.
 *
 * Above the house's threshold (`confirm-policy.ts`) a bid is not placed on the message: the sender's
 * number gets a one-time code to reply with (`confirmations.ts`), and the bid is placed — with the
 * bid message's id as its key, assurance `confirmed` — when that code comes back from that number
 * in time. Below it the bid is decided at once, assurance `caller_id`.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { RateLimiterRes, type BurstyRateLimiter } from 'rate-limiter-flexible';
import type { BidderDirectory } from '../../common/directory.ts';
import { AppError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import { displayAmount, parseAmount } from '../../common/money.ts';
import type { BidDecision, BiddingService } from '../../bidding/index.ts';
import { rejectionMessage } from '../routes/bid-messages.ts';
import type { Catalogue } from '../../common/catalogue.ts';
import { isBiddableOrWaiting, type CatalogueLot } from '../../common/contracts/index.ts';
import { needsConfirmation, type ConfirmThresholds } from './confirm-policy.ts';
import type { BidConfirmations, PendingBid } from './confirmations.ts';
import { parseBidMessage, type ParsedAmount } from './parse-bid.ts';
import type { GatewayMetrics } from '../metrics.ts';
import { correlationAttrs, inSpan } from '../../common/tracing.ts';

export interface InboundMessage {
  /** Whose webhook it came through: Twilio (SMS, or WhatsApp through Twilio), or Meta's WhatsApp Cloud API. */
  provider: 'twilio' | 'whatsapp-cloud';
  channel: 'sms' | 'whatsapp';
  /** The provider's id of the message: unique per message, the same on a redelivery. */
  messageId: string;
  /** The sender's number as the provider gives it ("+447700900123"). */
  from: string;
  text: string;
}

/** What the sender is told, and what happened (for logs and tests). */
export interface IngressAnswer {
  reply: string;
  outcome:
    | 'accepted'
    | 'rejected'
    | 'unreadable'
    | 'unknown_sender'
    | 'unknown_lot'
    | 'ambiguous_lot'
    | 'bad_amount'
    | 'rate_limited'
    | 'unavailable'
    /** The sender was sent a code to confirm the bid with. */
    | 'confirmation_requested'
    /** A confirmation that places nothing: a wrong or expired code, nothing waiting, a locked number. */
    | 'confirmation_refused';
  auctionId?: string;
  seq?: number;
  /** A confirmation: the correlation id of the bid message it confirmed (the bid's, on its ledger row). */
  confirms?: string;
}

export interface MessagingIngressDeps {
  engine: BiddingService;
  catalogue: Catalogue;
  directory: BidderDirectory;
  limiter: BurstyRateLimiter;
  logger: Logger;
  /** Which bids wait for the sender's confirmation, where the codes are kept, and for how long they hold. */
  confirm: { thresholds: ConfirmThresholds; store: BidConfirmations; windowMs: number };
  /** Messages received by channel, unknown senders and rate-limited bids; undefined = none kept. */
  metrics?: GatewayMetrics | undefined;
}

const HELP = 'Send the lot and your bid, e.g. "#102 2500" (or "#102 2500 max 4000" to leave a maximum).';
/** "YES 482913" (a confirmation) — read before a bid, which "YES 482913" would also look like. */
const CONFIRMATION = /^\s*YES\b[\s:#-]*(\d{1,12})?\s*[.!]?\s*$/i;
const LOCKED =
  'Too many wrong confirmation codes from this number: bids by text that need a confirmation are paused for up to an hour. Bid online or call the auction house.';

export class MessagingIngress {
  private readonly deps: MessagingIngressDeps;
  constructor(deps: MessagingIngressDeps) {
    this.deps = deps;
  }

  async handle(msg: InboundMessage): Promise<IngressAnswer> {
    const correlationId = `${msg.provider}:${msg.messageId}`;
    const log = this.deps.logger.child({ correlationId, channel: msg.channel });
    const { metrics } = this.deps;
    metrics?.bidReceived(msg.channel);
    const answer = await inSpan(
      'bid',
      {
        kind: 'server',
        attributes: { ...correlationAttrs(correlationId), 'gavel.bid.source': msg.channel },
      },
      async (span) => {
        const a = await this.decide(msg, correlationId);
        span.setAttribute('gavel.bid.outcome', a.outcome);
        if (a.auctionId !== undefined) span.setAttribute('gavel.auction_id', a.auctionId);
        if (a.seq !== undefined) span.setAttribute('gavel.seq', a.seq);
        return a;
      },
    ).catch((err: unknown): IngressAnswer => {
      log.error({ err }, 'a text-message bid could not be handled');
      return {
        outcome: 'unavailable',
        reply: 'Sorry, we could not take your bid just now. Please send it again in a moment.',
      };
    });
    log.info(
      { outcome: answer.outcome, auctionId: answer.auctionId, seq: answer.seq, confirms: answer.confirms },
      'text-message bid',
    );
    if (answer.outcome === 'unknown_sender') metrics?.webhookRefused(msg.provider, 'unknown_sender');
    else if (answer.outcome === 'rate_limited') metrics?.rateLimited('bid');
    return answer;
  }

  private async decide(msg: InboundMessage, correlationId: string): Promise<IngressAnswer> {
    // Normalised to E.164; "possible" (right length for its country), not "valid": numbering plans
    // change faster than a library's metadata, and only a number in the directory is let in anyway.
    const parsedPhone = parsePhoneNumberFromString(msg.from);
    const phone = parsedPhone?.isPossible() === true ? parsedPhone.number : undefined;
    const bidderId = phone === undefined ? undefined : await this.deps.directory.bidderByPhone(phone);
    if (phone === undefined || bidderId === undefined)
      return {
        outcome: 'unknown_sender',
        reply: 'This number is not registered for bidding. Please register with the auction house first.',
      };
    const yes = CONFIRMATION.exec(msg.text);
    if (yes !== null) return this.confirm(phone, bidderId, yes[1]);
    const parsed = parseBidMessage(msg.text);
    if (!parsed.ok)
      return {
        outcome: 'unreadable',
        reply:
          parsed.problem === 'AMBIGUOUS_CURRENCY'
            ? `Your message names two currencies. ${HELP}`
            : `Sorry, we could not read a bid in your message. ${HELP}`,
      };
    const found = await this.findLot(parsed.lot, bidderId);
    if (found.kind === 'none')
      return { outcome: 'unknown_lot', reply: `There is no lot "${parsed.lot}" open for bids. ${HELP}` };
    if (found.kind === 'many')
      return {
        outcome: 'ambiguous_lot',
        reply: `Lot ${parsed.lot} is in more than one sale: send its code instead (${found.codes.join(' or ')}).`,
      };
    const { lot, currency } = found;
    const label = `Lot ${lot.lotNumber}`;
    let amount: number;
    let max: number | undefined;
    try {
      amount = amountIn(parsed.amount, currency, 'amount');
      max = parsed.max === undefined ? undefined : amountIn(parsed.max, currency, 'max');
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      return { outcome: 'bad_amount', auctionId: lot.id, reply: `${label}: ${err.message}.` };
    }
    if (amount === 0 || (max !== undefined && max < amount))
      return {
        outcome: 'bad_amount',
        auctionId: lot.id,
        reply: `${label}: ${amount === 0 ? 'the bid must be more than zero' : 'the maximum must be at least the bid'}.`,
      };
    try {
      await this.deps.limiter.consume(bidderId);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      const wait = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
      return {
        outcome: 'rate_limited',
        auctionId: lot.id,
        reply: `Too many bids in a short time: wait ${wait} s and send again.`,
      };
    }
    if (needsConfirmation(this.deps.confirm.thresholds, currency, amount, max)) {
      const asked = await this.deps.confirm.store.request({
        phone,
        bidderId,
        auctionId: lot.id,
        lotNumber: lot.lotNumber,
        currency,
        amount,
        max,
        channel: msg.channel,
        messageKey: correlationId,
      });
      if (asked.kind === 'locked')
        return { outcome: 'confirmation_refused', auctionId: lot.id, reply: LOCKED };
      // A redelivery of a bid message already confirmed: the bid's own (stored) answer.
      if (asked.kind === 'confirmed') return this.placeConfirmed(asked.bid);
      if (asked.kind === 'expired')
        return {
          outcome: 'confirmation_refused',
          auctionId: lot.id,
          reply: `${label}: the time to confirm this bid has passed. Send the bid again for a new code.`,
        };
      return { outcome: 'confirmation_requested', auctionId: lot.id, reply: this.askFor(asked.bid) };
    }
    const d = await this.deps.engine.placeBid({
      auctionId: lot.id,
      bidderId,
      amount,
      max,
      idempotencyKey: correlationId,
      source: msg.channel,
      correlationId,
      assurance: 'caller_id',
    });
    return {
      outcome: d.outcome,
      auctionId: lot.id,
      seq: d.seq,
      reply: `${label}: ${replyFor(d, bidderId, currency, max)}`,
    };
  }

  /** "Reply YES 482913 within 5 minutes to bid EUR 25,000.00 on lot 102." */
  private askFor(bid: PendingBid): string {
    const m = (v: number): string => displayAmount(v, bid.currency);
    const ms = this.deps.confirm.windowMs;
    const within =
      ms % 60_000 === 0
        ? `${ms / 60_000} minute${ms === 60_000 ? '' : 's'}`
        : `${Math.ceil(ms / 1000)} seconds`;
    const max = bid.max === undefined ? '' : ` (maximum ${m(bid.max)})`;
    return `Reply YES ${bid.code} within ${within} to bid ${m(bid.amount)}${max} on lot ${bid.lotNumber}. Not your bid? Ignore this message: nothing is bid without the code.`;
  }

  /** A "YES <code>" from a registered number: places the bid it confirms, or says why not. */
  private async confirm(phone: string, bidderId: string, code: string | undefined): Promise<IngressAnswer> {
    const refused = (reply: string): IngressAnswer => ({ outcome: 'confirmation_refused', reply });
    if (code === undefined)
      return refused('To confirm a bid, reply YES and the code we sent, e.g. "YES 482913".');
    const r = await this.deps.confirm.store.reply(phone, code);
    switch (r.kind) {
      case 'confirmed':
        // The number changed hands since the code was sent: the code was for its former bidder.
        if (r.bid.bidderId !== bidderId)
          return refused('This code was sent for another bidder. Send your bid again for a new code.');
        return this.placeConfirmed(r.bid);
      case 'wrong_code':
        return refused(
          `That code does not match a bid waiting for confirmation from this number (${r.attemptsLeft} ${r.attemptsLeft === 1 ? 'try' : 'tries'} left).`,
        );
      case 'expired':
        return refused('That code has expired. Send your bid again for a new code.');
      case 'none':
        return refused('There is no bid waiting for confirmation from this number.');
      case 'locked':
        return refused(LOCKED);
    }
  }

  /** The confirmed bid, placed with its bid message's id as key and correlation id: a repeat has one effect. */
  private async placeConfirmed(bid: PendingBid): Promise<IngressAnswer> {
    const d = await this.deps.engine.placeBid({
      auctionId: bid.auctionId,
      bidderId: bid.bidderId,
      amount: bid.amount,
      max: bid.max,
      idempotencyKey: bid.messageKey,
      source: bid.channel,
      correlationId: bid.messageKey,
      assurance: 'confirmed',
    });
    return {
      outcome: d.outcome,
      auctionId: bid.auctionId,
      seq: d.seq,
      confirms: bid.messageKey,
      reply: `Lot ${bid.lotNumber}: ${replyFor(d, bid.bidderId, bid.currency, bid.max)}`,
    };
  }

  /**
   * The lot a message names: by code (the engine's id) or lot number, among the sales the sender
   * may see (an invite-only sale's lots are unknown lots to the uninvited).
   */
  private async findLot(
    ref: string,
    bidderId: string,
  ): Promise<
    | { kind: 'one'; lot: CatalogueLot; currency: string }
    | { kind: 'many'; codes: string[] }
    | { kind: 'none' }
  > {
    const wanted = ref.toLowerCase();
    const matches: { lot: CatalogueLot; currency: string }[] = [];
    const viewer = { id: bidderId, role: 'bidder' } as const;
    for (const summary of await this.deps.catalogue.sales(viewer)) {
      const sale = await this.deps.catalogue.sale(summary.id, viewer);
      for (const lot of sale?.lots ?? [])
        if (lot.id.toLowerCase() === wanted || lot.lotNumber.toLowerCase() === wanted)
          matches.push({ lot, currency: sale!.currency });
    }
    if (matches.length === 1) return { kind: 'one', ...matches[0]! };
    if (matches.length === 0) return { kind: 'none' };
    // The same lot number in several sales: the one still taking bids, if only one is.
    const open: typeof matches = [];
    for (const m of matches) {
      const snap = await this.deps.engine.snapshot(m.lot.id);
      // Taking bids, or not yet offered (a live lot takes absentee maximums while scheduled).
      if (snap !== undefined && isBiddableOrWaiting(snap.view.status)) open.push(m);
    }
    if (open.length === 1) return { kind: 'one', ...open[0]! };
    return { kind: 'many', codes: (open.length > 0 ? open : matches).map((m) => m.lot.id) };
  }
}

/** An amount in the lot's currency: a currency or symbol the sender named must be the sale's. */
function amountIn(a: ParsedAmount, currency: string, field: 'amount' | 'max'): number {
  if (
    (a.currency !== undefined && a.currency !== currency) ||
    (a.symbol !== undefined && a.symbol !== symbolOf(currency))
  )
    throw new AppError('WRONG_CURRENCY', `bids on this lot are in ${currency}`);
  return parseAmount(a.decimal, currency, field);
}

function symbolOf(currency: string): string | undefined {
  return new Intl.NumberFormat('en', { style: 'currency', currency, currencyDisplay: 'narrowSymbol' })
    .formatToParts(0)
    .find((p) => p.type === 'currency')?.value;
}

function replyFor(d: BidDecision, bidderId: string, currency: string, max: number | undefined): string {
  const m = (v: number): string => displayAmount(v, currency);
  if (d.outcome !== 'accepted') return `${rejectionMessage(d, currency)}.`;
  if (d.kind === 'absentee')
    return `your absentee bid up to ${m(d.amount)} is recorded; it bids for you when the lot opens.`;
  if (d.kind === 'max_raised')
    return `your maximum is now ${m(max ?? d.amount)}; you still lead at ${m(d.price)}.`;
  const lead = d.leaderId === bidderId ? `you lead at ${m(d.price)}` : `the price is ${m(d.price)}`;
  const keep = max !== undefined ? ` Your maximum of ${m(max)} stays confidential.` : '';
  return `bid accepted, ${lead}. Next bid ${m(d.asking)}.${keep}`;
}
