/**
 * The bidder's watch list on /bid (docs/bidders.md): kept by the back office per bidder
 * (GET/PUT/DELETE /v1/me/watchlist), starred from a lot card or the lot page, listed in the sale
 * room's "Watching" section and in "My lots". A change shows at once and is undone if refused.
 */
import { watchListSchema } from '../../common/contracts/bidder-self.ts';
import { api, ApiError, type Session } from './api.ts';
import { h } from './dom.ts';
import { t } from './i18n/page.ts';

export class WatchList {
  private readonly session: Session;
  private readonly onChange: () => void;
  private lots = new Set<string>();
  /** Why the list could not be read or changed, for the page to say; undefined when fine. */
  problem: string | undefined;

  constructor(session: Session, onChange: () => void) {
    this.session = session;
    this.onChange = onChange;
  }

  has(lotId: string): boolean {
    return this.lots.has(lotId);
  }

  ids(): ReadonlySet<string> {
    return this.lots;
  }

  async load(): Promise<void> {
    try {
      const list = await api('/v1/me/watchlist', watchListSchema, { token: this.session.token });
      this.lots = new Set(list.lots.map((l) => l.lotId));
      this.problem = undefined;
    } catch (err) {
      // No back office (a bare engine): the page works without a watch list.
      this.problem = err instanceof ApiError ? err.message : 'the watch list could not be read';
    }
    this.onChange();
  }

  async toggle(lotId: string): Promise<void> {
    // The sale room redraws its cards: the star that was pressed gets the focus back.
    const pressed = document.activeElement;
    const section =
      pressed instanceof HTMLElement && pressed.dataset.watch === lotId
        ? pressed.closest('[id]')?.id
        : undefined;
    const refocus = (): void => {
      const now = document.activeElement;
      const lost = now === null || now === document.body || !now.isConnected;
      if (section === undefined || !lost) return;
      document.querySelector<HTMLElement>(`#${section} [data-watch="${CSS.escape(lotId)}"]`)?.focus();
    };
    const watching = this.lots.has(lotId);
    const optimistic = new Set(this.lots);
    if (watching) optimistic.delete(lotId);
    else optimistic.add(lotId);
    const before = this.lots;
    this.lots = optimistic;
    this.onChange();
    refocus();
    try {
      const list = await api(`/v1/me/watchlist/${encodeURIComponent(lotId)}`, watchListSchema, {
        method: watching ? 'DELETE' : 'PUT',
        token: this.session.token,
      });
      this.lots = new Set(list.lots.map((l) => l.lotId));
      this.problem = undefined;
    } catch (err) {
      this.lots = before;
      this.problem = err instanceof ApiError ? err.message : 'the watch list could not be changed';
    }
    this.onChange();
    refocus();
  }

  /** A star button for a lot: pressed when watched; its name says the lot. */
  button(lotId: string, label: string): HTMLButtonElement {
    const b = h('button', { type: 'button', class: 'watch', 'data-watch': lotId });
    b.addEventListener('click', () => void this.toggle(b.dataset.watch ?? lotId));
    this.sync(b, lotId, label);
    return b;
  }

  /** Brings a star button up to date in place (the lot page keeps its one button, and its focus). */
  sync(b: HTMLButtonElement, lotId: string, label: string): void {
    const on = this.has(lotId);
    b.dataset.watch = lotId;
    b.setAttribute('aria-pressed', String(on));
    const word = on ? t('watch.on') : t('watch.off');
    const want = `${on ? '★ ' : '☆ '}${word} ${label}`;
    if (b.textContent !== want)
      b.replaceChildren(
        h('span', { 'aria-hidden': 'true' }, on ? '★ ' : '☆ '),
        word,
        // Said, not shown: which lot the star is for.
        h('span', { class: 'sr-only' }, ` ${label}`),
      );
  }
}
