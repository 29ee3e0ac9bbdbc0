/**
 * The bidder's live sale room on top of the lot pages (/bid): auto-follow of the lot on the block,
 * the auctioneer's call (fair warning, hold, the result), the auctioneer's messages, the sale's
 * results so far, and "not live" while the page's feed is down. bid.ts calls it from a few hooks;
 * the rules are in follow.ts, call.ts, sale-messages.ts, sale-results.ts and stale.ts.
 */
import type {
  CatalogueLot,
  PublicAuctionView,
  SaleCatalogue,
  SaleMessage,
} from '../../common/contracts/index.ts';
import { t } from './i18n/page.ts';
import { callOf, isNewFairWarning } from './call.ts';
import { byId, h, setText, show } from './dom.ts';
import { AUTO_FOLLOW_KEY, autoFollowOf, followMove, initialOnBlock, liveOnBlock } from './follow.ts';
import type { ConnectionState } from './live.ts';
import { MessageLog } from './sale-messages.ts';
import { saleResults } from './sale-results.ts';
import { signInAgainHref, staleness, type LinkState } from './stale.ts';
import { renderConnection } from './view.ts';

const SEEN_MESSAGES_KEY = 'gavel.bid.messages';

function stored(storage: () => Storage, key: string): string | null {
  try {
    return storage().getItem(key);
  } catch {
    return null; // storage refused (private mode, a sandbox): the defaults apply
  }
}

function store(storage: () => Storage, key: string, value: string): void {
  try {
    storage().setItem(key, value);
  } catch {
    // not kept: it holds for this page only
  }
}

/** The header's connection pill becomes "Signed out" with a "Sign in again" link back to this page. */
export function offerSignIn(): void {
  const conn = byId('conn');
  conn.dataset.state = 'signed_out';
  setText(conn, t('conn.signedOut'));
  const again = byId<HTMLAnchorElement>('sign-in-again');
  again.href = signInAgainHref(location);
  show(again, true);
  show(byId('session-ended'), true);
}

export class LiveRoom {
  private readonly sales: readonly SaleCatalogue[];
  private readonly viewOf: (id: string) => PublicAuctionView | undefined;
  /** Per live sale: the lot last seen on the block (kept between lots). */
  private readonly lastOnBlock = new Map<string, string | undefined>();
  /** The lot offered by "Lot N is now on the block — go", if any. */
  private offered: string | undefined;
  private autoFollow: boolean;
  private link: LinkState = 'connecting';
  /** Per lot: the seq of the fair warning already signalled (vibration once per call). */
  private readonly buzzed = new Map<string, number>();
  private readonly messages: MessageLog;
  private readonly onChange: () => void;

  constructor(
    sales: readonly SaleCatalogue[],
    viewOf: (id: string) => PublicAuctionView | undefined,
    onChange: () => void,
  ) {
    this.sales = sales;
    this.viewOf = viewOf;
    this.onChange = onChange;
    this.autoFollow = autoFollowOf(stored(() => localStorage, AUTO_FOLLOW_KEY));
    const seen = stored(() => sessionStorage, SEEN_MESSAGES_KEY);
    this.messages = new MessageLog(seen === null ? [] : seen.split('\n').filter((x) => x !== ''));
  }

  private liveSales(): readonly SaleCatalogue[] {
    return this.sales.filter((s) => s.mode === 'live');
  }

  private status = (id: string): PublicAuctionView['status'] | undefined => this.viewOf(id)?.status;

  /** Once the first snapshots are in: the lot on the block of each live sale, and the controls. */
  init(): void {
    for (const sale of this.liveSales())
      this.lastOnBlock.set(sale.id, initialOnBlock(sale.lots, this.status));
    const toggle = byId<HTMLInputElement>('auto-follow');
    toggle.checked = this.autoFollow;
    toggle.addEventListener('change', () => {
      this.autoFollow = toggle.checked;
      store(() => localStorage, AUTO_FOLLOW_KEY, toggle.checked ? 'on' : 'off');
    });
    byId('sale-message-dismiss').addEventListener('click', () => {
      const shown = byId('sale-message').dataset.sale;
      if (shown !== undefined) this.messages.dismiss(shown);
      this.renderMessage(undefined);
      byId('auto-follow').focus();
    });
  }

