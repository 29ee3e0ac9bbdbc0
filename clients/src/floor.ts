/** The auctioneer's floor console (/floor): one sale's lots, the lot on the block, and the calls. */
import './jitless.ts';
import {
  floorActionResponseSchema,
  floorStateResponseSchema,
  MISSED_BID_EVENT,
  missedBidSchema,
  SALE_MESSAGE_EVENT,
  saleMessageSchema,
  snapshotResponseSchema,
  type CatalogueLot,
  type FloorActionResponse,
  type FloorLot,
  type FloorStateResponse,
  type PublicAuctionView,
  type SaleCatalogue,
  type SnapshotResponse,
} from '../../common/contracts/index.ts';
import { api, ApiError, postOnce, type Session } from './api.ts';
import { fetchSale, fetchSales } from './catalogue.ts';
import { byId, h, setText, show } from './dom.ts';
import {
  floorControls,
  floorRefusalText,
  commissionLines,
  hammerLabel,
  incrementText,
  lotOnTheBlock,
  openLabel,
  reserveText,
  saleProgress,
  undoLabel,
  viewOfFloorLot,
} from './floor-lot.ts';
import { leaderPaddleText, missedBidText, onlinePaddleOf } from './floor-room.ts';
import { RoomPanel } from './floor-room-panel.ts';
import { liveLatency } from './latency.ts';
import { LiveFeed } from './live.ts';
import { LotBook, STATUS_LABEL } from './lots.ts';
import { withCurrency } from './money.ts';
import { hubAccess, signIn, signOut } from './session.ts';
import { traceDecision, traceRender } from './trace.ts';
import type { LiveUpdate, UpdateVia } from './types.ts';
import { renderActivity, renderConnection, renderLotCard } from './view.ts';
import { parseWire } from './wire.ts';

const STORAGE_KEY = 'gavel.floor';

class FloorConsole {
  private readonly book = new LotBook();
  private readonly steps = new Map<string, string | null>();
  /** The newest floor state of each lot (answers and GET …/floor): what Undo would revert, the standing bid's seq. */
  private readonly floorStates = new Map<string, FloorLot>();
  /** A floor state refetch already asked for, per lot: live updates change what Undo can do. */
  private readonly refetching = new Set<string>();
  /** The lot whose fields (asking, increment, message) the clerk typed for; they clear when another lot is on the block. */
  private fieldsFor = '';
  /** When each live update (not a replay) arrived, to show decision → screen once the action's answer names its seq. */
  private readonly arrivals = new Map<string, number>();
  private currentId: string;
  private busy = false;
  private readonly session: Session;
  private readonly sale: SaleCatalogue;
  /** Who is online, the messages to the bidders, the missed-bid warning. */
  private readonly room: RoomPanel;

  constructor(session: Session, sale: SaleCatalogue) {
    this.session = session;
    this.sale = sale;
    this.currentId = sale.lots[0]?.id ?? '';
    this.room = new RoomPanel({
      session,
      saleId: sale.id,
      currentLot: () => this.currentId,
      message: (text, level) => this.message(text, level),
    });
  }

  async start(): Promise<void> {
    const snaps = await this.loadSnapshots();
    this.currentId = this.pickCurrent();
    this.renderAll();
    this.bindControls();
    this.room.bind();
    const staffTopic = (await this.loadStep(this.currentId))?.hub.topics[2];
    void this.room.loadLastMessage();
    this.room.pollAudience();
    const first = snaps[0];
    if (first === undefined) return;
    const { hub, token } = await hubAccess(this.session);
    const feed = new LiveFeed({
      hubUrl: hub.hubUrl,
      // The sale topic carries every lot of the sale: one subscription for the whole console; the
      // staff-only topic its missed-bid warnings.
      topics: [
        first.hub.topics[1] ?? first.hub.topics[0] ?? '',
        ...(staffTopic === undefined ? [] : [staffTopic]),
      ],
      lastEventId: first.hub.lastEventId,
      token,
      events: {
        [SALE_MESSAGE_EVENT]: (data) => {
          const m = parseWire(saleMessageSchema, data);
          if (m.ok && m.value.saleId === this.sale.id) this.room.showLastMessage(m.value);
        },
        [MISSED_BID_EVENT]: (data) => {
          const m = parseWire(missedBidSchema, data);
          if (m.ok && m.value.saleId === this.sale.id) this.room.showMissedBid(missedBidText(m.value));
        },
      },
      onUpdate: (u, via) => this.onUpdate(u, via),
      onNotice: () => undefined,
      onRestated: () => void this.resync(false),
      onState: renderConnection,
      onOpen: (reconnected) => void this.resync(reconnected),
    });
    feed.start();
  }

