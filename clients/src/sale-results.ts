/**
 * "Results so far" of a live sale (no DOM; tested without a browser): each lot decided, in
 * catalogue order — sold with its hammer price, passed, withdrawn.
 */
import { isDecided, type CatalogueLot, type PublicAuctionView } from '../../common/contracts/index.ts';
import { withCurrency } from './money.ts';
import { t } from './i18n/page.ts';

export interface ResultRow {
  lotId: string;
  lotNumber: string;
  title: string;
  outcome: 'sold' | 'passed' | 'withdrawn';
  /** "Sold EUR 18,000.00", "Passed", "Withdrawn". */
  text: string;
}

export function saleResults(
  lots: readonly CatalogueLot[],
  viewOf: (id: string) => Pick<PublicAuctionView, 'status' | 'price' | 'currency'> | undefined,
  locale?: string,
): ResultRow[] {
  return lots.flatMap((lot): ResultRow[] => {
    const v = viewOf(lot.id);
    if (v === undefined || !isDecided(v.status)) return [];
    const row = { lotId: lot.id, lotNumber: lot.lotNumber, title: lot.title };
    if (v.status === 'sold')
      return [
        {
          ...row,
          outcome: 'sold',
          text: t('results.sold', { amount: withCurrency(v.price, v.currency, locale) }),
        },
      ];
    if (v.status === 'passed' || v.status === 'unsold')
      return [{ ...row, outcome: 'passed', text: t('status.passed') }];
    // Withdrawn, or a lot of a cancelled sale: not offered.
    return [
      {
        ...row,
        outcome: 'withdrawn',
        text: t(v.status === 'cancelled' ? 'status.cancelled' : 'status.withdrawn'),
      },
    ];
  });
}