  // ── Connection and session ────────────────────────────────────────────────────────────────────

  setConnection(state: ConnectionState): void {
    if (this.link === 'signed_out') return;
    this.link = state;
    renderConnection(state);
    this.onChange();
  }

  /** The session was refused (401, or the token could not be renewed): offer sign-in, stop spinning. */
  signedOut(): void {
    this.link = 'signed_out';
    offerSignIn();
    this.onChange();
  }

  isSignedOut(): boolean {
    return this.link === 'signed_out';
  }

  /** Whether the screen may be out of date: bidding waits. */
  isStale(): boolean {
    return staleness(this.link).stale;
  }

  /** The Bid and maximum buttons wait while not live (called after the page set them for the lot). */
  holdBidding(bid: HTMLButtonElement, max: HTMLButtonElement): void {
    const { buttonText } = staleness(this.link);
    bid.dataset.waiting = String(buttonText !== undefined);
    if (buttonText === undefined) return;
    bid.disabled = true;
    max.disabled = true;
    setText(bid, buttonText);
  }

  // ── What follows each render ─────────────────────────────────────────────────────────────────

  /** After the page rendered `viewing` (undefined: the sale room): follow, call, results, stale marks. */
  afterRender(viewing: string | undefined): void {
    // The toggle and the offer belong to the live sale: not on a timed lot's page.
    const sale = viewing === undefined ? undefined : this.saleOf(viewing);
    show(byId('live-strip'), this.liveSales().length > 0 && (sale === undefined || sale.mode === 'live'));
    this.follow(viewing);
    this.renderCall(viewing);
    this.renderLotResults(viewing);
    this.renderStale(viewing);
    this.renderMessage(this.messages.current(this.salesShown(viewing)));
  }

  private follow(viewing: string | undefined): void {
    for (const sale of this.liveSales()) {
      const onBlock = liveOnBlock(sale.lots, this.status)?.id;
      const move = followMove({
        lastOnBlock: this.lastOnBlock.get(sale.id),
        onBlock,
        viewing,
        autoFollow: this.autoFollow,
      });
      if (onBlock !== undefined) this.lastOnBlock.set(sale.id, onBlock);
      if (move.kind === 'go') {
        this.offered = undefined;
        location.hash = `lot=${encodeURIComponent(move.lotId)}`;
      } else if (move.kind === 'offer') this.offered = move.lotId;
    }
    if (this.offered !== undefined && this.offered === viewing) this.offered = undefined;
    const lot = this.offered === undefined ? undefined : this.lotOf(this.offered);
    const offer = byId('follow-offer');
    if (lot === undefined) offer.replaceChildren();
    else if (offer.firstElementChild?.getAttribute('data-lot') !== lot.id)
      offer.replaceChildren(
        h(
          'a',
          { href: `#lot=${encodeURIComponent(lot.id)}`, 'data-lot': lot.id, class: 'follow-go' },
          t('follow.offer', { lot: lot.lotNumber }),
        ),
      );
  }

  private lotOf(id: string): CatalogueLot | undefined {
    for (const sale of this.sales) for (const lot of sale.lots) if (lot.id === id) return lot;
    return undefined;
  }

  private saleOf(lotId: string): SaleCatalogue | undefined {
    return this.sales.find((s) => s.lots.some((l) => l.id === lotId));
  }

  /** The sales whose news this screen shows: the lot's sale, or every sale in the sale room. */
  private salesShown(viewing: string | undefined): string[] {
    if (viewing === undefined) return this.sales.map((s) => s.id);
    const sale = this.saleOf(viewing);
    return sale === undefined ? [] : [sale.id];
  }

