/** The bidder client's own rendering: a lot card of the sale room, the bidder's bids, the confirmation dialog. */
import type { CatalogueLot, PublicAuctionView } from '../../common/contracts/index.ts';
import type { OwnBid } from './bidder-state.ts';
import { byId, h, setText } from './dom.ts';
import { withCurrency } from './money.ts';
import { t } from './i18n/page.ts';
import type { Quote } from './premium.ts';
import { lotPicture } from './view.ts';

/** One lot of the sale room: image, number, title, live price, status, and the bidder's standing ("You lead", "You won"…). */
export function lotCardOf(
  lot: CatalogueLot,
  v: PublicAuctionView | undefined,
  status: { phase: string; text: string } | undefined,
  /** The bidder's standing: its state (`data-state`, which colours the badge) and its word. */
  mine: { state: string; text: string } | undefined,
  star?: HTMLElement,
): HTMLElement {
  const thumbnail = lotPicture(lot)?.thumb;
  return h(
    'li',
    { class: star === undefined ? undefined : 'has-star' },
    h(
      'a',
      { href: `#lot=${encodeURIComponent(lot.id)}`, class: 'lot-card-link', 'data-lot': lot.id },
      // Decorative here: the title is the link's text. The uploaded thumbnail (320 px) when there is one.
      thumbnail === undefined ? null : h('img', { src: thumbnail, alt: '', width: '96', height: '72' }),
      h('span', { class: 'lot-no' }, t('lot.number', { lot: lot.lotNumber })),
      h('span', { class: 'lot-name' }, lot.title),
      h(
        'span',
        { class: 'lot-price' },
        v === undefined ? '' : v.leader === null ? t('lot.noBids') : withCurrency(v.price, v.currency),
      ),
      h(
        'span',
        { class: `status status-${v?.status ?? 'unknown'}`, 'data-phase': status?.phase },
        status?.text ?? '',
      ),
      mine === undefined ? null : h('span', { class: 'you-lead', 'data-state': mine.state }, mine.text),
    ),
    // Beside the link, not in it: a control inside a link is neither valid nor reachable alike.
    star ?? null,
  );
}

/** The bidder's own bids on the lot (#my-bids), newest first. */
export function renderOwnBids(own: readonly OwnBid[], currency: string): void {
  const items = [...own]
    .reverse()
    .map((b) =>
      h(
        'li',
        { 'data-seq': String(b.seq) },
        h('span', { class: 'amount' }, withCurrency(b.amount, currency)),
        h('time', { datetime: b.at }, new Date(b.at).toLocaleTimeString()),
      ),
    );
  byId('my-bids').replaceChildren(
    ...(items.length > 0 ? items : [h('li', { class: 'empty' }, t('bids.noneYet'))]),
  );
}

/** What the confirmation asks: the lot as the catalogue names it (never an internal id), and that the bid binds. */
export function confirmText(what: string, lot: Pick<CatalogueLot, 'lotNumber' | 'title'>): string {
  return t('confirm.question', { what, lot: lot.lotNumber, title: lot.title });
}

/** What a bid commits the bidder to, for the confirmation: the invoice at that hammer, and the terms in a line. */
export interface Commitment {
  quote: Quote;
  currency: string;
  /** "Buyer’s premium 25 % + tax 20 % on the premium". */
  terms: string;
  termsUrl: string | undefined;
}

/** The confirmation's sum: bid, premium, tax (when charged) and the total the bidder commits to. */
function renderCommitment(c: Commitment | undefined): void {
  const box = byId('confirm-sum');
  box.hidden = c === undefined;
  if (c === undefined) return box.replaceChildren();
  const money = (a: string): string => withCurrency(a, c.currency);
  const row = (label: string, amount: string, cls?: string): HTMLElement =>
    h('div', { class: cls }, h('dt', {}, label), h('dd', {}, money(amount)));
  box.replaceChildren(
    h(
      'dl',
      { class: 'commitment' },
      row(t('confirm.hammer'), c.quote.hammer),
      row(t('confirm.premium'), c.quote.premium),
      c.quote.tax === '0' || /^0\.0+$/.test(c.quote.tax) ? null : row(t('confirm.tax'), c.quote.tax),
      row(t('confirm.total'), c.quote.total, 'total'),
    ),
    h(
      'p',
      { class: 'hint' },
      `${c.terms}. `,
      c.termsUrl === undefined ? null : h('a', { href: c.termsUrl, target: '_blank' }, t('confirm.terms')),
    ),
  );
}

/** Large bids are confirmed in a modal dialog (not window.confirm: it blocks the live updates). */
export function confirmBid(
  what: string,
  lot: Pick<CatalogueLot, 'lotNumber' | 'title'>,
  commitment?: Commitment,
): Promise<boolean> {
  const dialog = byId<HTMLDialogElement>('confirm');
  setText(byId('confirm-text'), confirmText(what, lot));
  renderCommitment(commitment);
  dialog.returnValue = '';
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'yes'), { once: true });
  });
}
