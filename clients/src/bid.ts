/** The remote bidder's client (/bid): sale room, lot page, one-button bidding, personal status. */
import './jitless.ts';
import {
  bidListResponseSchema,
  bidResponseSchema,
  saleMessageResponseSchema,
  type BidderNotice,
  type CatalogueLot,
  type PublicAuctionView,
  type SaleCatalogue,
  type SaleSnapshotResponse,
} from '../../common/contracts/index.ts';
import { api, ApiError, postOnce, saveSession, type Session } from './api.ts';
import {
  acceptedText,
  bidButtonText,
  canBid,
  duration,
  isDecimal,
  lotPhase,
  myBadge,
  myState,
  type MyResult,
  type EndNews,
  type MyLot,
  type OwnBid,
} from './bidder-state.ts';
import { fetchSale, fetchSaleSnapshot, fetchSales } from './catalogue.ts';
import { confirmBid, lotCardOf, renderOwnBids } from './bid-view.ts';
import { renderLotDetails } from './lot-page.ts';
import { groupOf, invoiceOf, renderMyLots, type MyLotItem } from './my-lots.ts';
import { premiumText, quote } from './premium.ts';
import { WatchList } from './watchlist.ts';
import { byId, h, setText, show } from './dom.ts';
import { LiveFeed, type PageEvent } from './live.ts';
import { LiveRoom, offerSignIn } from './live-room.ts';
import { LotBook } from './lots.ts';
import { ownMask } from './mask.ts';
import { withCurrency } from './money.ts';
import { needsConfirmation } from './confirm-rule.ts';
import { refusalText } from './refusals.ts';
import { t } from './i18n/page.ts';
import { wireLangSwitch } from './i18n/switch.ts';
import { hubAccess, hubTokenRefused, signIn, signOut } from './session.ts';
import { endsSession, signInAgainHref } from './stale.ts';
import { traceDecision, traceRender } from './trace.ts';
import type { LiveUpdate, UpdateVia } from './types.ts';
import { renderActivity, renderLotCard } from './view.ts';

const STORAGE_KEY = 'gavel.bid';

class BidderClient {
  private readonly book = new LotBook();
  private readonly lots = new Map<string, { lot: CatalogueLot; sale: SaleCatalogue }>();
  private readonly masks = new Map<string, string>();
  private readonly ownBids = new Map<string, OwnBid[]>();
  private readonly notices = new Map<string, BidderNotice>();
  private readonly extendedAt = new Map<string, number>();
  /** Timed lots the back office said close soon. */
  private readonly closingSoon = new Set<string>();
  /** The lots' results for this bidder (lot.won / lot.lost). */
  private readonly results = new Map<string, MyResult>();
  /** A bid of ours a maximum answered at once (409 OUTBID): no notice comes for it, the answer is all we get. */
  private readonly answeredByMax = new Map<string, string>();
  private currentId: string | undefined;
  /** #mine: the "My lots" view instead of the sale room. */
  private mine = false;
  private readonly watch: WatchList;
  private bidding = false;
  /** Lots on which this bidder confirmed a bid: with the house's `once_per_lot`, later bids go straight in. */
  private readonly confirmed = new Set<string>();
  /** States applied since the last render: traced once the DOM shows them. */
  private shown: [PublicAuctionView, UpdateVia | 'snapshot'][] = [];
  private readonly session: Session;
  private readonly sales: SaleCatalogue[];
  /** Live sale room: auto-follow, the call, messages, results so far, "not live" (live-room.ts). */
  private readonly live: LiveRoom;
  private feed: LiveFeed | undefined;
  private probing = false;

  constructor(session: Session, sales: SaleCatalogue[]) {
    this.session = session;
    this.sales = sales;
    this.watch = new WatchList(session, () => this.render());
    for (const sale of sales) for (const lot of sale.lots) this.lots.set(lot.id, { lot, sale });
    this.live = new LiveRoom(
      sales,
      (id) => this.book.get(id),
      () => this.render(),
    );
  }