  private lots(): CatalogueLot[] {
    return this.sale.lots;
  }

  private async loadSnapshots(): Promise<SnapshotResponse[]> {
    const snaps = await Promise.all(
      this.lots().map((l) =>
        api(`/v1/auctions/${encodeURIComponent(l.id)}`, snapshotResponseSchema, {
          token: this.session.token,
        }),
      ),
    );
    for (const s of snaps) this.present(s.auction, 'snapshot');
    return snaps;
  }

  /** The lot on the block: the one being sold, else the first still to be offered, else the last. */
  private pickCurrent(): string {
    return lotOnTheBlock(this.lots(), (id) => this.book.get(id)?.status);
  }

  private async resync(reconnected: boolean): Promise<void> {
    // After a reconnect the hub may have answered `earliest` (we cannot see it): the snapshots close any gap.
    await this.loadSnapshots().catch(() => undefined);
    if (reconnected) this.message('Reconnected — caught up.', 'info');
    this.renderAll();
  }

  /** The latency figure counts live decisions only: a replay (on opening, after a reconnect) is old news. */
  private onUpdate(u: LiveUpdate, via: UpdateVia): void {
    const arrived = Date.now();
    const latency = liveLatency(u, via, arrived);
    if (latency !== undefined) this.arrivals.set(`${u.auctionId}#${u.seq}`, arrived);
    this.book.record(u);
    this.present(u, via);
    if (latency !== undefined) this.showLatency(latency);
    // Something happened that the floor state may not know (an internet bid ends the undo window).
    const known = this.floorStates.get(u.auctionId);
    if (known !== undefined && u.seq > known.seq && u.auctionId === this.currentId)
      this.refetchFloor(u.auctionId);
  }

  private refetchFloor(auctionId: string): void {
    if (this.refetching.has(auctionId)) return;
    this.refetching.add(auctionId);
    void this.loadStep(auctionId).finally(() => this.refetching.delete(auctionId));
  }

  /** Shows a lot's state if it is newer than the one shown; the trace is taken once the DOM has changed. */
  private present(view: PublicAuctionView, via: UpdateVia | 'snapshot' | 'answer'): void {
    const newer = this.book.apply(view);
    this.renderAll();
    if (newer)
      traceRender({ auctionId: view.auctionId, seq: view.seq, price: view.price, leader: view.leader, via });
  }

  private showLatency(ms: number): void {
    const el = byId('latency');
    setText(el, `${Math.max(0, Math.round(ms))} ms`);
    el.dataset.level = ms < 200 ? 'ok' : ms < 1000 ? 'slow' : 'bad';
  }

  private current(): { lot: CatalogueLot | undefined; view: PublicAuctionView | undefined } {
    return { lot: this.lots().find((l) => l.id === this.currentId), view: this.book.get(this.currentId) };
  }

  private renderAll(): void {
    this.renderProgress();
    this.renderList();
    this.renderCurrent();
  }

  private renderProgress(): void {
    const p = saleProgress(this.lots(), (id) => this.book.get(id));
    setText(
      byId('progress'),
      `${p.sold} sold of ${p.offered} offered (${p.total} lots) · ${withCurrency(p.hammerTotal, p.currency)} hammer`,
    );
  }

