/**
 * The floor console's room panel (/floor): how many bidders are online, the messages to the
 * bidders (quick ones and free text with its counter, and the newest sent), and the warning of a
 * bid the room missed. The console (floor.ts) hands it the session, the sale, the lot on the block
 * and its message line.
 */
import {
  saleAudienceSchema,
  saleMessageResponseSchema,
  type SaleMessage,
} from '../../common/contracts/index.ts';
import { api, ApiError, postOnce, type Session } from './api.ts';
import { byId, h, setText, show } from './dom.ts';
import { floorRefusalText } from './floor-lot.ts';
import {
  audienceText,
  audienceTitle,
  lastMessageText,
  messageCounter,
  QUICK_MESSAGES,
} from './floor-room.ts';

/** How often the console asks how many bidders are online. */
const AUDIENCE_EVERY_MS = 3_000;

/** What the room panel needs from the console. */
export interface RoomPanelHost {
  session: Session;
  saleId: string;
  /** The lot on the block ('' when none): a message is about it. */
  currentLot(): string;
  /** The console's message line. */
  message(text: string, level: 'info' | 'error'): void;
}

export class RoomPanel {
  private readonly host: RoomPanelHost;
  /** A message to the bidders is on its way: its buttons wait. */
  private sending = false;
  /** The newest message sent to this sale's bidders (by this console or another). */
  private lastMessage: SaleMessage | null = null;

  constructor(host: RoomPanelHost) {
    this.host = host;
  }

  /** Who is online, asked every few seconds (the hubs know their subscribers; no event tells of a new one). */
  pollAudience(): void {
    const path = `/v1/sales/${encodeURIComponent(this.host.saleId)}/audience`;
    const el = byId('audience');
    const ask = async (): Promise<void> => {
      const a = await api(path, saleAudienceSchema, { token: this.host.session.token }).catch(
        () => undefined,
      );
      setText(el, audienceText(a));
      el.title = audienceTitle(a);
      setTimeout(() => void ask(), AUDIENCE_EVERY_MS);
    };
    void ask();
  }

  /** The quick messages, the free text with its counter, and the missed-bid warning's dismissal. */
  bind(): void {
    const input = byId<HTMLInputElement>('message-text');
    byId('quick-messages').replaceChildren(
      ...QUICK_MESSAGES.map((text) => {
        const b = h('button', { type: 'button', class: 'quick-message' }, text);
        b.addEventListener('click', () => void this.sendMessage(text));
        return b;
      }),
    );
    input.addEventListener('input', () => this.renderMessageForm());
    byId<HTMLFormElement>('message-form').addEventListener('submit', (e) => {
      e.preventDefault();
      if (messageCounter(input.value).sendable) void this.sendMessage(input.value.trim(), true);
    });
    byId('missed-bid-dismiss').addEventListener('click', () => show(byId('missed-bid'), false));
    this.renderMessageForm();
  }

  private renderMessageForm(): void {
    const c = messageCounter(byId<HTMLInputElement>('message-text').value);
    const count = byId('message-count');
    setText(count, c.label);
    count.dataset.over = String(c.over);
    byId<HTMLButtonElement>('send-message').disabled = this.sending || !c.sendable;
    for (const b of byId('quick-messages').querySelectorAll('button')) b.disabled = this.sending;
  }

  /** Sends a message to every page following the sale, about the lot on the block. */
  private async sendMessage(text: string, fromField = false): Promise<void> {
    this.sending = true;
    this.renderMessageForm();
    try {
      const res = await postOnce(
        `/v1/sales/${encodeURIComponent(this.host.saleId)}/messages`,
        saleMessageResponseSchema,
        { text, lotId: this.host.currentLot() === '' ? null : this.host.currentLot() },
        this.host.session.token,
      );
      if (res.message !== null) this.showLastMessage(res.message);
      if (fromField) byId<HTMLInputElement>('message-text').value = '';
      this.host.message('', 'info');
    } catch (err) {
      this.host.message(
        err instanceof ApiError
          ? floorRefusalText(err.code, err.message)
          : 'The message was not sent; try again.',
        'error',
      );
    } finally {
      this.sending = false;
      this.renderMessageForm();
    }
  }

  async loadLastMessage(): Promise<void> {
    const res = await api(
      `/v1/sales/${encodeURIComponent(this.host.saleId)}/message`,
      saleMessageResponseSchema,
      {
        token: this.host.session.token,
      },
    ).catch(() => undefined);
    if (res?.message != null) this.showLastMessage(res.message);
  }

  /** Shows the newest message sent (an older one arriving late is ignored). */
  showLastMessage(m: SaleMessage): void {
    if (this.lastMessage !== null && Date.parse(this.lastMessage.sentAt) > Date.parse(m.sentAt)) return;
    this.lastMessage = m;
    setText(byId('last-message'), lastMessageText(m));
  }

  showMissedBid(text: string): void {
    setText(byId('missed-bid-text'), text);
    show(byId('missed-bid'), true);
  }
}