  async start(): Promise<void> {
    for (const s of this.sales) this.masks.set(s.id, await ownMask(s.id, this.session));
    const snaps = await this.loadSnapshots();
    this.live.init();
    this.route();
    window.addEventListener('hashchange', () => this.route());
    void this.watch.load();
    byId('lot-watch').addEventListener('click', () => {
      if (this.currentId !== undefined) void this.watch.toggle(this.currentId);
    });
    byId('bid-button').addEventListener('click', () => void this.bid());
    byId('max-form').addEventListener('submit', (e) => {
      e.preventDefault();
      void this.bid(byId<HTMLInputElement>('max-input').value.trim());
    });
    setInterval(() => this.renderCountdown(), 250);
    // A hub token the gateway will not renew: the session is over.
    const { hub, token } = await hubAccess(this.session, () => this.sessionEnded());
    // One EventSource: every sale's topic (all its lots) and this bidder's private topic.
    const topics = new Set(snaps.flatMap((s) => s.hub.topics));
    if (hub.privateTopic !== null) topics.add(hub.privateTopic);
    void this.loadLastMessages();
    this.feed = new LiveFeed({
      hubUrl: hub.hubUrl,
      topics: [...topics],
      // From now: the sale snapshots are fetched again once the connection is open (onOpen).
      lastEventId: snaps[0]?.hub.lastEventId,
      token,
      onUpdate: (u, via) => this.onUpdate(u, via),
      onNotice: (n) => this.onNotice(n),
      onPageEvent: (e) => this.onPageEvent(e),
      onSaleMessage: (m) => this.live.onMessage(m),
      onRefused: () => void this.checkSession(),
      onRestated: () => void this.resync(),
      onState: (state) => this.live.setConnection(state),
      onOpen: () => void this.resync(),
    });
    this.feed.start();
  }

  /**
   * The hub ended the stream: a hub token (and its cookie) that expired is renewed here, so the
   * reconnection works; a session the gateway refuses ends the feed and offers sign-in.
   */
  private async checkSession(): Promise<void> {
    if (this.probing || this.live.isSignedOut()) return;
    this.probing = true;
    try {
      if (await hubTokenRefused(this.session.token)) this.sessionEnded();
    } finally {
      this.probing = false;
    }
  }

  private sessionEnded(): void {
    this.feed?.stop();
    saveSession(STORAGE_KEY, undefined);
    this.live.signedOut();
  }

  /** Every sale's lots, one request per sale. */
  private async loadSnapshots(): Promise<SaleSnapshotResponse[]> {
    const snaps = await Promise.all(this.sales.map((s) => fetchSaleSnapshot(s.id, this.session.token)));
    for (const snap of snaps)
      for (const a of snap.auctions) if (this.book.apply(a)) this.shown.push([a, 'snapshot']);
    return snaps;
  }

  /** The auctioneer's latest message of each live sale, for a page that opens after it was sent. */
  private async loadLastMessages(): Promise<void> {
    for (const sale of this.sales.filter((s) => s.mode === 'live')) {
      const res = await api(`/v1/sales/${encodeURIComponent(sale.id)}/message`, saleMessageResponseSchema, {
        token: this.session.token,
      }).catch(() => undefined);
      if (res?.message != null) this.live.onMessage(res.message);
    }
  }

  /** After every (re)connection: snapshots (they close any gap the hub could not replay) and own bids. */
  private async resync(): Promise<void> {
    await this.loadSnapshots().catch(() => undefined);
    if (this.currentId !== undefined) await this.loadOwnBids(this.currentId);
    this.render();
  }

  private onUpdate(u: LiveUpdate, via: UpdateVia): void {
    this.book.record(u);
    if (u.extended) this.extendedAt.set(u.auctionId, Date.now());
    if (this.book.apply(u)) this.shown.push([u, via]);
    this.render();
  }

  private onNotice(n: BidderNotice): void {
    this.notices.set(n.auctionId, n);
    void this.loadOwnBids(n.auctionId).then(() => this.render());
    this.render();
  }

  /** The back office's news of a lot: closing soon, extended, the result, withdrawn, the sale cancelled. */
  private onPageEvent(e: PageEvent): void {
    switch (e.type) {
      case 'lot.closing_soon':
        this.closingSoon.add(e.lotId);
        break;
      case 'lot.extended':
        this.extendedAt.set(e.lotId, Date.now());
        break;
      case 'lot.won':
        this.results.set(e.lotId, { ...e, type: 'won' });
        break;
      case 'lot.lost':
        this.results.set(e.lotId, { ...e, type: 'lost' });
        break;
      case 'lot.withdrawn':
        this.book.settle(e.lotId, 'withdrawn');
        break;
      case 'sale.cancelled':
        for (const [id, { sale }] of this.lots) if (sale.id === e.saleId) this.book.settle(id, 'cancelled');
        break;
    }
    this.render();
  }

