/** The bidder client's own rendering: a lot card of the sale room, the bidder's bids, the confirmation dialog. */
import type { CatalogueLot, PublicAuctionView } from '../../common/contracts/index.ts';
import type { OwnBid } from './bidder-state.ts';
import { byId, h, setText } from './dom.ts';
import { withCurrency } from './money.ts';
import { lotPicture } from './view.ts';

/** One lot of the sale room: image, number, title, live price, status, and the bidder's standing ("You lead", "You won"…). */
export function lotCardOf(
  lot: CatalogueLot,
  v: PublicAuctionView | undefined,
  status: { phase: string; text: string } | undefined,
  mine: string | undefined,
): HTMLElement {
  const thumbnail = lotPicture(lot)?.thumb;
  return h(
    'li',
    {},
    h(
      'a',
      { href: `#lot=${encodeURIComponent(lot.id)}`, class: 'lot-card-link', 'data-lot': lot.id },
      // Decorative here: the title is the link's text. The uploaded thumbnail (320 px) when there is one.
      thumbnail === undefined ? null : h('img', { src: thumbnail, alt: '', width: '96', height: '72' }),
      h('span', { class: 'lot-no' }, `Lot ${lot.lotNumber}`),
      h('span', { class: 'lot-name' }, lot.title),
      h(
        'span',
        { class: 'lot-price' },
        v === undefined ? '' : v.leader === null ? 'No bids' : withCurrency(v.price, v.currency),
      ),
      h(
        'span',
        { class: `status status-${v?.status ?? 'unknown'}`, 'data-phase': status?.phase },
        status?.text ?? '',
      ),
      mine === undefined ? null : h('span', { class: 'you-lead' }, mine),
    ),
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
    ...(items.length > 0 ? items : [h('li', { class: 'empty' }, 'No bids yet.')]),
  );
}

/** Large bids are confirmed in a modal dialog (not window.confirm: it blocks the live updates). */
/** What the confirmation asks: the lot as the catalogue names it (never an internal id), and that the bid binds. */
export function confirmText(what: string, lot: Pick<CatalogueLot, 'lotNumber' | 'title'>): string {
  return `${what} on lot ${lot.lotNumber}, ${lot.title}? This is a binding bid.`;
}

export function confirmBid(what: string, lot: Pick<CatalogueLot, 'lotNumber' | 'title'>): Promise<boolean> {
  const dialog = byId<HTMLDialogElement>('confirm');
  setText(byId('confirm-text'), confirmText(what, lot));
  dialog.returnValue = '';
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'yes'), { once: true });
  });
}
