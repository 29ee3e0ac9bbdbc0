/**
 * Whether a bid is confirmed before it goes out — the house's rule for the sale (`SaleCatalogue.bidConfirmation`,
 * docs/bidders.md): never, once per lot, or at every bid, for amounts of `from` and more. Pure, for unit tests.
 */
import type { BidConfirmation } from '../../common/contracts/index.ts';

/** Without a rule from the house: once per lot, from 10,000 whole units (the behaviour before it was a setting). */
export const DEFAULT_CONFIRMATION: BidConfirmation = { ask: 'once_per_lot', from: '10000' };

/** a ≥ b for non-negative decimal strings of any scale, exactly (integers, never floats); false when either is malformed. */
export function decimalAtLeast(a: string, b: string): boolean {
  const shape = /^(\d+)(?:\.(\d+))?$/;
  const ma = shape.exec(a);
  const mb = shape.exec(b);
  if (ma === null || mb === null) return false;
  const scale = Math.max(ma[2]?.length ?? 0, mb[2]?.length ?? 0);
  const minor = (m: RegExpExecArray): bigint => BigInt(`${m[1]!}${(m[2] ?? '').padEnd(scale, '0')}`);
  return minor(ma) >= minor(mb);
}

/**
 * Does a bid (or maximum) of `amount` on a lot need the bidder's confirmation? `confirmedBefore`: the
 * bidder already confirmed a bid on this lot (`once_per_lot` asks no more).
 */
export function needsConfirmation(
  rule: BidConfirmation | undefined,
  amount: string,
  confirmedBefore: boolean,
): boolean {
  const { ask, from } = rule ?? DEFAULT_CONFIRMATION;
  if (ask === 'never' || !decimalAtLeast(amount, from)) return false;
  return ask === 'every_bid' || !confirmedBefore;
}