  private route(): void {
    const id = new URLSearchParams(location.hash.slice(1)).get('lot') ?? undefined;
    this.currentId = id !== undefined && this.lots.has(id) ? id : undefined;
    this.mine = this.currentId === undefined && location.hash === '#mine';
    // My lots needs the bidder's bids on every lot (the room loads them per lot shown).
    if (this.mine)
      void Promise.all([...this.lots.keys()].map((l) => this.loadOwnBids(l))).then(() => this.render());
    setText(byId('message'), '');
    if (this.currentId !== undefined) void this.loadOwnBids(this.currentId).then(() => this.render());
    this.render();
  }

  private async loadOwnBids(auctionId: string): Promise<void> {
    const entry = this.lots.get(auctionId);
    const mask = entry === undefined ? undefined : this.masks.get(entry.sale.id);
    if (mask === undefined) return;
    const mine: OwnBid[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 20; page++) {
      const after = cursor === undefined ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      // The gateway filters by the signed-in bidder: masks are short and could collide.
      const res = await api(
        `/v1/auctions/${encodeURIComponent(auctionId)}/bids?mine=true&limit=100${after}`,
        bidListResponseSchema,
        { token: this.session.token },
      ).catch(() => undefined);
      if (res === undefined) return;
      for (const b of res.bids) mine.push({ seq: b.seq, amount: b.amount, at: b.at });
      if (res.bids.length < 100) break;
      cursor = res.nextCursor;
    }
    this.ownBids.set(auctionId, mine);
  }

  private render(): void {
    show(byId('room'), this.currentId === undefined && !this.mine);
    show(byId('mine'), this.mine);
    show(byId('lot'), this.currentId !== undefined);
    if (this.mine) this.renderMine();
    else if (this.currentId === undefined) this.renderRoom();
    else this.renderLot(this.currentId);
    this.live.afterRender(this.currentId);
    for (const [v, via] of this.shown)
      traceRender({ auctionId: v.auctionId, seq: v.seq, price: v.price, leader: v.leader, via });
    this.shown = [];
  }

  private renderRoom(): void {
    const sections = this.sales.map((sale) =>
      h(
        'section',
        { class: 'sale', 'aria-label': sale.title },
        h('h2', {}, sale.title),
        h('ul', { class: 'lot-cards' }, ...sale.lots.map((lot) => this.lotCard(lot, sale))),
        this.live.resultsOf(sale),
      ),
    );
    byId('sales').replaceChildren(...sections);
    // Watching: the starred lots, in sale order.
    const watched = this.sales.flatMap((sale) =>
      sale.lots.filter((l) => this.watch.has(l.id)).map((lot) => this.lotCard(lot, sale)),
    );
    show(byId('watching'), watched.length > 0);
    byId('watching-lots').replaceChildren(...watched);
  }

  /** #mine: the lots this bidder bid on or watches, grouped, a won lot with its invoice (my-lots.ts). */
  private renderMine(): void {
    const items: MyLotItem[] = [];
    for (const sale of this.sales)
      for (const lot of sale.lots) {
        const v = this.book.get(lot.id);
        if (v === undefined) continue;
        const { state, text } = myState(v, this.me(lot.id, this.masks.get(sale.id)));
        const group = groupOf({
          lotId: lot.id,
          state,
          leading: this.leads(v),
          watched: this.watch.has(lot.id),
        });
        if (group === undefined) continue;
        const result = this.results.get(lot.id);
        const invoice = group === 'won' ? invoiceOf(result, v.price, sale.buyerTerms, lot) : undefined;
        items.push({ lot, group, text, currency: result?.currency ?? v.currency, invoice });
      }
    renderMyLots(byId('my-lots'), items);
  }

  private lotCard(lot: CatalogueLot, sale: SaleCatalogue): HTMLElement {
    const v = this.book.get(lot.id);
    const star = this.watch.button(lot.id, `lot ${lot.lotNumber}, ${lot.title}`);
    if (v === undefined) return lotCardOf(lot, v, undefined, undefined, star);
    const { state } = myState(v, this.me(lot.id, this.masks.get(sale.id)));
    const badge = myBadge(state);
    const mine = badge === undefined ? undefined : { state, text: badge };
    return lotCardOf(lot, v, lotPhase(v, this.news(lot.id), Date.now()), mine, star);
  }