  private renderCommission(view: PublicAuctionView): void {
    const waiting =
      view.status === 'scheduled' ? (this.floorStates.get(view.auctionId)?.commission ?? []) : [];
    const lines = commissionLines(waiting, view.currency);
    byId('commission').replaceChildren(
      ...(lines.length === 0
        ? [
            h(
              'li',
              { class: 'none' },
              view.status === 'scheduled' ? 'None waiting' : 'Executed at the opening',
            ),
          ]
        : lines.map((l) => h('li', {}, l))),
    );
  }

  private renderList(): void {
    const items = this.lots().map((l) => {
      const v = this.book.get(l.id);
      const button = h(
        'button',
        {
          type: 'button',
          class: 'lot-row',
          'data-lot': l.id,
          'aria-current': l.id === this.currentId ? 'true' : undefined,
        },
        h('span', { class: 'lot-no' }, l.lotNumber),
        h('span', { class: 'lot-name' }, l.title),
        h(
          'span',
          { class: `status status-${v?.status ?? 'unknown'}` },
          v === undefined ? '' : STATUS_LABEL[v.status],
        ),
        h(
          'span',
          { class: 'lot-price' },
          v === undefined ? '' : v.leader === null ? 'No bids' : withCurrency(v.price, v.currency),
        ),
      );
      button.addEventListener('click', () => {
        this.currentId = l.id;
        void this.loadStep(l.id);
        this.renderAll();
      });
      return h('li', {}, button);
    });
    byId('lot-list').replaceChildren(...items);
  }

  private renderCurrent(): void {
    const { lot, view } = this.current();
    if (lot === undefined || view === undefined) return;
    this.clearFieldsOnLotChange(view.auctionId);
    renderLotCard(lot, view);
    setText(byId('asking'), withCurrency(view.asking, view.currency));
    setText(byId('increment'), incrementText(view, this.steps.get(view.auctionId)));
    setText(byId('bid-count'), String(view.bidCount));
    const reserve = byId('reserve-state');
    setText(reserve, reserveText(view));
    reserve.dataset.met = String(view.reserveMet);
    setText(byId('leader-paddle'), leaderPaddleText(this.floorStates.get(view.auctionId), view));
    setText(byId('floor-bid'), `Floor bid ${withCurrency(view.asking, view.currency)}`);
    setText(byId('open-lot'), openLabel(view, byId<HTMLInputElement>('asking-input').value));
    setText(byId('hammer'), hammerLabel(view, onlinePaddleOf(this.floorStates.get(view.auctionId), view)));
    setText(byId('undo'), undoLabel(this.undoAction(view)));
    this.renderCommission(view);
    this.enableControls(view);
    renderActivity(byId('activity'), this.book.activityOf(view.auctionId), view.currency);
  }

  /** Typed values belong to the lot they were typed for: a new lot on the block starts with empty fields. */
  private clearFieldsOnLotChange(auctionId: string): void {
    if (this.fieldsFor === auctionId) return;
    this.fieldsFor = auctionId;
    for (const id of ['asking-input', 'increment-input', 'hold-message'])
      byId<HTMLInputElement>(id).value = '';
  }

  /** What Undo would revert: the floor state's answer, unless a newer update has come since. */
  private undoAction(view: PublicAuctionView): FloorLot['undoAction'] {
    const f = this.floorStates.get(view.auctionId);
    return f !== undefined && f.seq >= view.seq ? f.undoAction : null;
  }

  private nextLotId(): string | undefined {
    const lots = this.lots();
    return lots[lots.findIndex((l) => l.id === this.currentId) + 1]?.id;
  }

  private enableControls(view: PublicAuctionView): void {
    const set = (id: string, on: boolean): void => {
      byId<HTMLButtonElement>(id).disabled = this.busy || !on;
    };
    const allowed = floorControls(view.status, this.nextLotId() !== undefined, {
      undoAction: this.undoAction(view),
      leaderKind: view.leaderKind,
    });
    for (const [id, on] of Object.entries(allowed)) set(id, on);
  }

