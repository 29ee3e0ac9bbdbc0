/**
 * Every bid the run tried, as the clients saw them, and each lot's asking price as the answers
 * showed it: the bidders pick their amounts from it, and the final burst avoids a lot's leader.
 */
import type { BidRecord } from './bids.ts';

export class BidBook {
  /** Every bid, in the order it was made; placeBid fills in the outcome. */
  readonly tried: BidRecord[] = [];
  private readonly askingPrices: Map<string, number>;
  private keyCounter = 0;
  private readonly runId: string;

  constructor(runId: string, lots: readonly string[], opening: number) {
    this.runId = runId;
    this.askingPrices = new Map(lots.map((l) => [l, opening]));
  }

  /** A lot's asking price: the highest any answer reported (the opening price before any). */
  asking(lot: string): number {
    const a = this.askingPrices.get(lot);
    if (a === undefined) throw new Error(`no lot ${lot} in this run`);
    return a;
  }

  /** An answer reported the lot's asking price; only ever raises it (answers arrive out of order). */
  readonly onAsking = (lot: string, a: number): void => {
    if (a > (this.askingPrices.get(lot) ?? 0)) this.askingPrices.set(lot, a);
  };

  /** A new pending bid with the run's next idempotency key, recorded as tried. */
  newBid(bidder: string, lot: string, amount: number): BidRecord {
    const rec: BidRecord = {
      bidder,
      lot,
      key: `${this.runId}-k${++this.keyCounter}`,
      amount,
      sentAt: Date.now(),
      attempts: 0,
      outcome: 'pending',
      retriedOn: [],
    };
    this.tried.push(rec);
    return rec;
  }

  /** Who leads a lot, as the answers say: the bidder of its latest accepted bid. */
  leaderOf(lot: string): string | undefined {
    let latest: BidRecord | undefined;
    for (const b of this.tried)
      if (b.lot === lot && b.outcome === 'accepted' && (latest === undefined || b.seq! > latest.seq!))
        latest = b;
    return latest?.bidder;
  }

  accepted(): number {
    return this.tried.filter((b) => b.outcome === 'accepted').length;
  }

  /** Bids answered accepted in the second before `at` (what a host crash could lose with everysec). */
  acceptedInSecondBefore(at: number): number {
    return this.tried.filter(
      (b) => b.outcome === 'accepted' && b.answeredAt !== undefined && b.answeredAt > at - 1000,
    ).length;
  }
}