  /** The call of the lot on screen, or in the sale room of the live lot on the block. */
  private renderCall(viewing: string | undefined): void {
    let view: PublicAuctionView | undefined;
    let prefix = '';
    if (viewing !== undefined) view = this.viewOf(viewing);
    else
      for (const sale of this.liveSales()) {
        const lot = liveOnBlock(sale.lots, this.status);
        if (lot === undefined) continue;
        view = this.viewOf(lot.id);
        prefix = `Lot ${lot.lotNumber}: `;
        break;
      }
    const call = view === undefined ? undefined : callOf(view);
    const banner = byId('call-banner');
    banner.dataset.call = call?.kind ?? 'none';
    // A stale call is not announced as news.
    banner.dataset.stale = String(this.isStale());
    if (call === undefined) {
      setText(banner, '');
      return;
    }
    const politeness = call.urgent ? 'assertive' : 'polite';
    if (banner.getAttribute('aria-live') !== politeness) banner.setAttribute('aria-live', politeness);
    setText(banner, `${prefix}${call.text}`);
    if (view !== undefined && isNewFairWarning(view, this.buzzed)) {
      this.buzzed.set(view.auctionId, view.seq);
      if (!this.isStale() && 'vibrate' in navigator) navigator.vibrate([200, 100, 200]);
    }
  }

  /** The results list of a live sale, for the sale room's section of that sale; null for a timed sale. */
  resultsOf(sale: SaleCatalogue): HTMLElement | null {
    if (sale.mode !== 'live') return null;
    const titleId = `results-${sale.id}`;
    return h(
      'section',
      { class: 'results', 'aria-labelledby': titleId, 'data-sale': sale.id },
      h('h3', { id: titleId }, t('bid.resultsSoFar')),
      this.resultsList(sale),
    );
  }

  private resultsList(sale: SaleCatalogue, list = h('ol', { class: 'results-list' })): HTMLElement {
    const rows = saleResults(sale.lots, this.viewOf);
    list.replaceChildren(
      ...(rows.length === 0
        ? [h('li', { class: 'empty' }, t('room.noResults'))]
        : rows.map((r) =>
            h(
              'li',
              { 'data-lot': r.lotId, 'data-outcome': r.outcome },
              h('span', { class: 'lot-no' }, `Lot ${r.lotNumber}`),
              h('span', { class: 'result-title' }, r.title),
              h('span', { class: 'result-outcome' }, r.text),
            ),
          )),
    );
    return list;
  }

  private renderLotResults(viewing: string | undefined): void {
    const sale = viewing === undefined ? undefined : this.saleOf(viewing);
    const live = sale?.mode === 'live';
    show(byId('lot-results'), live);
    if (sale !== undefined && live) this.resultsList(sale, byId('lot-results-list'));
  }

  /** Dims the price and status and says "not live" in words; a lead is not shown in green. */
  private renderStale(viewing: string | undefined): void {
    const { stale, label } = staleness(this.link);
    byId('price-box').dataset.stale = String(stale);
    setText(byId('live-mark'), stale ? `· ${label}` : '');
    byId('lot-status').dataset.stale = String(stale);
    const mine = byId('my-status');
    mine.dataset.stale = String(stale);
    const view = viewing === undefined ? undefined : this.viewOf(viewing);
    if (stale && mine.dataset.state === 'leading' && view !== undefined) setText(mine, t('stale.youLed'));
    byId('sales').dataset.stale = String(stale);
  }

  // ── Messages ────────────────────────────────────────────────────────────────────────────────

  onMessage(m: SaleMessage): void {
    if (!this.messages.accept(m)) return;
    store(() => sessionStorage, SEEN_MESSAGES_KEY, this.messages.ids().slice(-200).join('\n'));
    this.onChange();
  }

  private renderMessage(m: SaleMessage | undefined): void {
    const box = byId('sale-message');
    box.dataset.shown = String(m !== undefined);
    if (m === undefined) delete box.dataset.sale;
    else box.dataset.sale = m.saleId;
    box.dataset.id = m?.id ?? '';
    setText(byId('sale-message-text'), m === undefined ? '' : `Auctioneer: ${m.text}`);
    show(byId('sale-message-dismiss'), m !== undefined);
  }
}