  private bindControls(): void {
    const click = (id: string, run: () => Promise<unknown>): void => {
      byId(id).addEventListener('click', () => void run());
    };
    byId<HTMLFormElement>('floor-bid-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const paddle = byId<HTMLInputElement>('paddle').value.trim();
      const view = this.book.get(this.currentId);
      if (view !== undefined) void this.act('floor-bid', { paddle, amount: view.asking });
    });
    byId<HTMLFormElement>('asking-form').addEventListener('submit', (e) => {
      e.preventDefault();
      void this.act('asking', { amount: byId<HTMLInputElement>('asking-input').value.trim() });
    });
    byId('asking-input').addEventListener('input', () => this.renderCurrent());
    click('open-lot', () => {
      const asking = byId<HTMLInputElement>('asking-input').value.trim();
      return this.act('open', asking === '' ? {} : { asking });
    });
    click('overrule', () => {
      const paddle = byId<HTMLInputElement>('paddle');
      if (!paddle.reportValidity()) return Promise.resolve();
      return this.act('overrule', { paddle: paddle.value.trim() });
    });
    byId<HTMLFormElement>('increment-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const step = byId<HTMLInputElement>('increment-input').value.trim();
      void this.act('increment', { step: step === '' ? '0' : step });
    });
    click('reject', () => this.rejectStanding());
    byId<HTMLFormElement>('hold-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const message = byId<HTMLInputElement>('hold-message').value.trim();
      void this.act('hold', { message: message === '' ? 'The sale is paused for a moment.' : message });
    });
    click('resume-from-hold', () => this.act('resume-from-hold'));
    this.twoTap('withdraw', 'Confirm: withdraw this lot', () => this.act('withdraw'));
    click('fair-warning', () => this.act('fair-warning'));
    click('resume', () => this.act('resume'));
    click('hammer', () => this.act('hammer'));
    click('pass', () => this.act('pass'));
    click('undo', () => this.act('undo'));
    this.bindKeys();
    click('next-lot', async () => {
      const next = this.nextLotId();
      if (next !== undefined && (await this.act('next', { nextAuctionId: next }))) {
        this.currentId = next;
        void this.loadStep(next);
        this.renderAll();
      }
    });
  }

  /** A button that does something hard to take back asks for a second tap within a few seconds. */
  private twoTap(id: string, confirmText: string, run: () => Promise<unknown>): void {
    const button = byId<HTMLButtonElement>(id);
    const label = button.textContent ?? '';
    let armed: ReturnType<typeof setTimeout> | undefined;
    button.addEventListener('click', () => {
      if (armed === undefined) {
        button.textContent = confirmText;
        button.dataset.armed = 'true';
        armed = setTimeout(() => {
          armed = undefined;
          button.textContent = label;
          delete button.dataset.armed;
        }, 4_000);
        return;
      }
      clearTimeout(armed);
      armed = undefined;
      button.textContent = label;
      delete button.dataset.armed;
      void run();
    });
  }

  /** Keyboard shortcuts for a clerk with a keyboard (not while typing in a field). */
  private bindKeys(): void {
    const keys: Record<string, string> = {
      f: 'floor-bid',
      w: 'fair-warning',
      h: 'hammer',
      o: 'open-lot',
      n: 'next-lot',
      u: 'undo',
    };
    document.addEventListener('keydown', (e) => {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      const target = e.target as HTMLElement | null;
      if (
        target !== null &&
        (target.tagName === 'INPUT' || target.tagName === 'SELECT' || target.tagName === 'TEXTAREA')
      )
        return;
      const id = keys[e.key.toLowerCase()];
      if (id === undefined) return;
      const button = byId<HTMLButtonElement>(id);
      if (button.disabled) return;
      e.preventDefault();
      if (id === 'floor-bid') byId<HTMLFormElement>('floor-bid-form').requestSubmit();
      else button.click();
    });
  }

  /** Reject names the standing bid by its seq: asked of the engine just before, so it is the one on screen now. */
  private async rejectStanding(): Promise<void> {
    await this.loadStep(this.currentId);
    const seq = this.floorStates.get(this.currentId)?.standingSeq ?? 0;
    if (seq === 0) {
      this.message('There is no standing bid to reject.', 'error');
      return;
    }
    await this.act('reject', { seq });
  }

  /** One button: POST the action (retried with the same Idempotency-Key), show the lot as decided. */
  private async act(path: string, body: Record<string, string | number> = {}): Promise<boolean> {
    const auctionId = this.currentId;
    this.busy = true;
    this.renderCurrent();
    try {
      const answer = await postOnce(
        `/v1/auctions/${encodeURIComponent(auctionId)}/floor/${path}`,
        floorActionResponseSchema,
        body,
        this.session.token,
      );
      this.applyAnswer(answer);
      this.message('', 'info');
      return true;
    } catch (err) {
      this.message(
        err instanceof ApiError ? floorRefusalText(err.code, err.message) : 'The action failed; try again.',
        'error',
      );
      return false;
    } finally {
      this.busy = false;
      this.renderAll();
    }
  }

  private applyAnswer(answer: FloorActionResponse): void {
    const view = viewOfFloorLot(answer.lot);
    traceDecision(view.auctionId, answer.action.seq, answer.action.decidedAt);
    this.steps.set(view.auctionId, answer.lot.step);
    const known = this.floorStates.get(view.auctionId);
    this.floorStates.set(view.auctionId, {
      ...answer.lot,
      commission: answer.lot.commission ?? known?.commission ?? null,
    });
    this.present(view, 'answer');
    const arrived = this.arrivals.get(`${view.auctionId}#${answer.action.seq}`);
    if (arrived !== undefined) this.showLatency(arrived - Date.parse(answer.action.decidedAt));
    else this.awaitLatency(view.auctionId, answer.action.seq, Date.parse(answer.action.decidedAt));
  }

  /** The live update of our own action usually comes just after the answer: show its latency when it does. */
  private awaitLatency(auctionId: string, seq: number, decidedAt: number): void {
    const started = Date.now();
    const poll = (): void => {
      const arrived = this.arrivals.get(`${auctionId}#${seq}`);
      if (arrived !== undefined) this.showLatency(arrived - decidedAt);
      else if (Date.now() - started < 5_000) setTimeout(poll, 20);
    };
    poll();
  }

  private async loadStep(auctionId: string): Promise<FloorStateResponse | undefined> {
    const res = await api(`/v1/auctions/${encodeURIComponent(auctionId)}/floor`, floorStateResponseSchema, {
      token: this.session.token,
    }).catch(() => undefined);
    if (res === undefined) return undefined;
    this.steps.set(auctionId, res.lot.step);
    const known = this.floorStates.get(auctionId);
    if (known === undefined || res.lot.seq >= known.seq) this.floorStates.set(auctionId, res.lot);
    this.present(viewOfFloorLot(res.lot), 'snapshot');
    return res;
  }

  private message(text: string, level: 'info' | 'error'): void {
    const el = byId('message');
    el.dataset.level = level;
    setText(el, text);
  }
}

