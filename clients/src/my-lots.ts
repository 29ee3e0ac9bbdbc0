/**
 * "My lots" on /bid (#mine, docs/bidders.md): the lots the bidder bid on or watches, grouped
 * Leading / Outbid / Won / Lost / Watching, from what the page already holds (the live states, the
 * bidder's notices and bids, the back office's lot.won / lot.lost). A won lot shows its invoice —
 * the back office's when lot.won came, else the same computation (premium.ts) — and what happens next.
 */
import type { BuyerTerms, CatalogueLot } from '../../common/contracts/index.ts';
import type { MyResult, MyState } from './bidder-state.ts';
import { h } from './dom.ts';
import { t } from './i18n/page.ts';
import { withCurrency } from './money.ts';
import { quote, type Quote } from './premium.ts';

export const MY_LOT_GROUPS = ['leading', 'outbid', 'won', 'lost', 'watching'] as const;
export type MyLotGroup = (typeof MY_LOT_GROUPS)[number];

/** Each group's heading with its count (catalogue keys `mine.<group>`). */
export const groupTitle = (g: MyLotGroup, count: number): string => t(`mine.${g}`, { count });

/** What the grouping looks at for one lot. */
export interface MyLotFacts {
  lotId: string;
  state: MyState;
  /** The bidder holds the standing bid (a timed lot closed with them highest is still theirs to win). */
  leading: boolean;
  watched: boolean;
}

/** The group a lot belongs in, or undefined when the bidder neither bid on it nor watches it. */
export function groupOf(f: MyLotFacts): MyLotGroup | undefined {
  switch (f.state) {
    case 'leading':
      return 'leading';
    case 'closed':
      return f.leading ? 'leading' : 'outbid';
    case 'outbid':
      return 'outbid';
    case 'won':
      return 'won';
    case 'lost':
    case 'unsold':
      return 'lost';
    case 'none':
      return f.watched ? 'watching' : undefined;
  }
}

/** The lots in each group, in the order given (sale order). */
export function groupMyLots(lots: readonly MyLotFacts[]): Record<MyLotGroup, string[]> {
  const groups: Record<MyLotGroup, string[]> = { leading: [], outbid: [], won: [], lost: [], watching: [] };
  for (const f of lots) {
    const g = groupOf(f);
    if (g !== undefined) groups[g].push(f.lotId);
  }
  return groups;
}

/** The invoice of a won lot: the back office's (lot.won), else computed from the hammer and the sale's terms. */
export function invoiceOf(
  result: MyResult | undefined,
  hammer: string,
  terms: BuyerTerms | undefined,
  lot: Pick<CatalogueLot, 'premium'>,
): Quote | undefined {
  if (result?.type === 'won')
    return { hammer: result.hammer, premium: result.premium, tax: result.tax, total: result.total };
  return terms === undefined ? undefined : quote(hammer, terms, lot.premium);
}

/** One lot of "My lots": what the page needs to show it. */
export interface MyLotItem {
  lot: CatalogueLot;
  group: MyLotGroup;
  /** The personal status sentence (bidder-state.ts myState). */
  text: string;
  currency: string;
  invoice?: Quote | undefined;
}

function invoiceBlock(q: Quote, currency: string): HTMLElement {
  const money = (a: string): string => withCurrency(a, currency);
  const row = (label: string, amount: string, cls?: string): HTMLElement =>
    h('div', { class: cls }, h('dt', {}, label), h('dd', {}, money(amount)));
  return h(
    'div',
    { class: 'invoice' },
    h(
      'dl',
      { class: 'commitment' },
      row(t('mine.hammer'), q.hammer),
      row(t('confirm.premium'), q.premium),
      row(t('confirm.tax'), q.tax),
      row(t('mine.totalDue'), q.total, 'total'),
    ),
    h('p', { class: 'hint' }, t('mine.nextSteps')),
  );
}

/** The #mine section's content: a heading and a list per non-empty group, or a line saying there is nothing yet. */
export function renderMyLots(container: HTMLElement, items: readonly MyLotItem[]): void {
  const sections = MY_LOT_GROUPS.map((g) => {
    const mine = items.filter((i) => i.group === g);
    if (mine.length === 0) return null;
    return h(
      'section',
      { class: `my-group my-${g}`, 'data-group': g, 'aria-labelledby': `mine-${g}` },
      h('h3', { id: `mine-${g}` }, groupTitle(g, mine.length)),
      h(
        'ul',
        { class: 'my-lots' },
        ...mine.map((i) =>
          h(
            'li',
            { 'data-lot': i.lot.id },
            h(
              'a',
              { href: `#lot=${encodeURIComponent(i.lot.id)}`, class: 'my-lot-link' },
              h('span', { class: 'lot-no' }, t('lot.number', { lot: i.lot.lotNumber })),
              h('span', { class: 'lot-name' }, i.lot.title),
            ),
            h('p', { class: 'my-text' }, i.text),
            i.invoice === undefined ? null : invoiceBlock(i.invoice, i.currency),
          ),
        ),
      ),
    );
  });
  const shown = sections.filter((s): s is HTMLElement => s !== null);
  container.replaceChildren(...(shown.length > 0 ? shown : [h('p', { class: 'empty' }, t('mine.empty'))]));
}