  private renderLot(id: string): void {
    const entry = this.lots.get(id);
    const view = this.book.get(id);
    if (entry === undefined || view === undefined) return;
    const mask = this.masks.get(entry.sale.id);
    renderLotCard(entry.lot, view, mask);
    renderLotDetails(entry.lot, entry.sale);
    this.watch.sync(
      byId<HTMLButtonElement>('lot-watch'),
      id,
      `lot ${entry.lot.lotNumber}, ${entry.lot.title}`,
    );
    this.renderPhase(view);
    setText(byId('bid-count'), t('bids.count', { count: view.bidCount }));
    this.renderBidButton(view);
    this.renderMyStatus(view, mask);
    this.renderOwnBids(id, view);
    renderActivity(byId('activity'), this.book.activityOf(id), view.currency);
    this.renderCountdown();
  }

  private biddable(view: PublicAuctionView): boolean {
    return canBid(view, Date.now());
  }

  /** Whether the viewer holds the standing bid (by their per-sale mask). */
  private leads(view: PublicAuctionView): boolean {
    const entry = this.lots.get(view.auctionId);
    const mask = entry === undefined ? undefined : this.masks.get(entry.sale.id);
    return mask !== undefined && view.leader === mask;
  }

  private renderBidButton(view: PublicAuctionView): void {
    const button = byId<HTMLButtonElement>('bid-button');
    // A leader cannot outbid themself (the engine would answer ALREADY_LEADING): they may raise their maximum.
    const leading = this.biddable(view) && this.leads(view);
    button.disabled = this.bidding || !this.biddable(view) || leading;
    button.dataset.amount = view.asking;
    setText(
      button,
      this.bidding ? t('button.bidding') : leading ? t('button.youLead') : bidButtonText(view, Date.now()),
    );
    // A maximum may also be left on a live lot before it opens: an absentee bid.
    const absentee = view.mode === 'live' && view.status === 'scheduled';
    byId<HTMLButtonElement>('max-button').disabled = this.bidding || !(this.biddable(view) || absentee);
    setText(
      byId('max-button'),
      absentee ? t('button.absentee') : leading ? t('button.raiseMax') : t('bid.setMax'),
    );
    this.live.holdBidding(button, byId<HTMLButtonElement>('max-button'));
  }

  private me(auctionId: string, mask: string | undefined): MyLot {
    return {
      mask,
      ownBids: this.ownBids.get(auctionId) ?? [],
      notice: this.notices.get(auctionId),
      answeredByMax: this.answeredByMax.get(auctionId),
      result: this.results.get(auctionId),
    };
  }

  private news(auctionId: string): EndNews {
    return { closingSoon: this.closingSoon.has(auctionId), extended: this.extendedAt.has(auctionId) };
  }

  /** The status line: "Open", or for a timed lot "Closing soon" / "Extended" (data-phase), then closed and the result. */
  private renderPhase(view: PublicAuctionView): void {
    const { phase, text } = lotPhase(view, this.news(view.auctionId), Date.now());
    const el = byId('lot-status');
    el.dataset.phase = phase;
    if (view.status !== 'on_hold') setText(el, text);
  }

  private renderMyStatus(view: PublicAuctionView, mask: string | undefined): void {
    const { state, text } = myState(view, this.me(view.auctionId, mask));
    const el = byId('my-status');
    el.dataset.state = state;
    setText(el, text);
  }

  private renderOwnBids(id: string, view: PublicAuctionView): void {
    renderOwnBids(this.ownBids.get(id) ?? [], view.currency);
  }

  private renderCountdown(): void {
    const view = this.currentId === undefined ? undefined : this.book.get(this.currentId);
    const el = byId('countdown');
    if (view === undefined || view.mode !== 'timed' || view.endsAt === null) {
      delete el.dataset.endsAt;
      setText(el, view?.mode === 'live' ? t('countdown.live') : '');
      return;
    }
    // The end it counts to, for whoever reads the page by machine: it moves when a late bid extends the lot.
    el.dataset.endsAt = view.endsAt;
    // The end passes between updates: the button and the status follow the clock, not only the feed.
    if (!this.bidding) this.renderBidButton(view);
    this.renderPhase(view);
    const left = Date.parse(view.endsAt) - Date.now();
    const extended = Date.now() - (this.extendedAt.get(view.auctionId) ?? 0) < 10_000;
    el.dataset.extended = String(extended);
    setText(
      el,
      left <= 0
        ? t('button.biddingClosed')
        : t(extended ? 'countdown.extended' : 'countdown.endsIn', { left: duration(left) }),
    );
  }

