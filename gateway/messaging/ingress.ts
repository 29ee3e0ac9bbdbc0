/**
 * Bids by text message. Every provider's webhook becomes one `InboundMessage`; this turns it into
 * the same `placeBid` an HTTP bid makes — the same engine, the same atomic decision, the same
 * per-bidder rate limit, the same stored answer for a retry — and into the reply the sender reads.
 *
 * Exactly one effect per message: the provider's message id is the bid's Idempotency-Key, so a
 * webhook the provider delivers twice is decided once and answered twice with the same reply.
 * It is also the bid's correlation id, so the provider's id is on the ledger row and every log line.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { RateLimiterRes, type BurstyRateLimiter } from 'rate-limiter-flexible';
import type { BidderDirectory } from '../../common/directory.ts';
import { AppError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import { displayAmount, parseAmount } from '../../common/money.ts';
import type { BidDecision, BiddingService } from '../../bidding/index.ts';
import { rejectionMessage } from '../bid-messages.ts';
import type { Catalogue, CatalogueLot } from '../catalogue.ts';
import { parseBidMessage, type ParsedAmount } from './parse-bid.ts';

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
    | 'unavailable';
  auctionId?: string;
  seq?: number;
}

export interface MessagingIngressDeps {
  engine: BiddingService;
  catalogue: Catalogue;
  directory: BidderDirectory;
  limiter: BurstyRateLimiter;
  logger: Logger;
}

const HELP = 'Send the lot and your bid, e.g. "#102 2500" (or "#102 2500 max 4000" to leave a maximum).';
/** Statuses in which a lot takes bids (a live lot also takes absentee maximums while scheduled). */
const BIDDABLE = new Set(['open', 'fair_warning', 'scheduled']);

export class MessagingIngress {
  private readonly deps: MessagingIngressDeps;
  constructor(deps: MessagingIngressDeps) {
    this.deps = deps;
  }

  async handle(msg: InboundMessage): Promise<IngressAnswer> {
    const correlationId = `${msg.provider}:${msg.messageId}`;
    const log = this.deps.logger.child({ correlationId, channel: msg.channel });
    const answer = await this.decide(msg, correlationId).catch((err: unknown): IngressAnswer => {
      log.error({ err }, 'a text-message bid could not be handled');
      return {
        outcome: 'unavailable',
        reply: 'Sorry, we could not take your bid just now. Please send it again in a moment.',
      };
    });
    log.info({ outcome: answer.outcome, auctionId: answer.auctionId, seq: answer.seq }, 'text-message bid');
    return answer;
  }

  private async decide(msg: InboundMessage, correlationId: string): Promise<IngressAnswer> {
    // Normalised to E.164; "possible" (right length for its country), not "valid": numbering plans
    // change faster than a library's metadata, and only a number in the directory is let in anyway.
    const phone = parsePhoneNumberFromString(msg.from);
    const bidderId =
      phone?.isPossible() === true ? await this.deps.directory.bidderByPhone(phone.number) : undefined;
    if (bidderId === undefined)
      return {
        outcome: 'unknown_sender',
        reply: 'This number is not registered for bidding. Please register with the auction house first.',
      };
    const parsed = parseBidMessage(msg.text);
    if (!parsed.ok)
      return {
        outcome: 'unreadable',
        reply:
          parsed.problem === 'AMBIGUOUS_CURRENCY'
            ? `Your message names two currencies. ${HELP}`
            : `Sorry, we could not read a bid in your message. ${HELP}`,
      };
    const found = await this.findLot(parsed.lot);
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
    const d = await this.deps.engine.placeBid({
      auctionId: lot.id,
      bidderId,
      amount,
      max,
      idempotencyKey: correlationId,
      source: msg.channel,
      correlationId,
    });
    return {
      outcome: d.outcome,
      auctionId: lot.id,
      seq: d.seq,
      reply: `${label}: ${replyFor(d, bidderId, currency, max)}`,
    };
  }

  /** The lot a message names: by code (the engine's id) or lot number, among the catalogue's sales. */
  private async findLot(
    ref: string,
  ): Promise<
    | { kind: 'one'; lot: CatalogueLot; currency: string }
    | { kind: 'many'; codes: string[] }
    | { kind: 'none' }
  > {
    const wanted = ref.toLowerCase();
    const matches: { lot: CatalogueLot; currency: string }[] = [];
    for (const summary of await this.deps.catalogue.sales()) {
      const sale = await this.deps.catalogue.sale(summary.id);
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
      if (snap !== undefined && BIDDABLE.has(snap.view.status)) open.push(m);
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
    throw new AppError(400, 'WRONG_CURRENCY', `bids on this lot are in ${currency}`);
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
