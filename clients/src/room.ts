/**
 * The saleroom's screen (/room): read-only, for the projector. It follows the lot on the block of a
 * live sale — image, lot number, the price in the sale's currency and a few others at the house's
 * display rates, and the call (fair warning, sold to whom, passed) — live from the hub.
 */
import './jitless.ts';
import {
  houseRatesSchema,
  type HouseRates,
  type PublicAuctionView,
  type SaleCatalogue,
  type SaleSnapshotResponse,
} from '../../common/contracts/index.ts';
import { api, type Session } from './api.ts';
import { fetchSale, fetchSaleSnapshot, fetchSales } from './catalogue.ts';
import { byId, h, setText, show } from './dom.ts';
import { LiveFeed } from './live.ts';
import { LotBook, STATUS_LABEL } from './lots.ts';
import { withCurrency } from './money.ts';
import { conversions, roomLot } from './room-view.ts';
import { hubAccess, signIn } from './session.ts';
import { renderConnection, renderLotHeader } from './view.ts';

const STORAGE_KEY = 'gavel.room';

/** The call as the room reads it. */
function callText(v: PublicAuctionView): string {
  if (v.status === 'sold' && v.leader !== null)
    return `Sold — ${v.leader} — ${withCurrency(v.price, v.currency)}`;
  if (v.status === 'on_hold') return v.message ?? 'On hold';
  return STATUS_LABEL[v.status];
}

class RoomScreen {
  private readonly book = new LotBook();
  private currentId = '';
  private session: Session | undefined;

  private readonly sale: SaleCatalogue;
  private readonly rates: HouseRates;

  constructor(sale: SaleCatalogue, rates: HouseRates) {
    this.sale = sale;
    this.rates = rates;
  }

  async start(session: Session): Promise<void> {
    this.session = session;
    setText(byId('sale-title'), this.sale.title);
    setText(
      byId('rates-note'),
      this.rates.base === '' ? '' : `Other currencies for guidance only (${this.rates.note}).`,
    );
    const snap = await this.loadSnapshot();
    this.render();
    const { hub, token } = await hubAccess(session);
    new LiveFeed({
      hubUrl: hub.hubUrl,
      topics: snap.hub.topics,
      lastEventId: snap.hub.lastEventId,
      token,
      onUpdate: (u) => {
        this.book.record(u);
        this.book.apply(u);
        this.render();
      },
      onNotice: () => undefined,
      onRestated: () => void this.resync(),
      onState: renderConnection,
      onOpen: () => void this.resync(),
    }).start();
  }

  /** Every lot of the sale in one request. */
  private async loadSnapshot(): Promise<SaleSnapshotResponse> {
    const snap = await fetchSaleSnapshot(this.sale.id, this.session?.token);
    for (const a of snap.auctions) this.book.apply(a);
    return snap;
  }

  private async resync(): Promise<void> {
    await this.loadSnapshot().catch(() => undefined);
    this.render();
  }

  private render(): void {
    this.currentId = roomLot(this.sale.lots, (id) => this.book.get(id)?.status, this.currentId);
    const lot = this.sale.lots.find((l) => l.id === this.currentId);
    const view = this.book.get(this.currentId);
    if (lot === undefined || view === undefined) return;
    renderLotHeader(lot, view.currency, {
      image: byId<HTMLImageElement>('lot-image'),
      number: byId('lot-number'),
      title: byId('lot-title'),
      estimate: byId('lot-estimate'),
    });
    const amount = view.leader === null ? view.asking : view.price;
    setText(byId('price'), withCurrency(amount, view.currency));
    byId('price').dataset.asking = String(view.leader === null);
    byId('conversions').replaceChildren(
      ...conversions(amount, view.currency, this.rates).map((c) => h('li', {}, c)),
    );
    const status = byId('lot-status');
    status.dataset.status = view.status;
    setText(status, callText(view));
    setText(byId('leader'), view.leader === null ? 'Opening bid' : view.status === 'sold' ? '' : view.leader);
  }
}

async function main(): Promise<void> {
  const session = await signIn(STORAGE_KEY, ['auctioneer', 'admin']);
  const wanted = new URLSearchParams(location.search).get('sale');
  const sales = await fetchSales(session.token);
  const pick = sales.find((s) => s.id === wanted) ?? sales.find((s) => s.mode === 'live') ?? sales[0];
  if (pick === undefined) {
    setText(byId('message'), 'No sale to show: publish a live sale first.');
    return;
  }
  const [sale, rates] = await Promise.all([
    fetchSale(pick.id, session.token),
    api('/v1/rates', houseRatesSchema),
  ]);
  show(byId('screen'), true);
  await new RoomScreen(sale, rates).start(session);
}

main().catch((err: unknown) => {
  setText(byId('message'), err instanceof Error ? err.message : 'The screen could not start.');
});
