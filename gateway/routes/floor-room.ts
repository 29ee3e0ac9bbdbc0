import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { requireRole } from '../../common/auth.ts';
import { viewerOf, type Catalogue, type SaleCatalogue, type Viewer } from '../../common/catalogue.ts';
import {
  SALE_MESSAGE_EVENT,
  saleMessageRequestSchema,
  type SaleAudience,
  type SaleMessage,
  type SaleMessageResponse,
} from '../../common/contracts/index.ts';
import { AppError } from '../../common/errors.ts';
import type { AppEnv } from '../../common/http-env.ts';
import type { HubPublisher } from '../../common/hub-publisher.ts';
import type { Topics } from '../../common/topics.ts';
import type { HubSubscription, HubSubscriptions } from '../../hub/index.ts';
import { readJsonOrEmpty } from '../middleware/body.ts';
import { idempotencyKey } from '../middleware/idempotency-key.ts';
import type { SaleMessageStore } from './floor-room-store.ts';

/**
 * The room around the floor console, per sale (mounted at /v1/sales):
 * - `GET /{id}/audience` (staff): how many bidders follow the sale on the hubs now;
 * - `POST /{id}/messages` (auctioneer, admin): a message to every page following the sale, published
 *   on the sale's topic as `sale.message` (private for an invite-only sale) and kept as the latest;
 * - `GET /{id}/message` (whoever may see the sale): the latest message, for a page that joins later.
 */
export interface SaleRoomDeps {
  /** Publishes to the hubs: the sale's messages, the console's missed-bid warnings. */
  publisher: HubPublisher;
  /** The hubs' open subscriptions (every instance's when they share Redis). */
  subscriptions: HubSubscriptions;
  messages: SaleMessageStore;
}

export interface SaleRoomRouteDeps extends SaleRoomDeps {
  catalogue: Catalogue;
  topics: Topics;
}

/** The gateway itself as a staff viewer, for look-ups no caller asked for (paddles of a missed bid). */
export const GATEWAY_VIEWER: Viewer = { id: 'gateway', role: 'admin' };

/** How long one listing of the hubs' subscriptions is reused (consoles poll; the list may be long). */
const AUDIENCE_CACHE_MS = 1_000;

/** The audience of a sale in a list of subscriptions: connections to its topics, distinct signed-in bidders. */
export function countAudience(
  subs: readonly HubSubscription[],
  saleTopics: ReadonlySet<string>,
): { bidders: number; connections: number } {
  const connections = new Set<string>();
  const bidders = new Set<string>();
  for (const s of subs) {
    if (!saleTopics.has(s.topic)) continue;
    connections.add(s.subscriber);
    const p = s.payload;
    if (typeof p === 'object' && p !== null) {
      const { user, role } = p as { user?: unknown; role?: unknown };
      if (role === 'bidder' && typeof user === 'string') bidders.add(user);
    }
  }
  return { bidders: bidders.size, connections: connections.size };
}

export function saleRoomRoutes(deps: SaleRoomRouteDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const staff = requireRole('auctioneer', 'admin');

  const saleFor = async (id: string, viewer: Viewer | undefined): Promise<SaleCatalogue> => {
    const sale = await deps.catalogue.sale(id, viewer);
    if (sale === undefined) throw new AppError('UNKNOWN_SALE', `no sale "${id}"`);
    return sale;
  };

  let listed: { at: number; subs: Promise<HubSubscription[]> } | undefined;
  const subscriptions = (): Promise<HubSubscription[]> => {
    const now = Date.now();
    if (listed === undefined || now - listed.at > AUDIENCE_CACHE_MS) {
      const subs = deps.subscriptions.list();
      listed = { at: now, subs };
      // A failed listing is not kept: the next poll asks again.
      subs.catch(() => {
        if (listed?.subs === subs) listed = undefined;
      });
    }
    return listed.subs;
  };

  app.get('/:id/audience', staff, async (c) => {
    const sale = await saleFor(c.req.param('id'), viewerOf(c.get('user')));
    const topics = new Set([deps.topics.sale(sale.id), ...sale.lots.map((l) => deps.topics.auction(l.id))]);
    let subs: HubSubscription[];
    try {
      subs = await subscriptions();
    } catch {
      throw new AppError('UNAVAILABLE', 'the hubs could not be asked who is online; try again shortly');
    }
    c.header('Cache-Control', 'no-store');
    return c.json({
      saleId: sale.id,
      ...countAudience(subs, topics),
      countedAt: new Date().toISOString(),
    } satisfies SaleAudience);
  });

  app.post('/:id/messages', staff, async (c) => {
    const user = c.get('user')!;
    const key = idempotencyKey(c, 'message');
    const sale = await saleFor(c.req.param('id'), viewerOf(user));
    const parsed = saleMessageRequestSchema.safeParse(await readJsonOrEmpty(c));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.join('.') || 'text';
      throw new AppError(
        'VALIDATION_FAILED',
        `${field}: ${field === 'text' ? 'the message is 1–280 characters of text' : (issue?.message ?? 'invalid')}`,
        { details: { field } },
      );
    }
    const lotId = parsed.data.lotId ?? null;
    if (lotId !== null && !sale.lots.some((l) => l.id === lotId))
      throw new AppError('VALIDATION_FAILED', `lotId: "${lotId}" is not a lot of sale "${sale.id}"`, {
        details: { field: 'lotId' },
      });
    const fresh: SaleMessage = {
      id: randomUUID(),
      saleId: sale.id,
      lotId,
      text: parsed.data.text,
      sentAt: new Date().toISOString(),
    };
    const message = await deps.messages.claim(user.id, key, fresh);
    const replayed = message.id !== fresh.id;
    if (replayed && (message.text !== fresh.text || message.lotId !== fresh.lotId))
      throw new AppError(
        'IDEMPOTENCY_KEY_REUSED',
        'this Idempotency-Key already sent a different message; use a new key for a new message',
      );
    // A retry publishes again (the hubs drop an update id they already have) and completes what a
    // failure may have left undone.
    await deps.publisher.publish({
      id: `urn:uuid:${message.id}`,
      topics: [deps.topics.sale(sale.id)],
      type: SALE_MESSAGE_EVENT,
      data: JSON.stringify(message),
      private: sale.visibility === 'invite_only',
    });
    await deps.messages.setLatest(message);
    if (replayed) c.header('Idempotent-Replayed', 'true');
    return c.json({ message } satisfies SaleMessageResponse, 201);
  });

  app.get('/:id/message', async (c) => {
    const viewer = viewerOf(c.get('user'));
    const sale = await saleFor(c.req.param('id'), viewer);
    c.header('Cache-Control', viewer === undefined ? 'no-store' : 'private, no-store');
    return c.json({ message: (await deps.messages.latest(sale.id)) ?? null } satisfies SaleMessageResponse);
  });

  return app;
}
