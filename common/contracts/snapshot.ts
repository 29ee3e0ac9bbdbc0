/** Where a page starts: a lot's snapshot with the point to resume the hub from, and the hub token. */
import * as z from 'zod/mini';
import { publicAuctionViewSchema, type PublicAuctionView } from './auction.ts';

/** The hub subscription that continues a snapshot: its topics, from exactly `lastEventId` (`earliest` when none). */
export interface ResumePoint {
  url: string;
  topics: string[];
  lastEventId: string;
}

/** GET /v1/auctions/{id}. */
export interface SnapshotResponse {
  auction: PublicAuctionView;
  hub: ResumePoint;
}

/**
 * GET /v1/sales/{id}/snapshot: every lot of a sale in one answer, and the sale's topic (every
 * lot's updates). Its `lastEventId` is `earliest`: event ids are per lot, so no one id is a point
 * all lots' updates come after. A page subscribes, and once the connection is open fetches the
 * snapshot again; states it already holds it ignores by (`seq`, `stateVersion`).
 */
export interface SaleSnapshotResponse {
  saleId: string;
  auctions: PublicAuctionView[];
  hub: ResumePoint;
}

/** POST /v1/hub-token. */
export interface HubTokenResponse {
  token: string;
  hubUrl: string;
  /** The topics the token may read. */
  subscribe: string[];
  expiresAt: string;
  /** The signed-in bidder's own topic; null for other roles and anonymous callers. */
  privateTopic: string | null;
}

export const resumePointSchema = z.object({
  url: z.string(),
  topics: z.array(z.string()),
  lastEventId: z.string(),
}) satisfies z.ZodMiniType<ResumePoint>;

export const snapshotResponseSchema = z.object({
  auction: publicAuctionViewSchema,
  hub: resumePointSchema,
}) satisfies z.ZodMiniType<SnapshotResponse>;

export const saleSnapshotResponseSchema = z.object({
  saleId: z.string(),
  auctions: z.array(publicAuctionViewSchema),
  hub: resumePointSchema,
}) satisfies z.ZodMiniType<SaleSnapshotResponse>;

export const hubTokenResponseSchema = z.object({
  token: z.string(),
  hubUrl: z.string(),
  subscribe: z.array(z.string()),
  expiresAt: z.string(),
  privateTopic: z.nullable(z.string()),
}) satisfies z.ZodMiniType<HubTokenResponse>;