/** Live sales first: the console is for the room. */
async function chooseSale(token: string): Promise<SaleCatalogue | undefined> {
  const sales = await fetchSales(token);
  const ordered = [...sales].sort((a, b) => Number(b.mode === 'live') - Number(a.mode === 'live'));
  const wanted = new URLSearchParams(location.search).get('sale');
  const select = byId<HTMLSelectElement>('sale-select');
  select.replaceChildren(...ordered.map((s) => h('option', { value: s.id }, s.title)));
  const id = ordered.find((s) => s.id === wanted)?.id ?? ordered[0]?.id;
  if (id === undefined) return undefined;
  select.value = id;
  select.addEventListener('change', () => {
    location.search = `?sale=${encodeURIComponent(select.value)}`;
  });
  return fetchSale(id, token);
}

async function main(): Promise<void> {
  byId('sign-out').addEventListener('click', () => signOut(STORAGE_KEY));
  const session = await signIn(STORAGE_KEY, ['auctioneer', 'admin']);
  setText(byId('who'), session.user.name);
  const sale = await chooseSale(session.token);
  show(byId('console'), true);
  if (sale === undefined) {
    setText(byId('message'), 'No sales in the catalogue.');
    return;
  }
  await new FloorConsole(session, sale).start();
}

main().catch((err: unknown) => {
  setText(byId('message'), err instanceof Error ? err.message : 'The console could not start.');
});
