/**
 * The auctioneer's messages to the bidders of a sale: the clerk's console sends them (quick buttons
 * or free text), every page following the sale shows them. On the sale's topic as the SSE event
 * `sale.message`; the latest per sale is also in the sale's snapshot so a page that joins later, or
 * reconnects, shows it too.
 */
import * as z from 'zod/mini';

export const SALE_MESSAGE_EVENT = 'sale.message';
/** The longest message a console may send (characters). */
export const SALE_MESSAGE_MAX = 280;

export interface SaleMessage {
  /** Unique per message: a page that sees one twice (replay, snapshot) shows it once. */
  id: string;
  saleId: string;
  /** The lot on the block when it was sent; null when it is about the whole sale. */
  lotId: string | null;
  /** What the bidders read: plain text, 1–280 characters. */
  text: string;
  /** When the server accepted it (ISO 8601, the server's clock). */
  sentAt: string;
}

export const saleMessageSchema = z.object({
  id: z.string(),
  saleId: z.string(),
  lotId: z.nullable(z.string()),
  text: z.string().check(z.minLength(1), z.maxLength(SALE_MESSAGE_MAX)),
  sentAt: z.string(),
}) satisfies z.ZodMiniType<SaleMessage>;

/** What the console posts: the text, and the lot it is about (omitted: the whole sale). */
export const saleMessageRequestSchema = z.object({
  text: z.string().check(z.trim(), z.minLength(1), z.maxLength(SALE_MESSAGE_MAX)),
  lotId: z.optional(z.nullable(z.string())),
});
export type SaleMessageRequest = z.infer<typeof saleMessageRequestSchema>;