  /** Bids the asking price; with `max`, leaves that confidential maximum too (proxy, or absentee before a live lot opens). */
  private async bid(max?: string): Promise<void> {
    const id = this.currentId;
    const view = id === undefined ? undefined : this.book.get(id);
    // Not live: the price on screen may be old, so no bid goes out on it.
    if (id === undefined || view === undefined || this.bidding || this.live.isStale()) return;
    // A new attempt: the previous answer no longer applies.
    const message = byId('message');
    delete message.dataset.code;
    setText(message, '');
    const amount = view.asking;
    if (max !== undefined && !isDecimal(max)) {
      message.dataset.code = 'BAD_AMOUNT';
      setText(message, t('max.badAmount'));
      return;
    }
    const binding = max ?? amount;
    const what =
      max === undefined
        ? t('button.bid', { amount: withCurrency(amount, view.currency) })
        : t('max.leave', { amount: withCurrency(max, view.currency) });
    // Large sums are confirmed as the house set it for the sale (confirm-rule.ts): by default once per
    // lot, so a bidder in a live contest is not asked at every step.
    const entry = this.lots.get(id);
    if (needsConfirmation(entry?.sale.bidConfirmation, binding, this.confirmed.has(id))) {
      const terms = entry?.sale.buyerTerms;
      // What the bid commits to: hammer + premium + tax, as the invoice of a won lot (premium.ts).
      const commitment =
        entry === undefined || terms === undefined
          ? undefined
          : {
              quote: quote(binding, terms, entry.lot.premium),
              currency: view.currency,
              terms: premiumText(terms, view.currency, entry.lot.premium),
              termsUrl: terms.termsUrl,
            };
      if (entry === undefined || !(await confirmBid(what, entry.lot, commitment))) return;
      this.confirmed.add(id);
    }
    this.bidding = true;
    this.renderBidButton(view);
    try {
      const answer = await postOnce(
        `/v1/auctions/${encodeURIComponent(id)}/bids`,
        bidResponseSchema,
        max === undefined ? { amount } : { amount, max },
        this.session.token,
      );
      traceDecision(id, answer.bid.seq, answer.bid.decidedAt);
      message.dataset.code = 'ACCEPTED';
      setText(message, acceptedText(answer.bid));
      if (max !== undefined) byId<HTMLInputElement>('max-input').value = '';
      await this.loadOwnBids(id);
    } catch (err) {
      const { code, text } = refusalText(err);
      message.dataset.code = code;
      setText(message, text);
      if (code === 'OUTBID') this.answeredByMax.set(id, max ?? amount);
      if (err instanceof ApiError && endsSession(err.status, err.code)) this.sessionEnded();
    } finally {
      this.bidding = false;
      this.render();
    }
  }
}

/** The email sign-in comes back to the lot open here (`/sign-in?next=/bid#lot=…`); to /bid anyway without one. */
function signInReturnsHere(): void {
  const link = byId<HTMLAnchorElement>('email-sign-in');
  const set = (): void => {
    link.href = location.hash === '' ? '/sign-in' : signInAgainHref(location);
  };
  set();
  addEventListener('hashchange', set);
}

async function main(): Promise<void> {
  wireLangSwitch();
  signInReturnsHere();
  byId('sign-out').addEventListener('click', () => signOut(STORAGE_KEY));
  const session = await signIn(STORAGE_KEY, ['bidder']);
  setText(byId('who'), session.user.name);
  const all = await fetchSales(session.token);
  // `/bid?sale=<id>` (an invitation lands there): that sale alone, when the bidder may see it.
  const wanted = new URLSearchParams(location.search).get('sale');
  const sales = all.some((s) => s.id === wanted) ? all.filter((s) => s.id === wanted) : all;
  const catalogues = await Promise.all(sales.map((s) => fetchSale(s.id, session.token)));
  show(byId('app'), true);
  await new BidderClient(session, catalogues).start();
}

main().catch((err: unknown) => {
  // A token the gateway refuses (expired, revoked, signed with an old key): offer sign-in, not an error.
  if (err instanceof ApiError && endsSession(err.status, err.code)) {
    saveSession(STORAGE_KEY, undefined);
    offerSignIn();
    return;
  }
  setText(byId('message'), err instanceof Error ? err.message : 'The page could not start.');
});
