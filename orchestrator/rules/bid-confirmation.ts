/** The house's bid confirmation default (docs/bidders.md): bids of 10,000 whole units and more, once per lot. */
import { parseAmount } from '../../common/money.ts';

/** 10,000 whole units of `currency`, in its minor units. */
export function confirmDefault(currency: string): number {
  return parseAmount('10000', currency, 'confirmBidsFrom');
}
