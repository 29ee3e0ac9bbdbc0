import { byId, h, setText } from './dom.ts';
import { kindLabel, type ActivityEntry } from './lots.ts';
import type { MessageKey } from './i18n/index.ts';
import { t } from './i18n/page.ts';
import { withCurrency } from './money.ts';
import type { CatalogueLot, PublicAuctionView } from '../../common/contracts/index.ts';
import type { ConnectionState } from './live.ts';

/** Rendering shared by the floor console and the bidder client. */

/** The catalogue part of a lot card: image, number, title, estimate. */
export function renderLotHeader(
  lot: CatalogueLot,
  currency: string,
  els: { image: HTMLImageElement; number: HTMLElement; title: HTMLElement; estimate: HTMLElement },
): void {
  const picture = lotPicture(lot);
  // Once per lot: the bidder's gallery (lot-page.ts) may show another of the lot's images since.
  if (els.image.dataset.lot !== lot.id) {
    els.image.dataset.lot = lot.id;
    els.image.hidden = picture === undefined;
    if (picture !== undefined) {
      // The browser picks the thumbnail or the display size for the slot's width and the screen's density.
      if (picture.srcset === undefined) els.image.removeAttribute('srcset');
      else {
        els.image.srcset = picture.srcset;
        els.image.sizes = '(max-width: 600px) 100vw, 400px';
      }
      els.image.src = picture.src;
    }
    els.image.alt = picture?.alt ?? lot.title;
  }
  setText(els.number, `Lot ${lot.lotNumber}`);
  setText(els.title, lot.title);
  // The catalogue sends "" when the house gave no estimate.
  setText(
    els.estimate,
    lot.estimateLow === '' || lot.estimateHigh === ''
      ? t('lot.noEstimate')
      : t('lot.estimate', {
          low: withCurrency(lot.estimateLow, currency),
          high: withCurrency(lot.estimateHigh, currency),
        }),
  );
}

/**
 * The lot's picture: its first uploaded image (docs/media.md) with both sizes for `srcset`, else the
 * single `imageUrl` the house gave; undefined when it has neither.
 */
export function lotPicture(
  lot: CatalogueLot,
): { src: string; srcset?: string; thumb: string; alt: string } | undefined {
  const first = lot.images?.[0];
  if (first !== undefined)
    return {
      src: first.display.url,
      srcset: `${first.thumb.url} ${first.thumb.width}w, ${first.display.url} ${first.display.width}w`,
      thumb: first.thumb.url,
      alt: first.alt,
    };
  return lot.imageUrl === undefined ? undefined : { src: lot.imageUrl, thumb: lot.imageUrl, alt: lot.title };
}

/** "Internet · Bidder 3F2A9C" / "Floor · Paddle 112" / "No bids yet". */
export function leaderText(view: PublicAuctionView, mine?: string): string {
  if (view.leader === null) return t('bid.noBidsYet');
  const who = view.leader === mine ? t('leader.you', { mask: view.leader }) : view.leader;
  return `${kindLabel(view.leaderKind)} · ${who}`;
}

/** Activity lines, newest first, each marked internet / floor / absentee. */
export function renderActivity(
  list: HTMLElement,
  entries: ActivityEntry[],
  currency: string,
  limit = 40,
): void {
  const items = entries.slice(0, limit).map((e) => {
    const kind = e.action === 'bid' || e.action === 'floor_bid' ? e.leaderKind : null;
    return h(
      'li',
      { 'data-seq': String(e.seq), class: `activity-item kind-${kind ?? 'call'}` },
      h('span', { class: 'badge' }, kind === null ? t(`action.${e.action}`) : kindLabel(kind)),
      h('span', { class: 'amount' }, e.leader === null ? '—' : withCurrency(e.price, currency)),
      h('span', { class: 'who' }, kind === null ? '' : (e.leader ?? '')),
      h('time', { datetime: new Date(e.at).toISOString() }, new Date(e.at).toLocaleTimeString()),
    );
  });
  list.replaceChildren(...items);
}

/**
 * The lot on screen, as both pages show it (same element ids): catalogue header, status, standing
 * bid and leader. `mine` is the viewer's own mask (bidders), shown as "You".
 */
export function renderLotCard(lot: CatalogueLot, view: PublicAuctionView, mine?: string): void {
  renderLotHeader(lot, view.currency, {
    image: byId<HTMLImageElement>('lot-image'),
    number: byId('lot-number'),
    title: byId('lot-title'),
    estimate: byId('lot-estimate'),
  });
  const status = byId('lot-status');
  status.dataset.status = view.status;
  setText(
    status,
    view.status === 'on_hold'
      ? t('status.onHoldSaying', { message: view.message ?? '' })
      : t(`status.${view.status}`),
  );
  setText(byId('price'), view.leader === null ? '—' : withCurrency(view.price, view.currency));
  const leader = byId('leader');
  leader.dataset.kind = view.leaderKind ?? 'none';
  setText(leader, leaderText(view, mine));
}

const CONNECTION_TEXT: Record<ConnectionState, MessageKey> = {
  connecting: 'conn.connecting',
  live: 'conn.live',
  reconnecting: 'conn.reconnecting',
  offline: 'conn.offline',
};

/** The connection badge (#conn): its state as a data attribute and in words. */
export function renderConnection(state: ConnectionState): void {
  const el = byId('conn');
  el.dataset.state = state;
  setText(el, t(CONNECTION_TEXT[state]));
}
