/**
 * The auctioneer's messages to a sale's bidders as the page keeps them (no DOM; tested without a
 * browser): the latest of each sale, each id shown once — a replay after a reconnect, or the same
 * message again from a snapshot, neither shows it twice nor brings back one the bidder dismissed.
 */
import type { SaleMessage } from '../../common/contracts/index.ts';

export class MessageLog {
  /** Every id this page has taken (shown or dismissed). */
  private readonly seen: Set<string>;
  /** The message up now, per sale. */
  private readonly latest = new Map<string, SaleMessage>();

  /** `seen`: ids taken earlier (kept in sessionStorage, so a reload does not show them again). */
  constructor(seen: Iterable<string> = []) {
    this.seen = new Set(seen);
  }

  /** Takes a message; true when it is new and now the one shown for its sale. */
  accept(m: SaleMessage): boolean {
    if (this.seen.has(m.id)) return false;
    this.seen.add(m.id);
    const held = this.latest.get(m.saleId);
    // An older message arriving late (a replay's order) never replaces a newer one.
    if (held !== undefined && Date.parse(held.sentAt) > Date.parse(m.sentAt)) return false;
    this.latest.set(m.saleId, m);
    return true;
  }

  dismiss(saleId: string): void {
    this.latest.delete(saleId);
  }

  /** The message to show for these sales: the newest of theirs still up. */
  current(saleIds: Iterable<string>): SaleMessage | undefined {
    let best: SaleMessage | undefined;
    for (const id of saleIds) {
      const m = this.latest.get(id);
      if (m !== undefined && (best === undefined || Date.parse(m.sentAt) > Date.parse(best.sentAt))) best = m;
    }
    return best;
  }

  /** The ids taken, to keep. */
  ids(): string[] {
    return [...this.seen];
  }
}
