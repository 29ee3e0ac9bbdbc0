/** The sale catalogue as served by the orchestrator and the gateway: sales, their lots, estimates and images. */
import * as z from 'zod/mini';
import { auctionModeSchema, type AuctionMode } from './lot.ts';

/** One size of a lot image: a URL on the gateway's origin (`/media/…`), immutable, and its pixel size. */
export interface CatalogueImageSize {
  url: string;
  width: number;
  height: number;
}

/** A lot image uploaded to the back office (docs/media.md): a thumbnail (≤ 320 px) and a display size (≤ 1600 px). */
export interface CatalogueImage {
  /** For `<img alt>`: the house's text, else the lot's title. */
  alt: string;
  thumb: CatalogueImageSize;
  display: CatalogueImageSize;
}

export interface CatalogueLot {
  /** The engine's auction id of this lot. */
  id: string;
  lotNumber: string;
  title: string;
  description: string;
  /** An image URL the pages may show (a data: URL in the demo). */
  imageUrl?: string;
  /** Uploaded images in the house's order (absent when there are none); the first is the lot's picture. */
  images?: CatalogueImage[];
  /** Decimal strings in the sale's currency, like "8000.00"; "" when the house gave no estimate. */
  estimateLow: string;
  estimateHigh: string;
}

/** Who may see a sale: everyone, or staff and the bidders the house invited (docs/invite-only.md). */
export type SaleVisibility = 'public' | 'invite_only';

export interface SaleSummary {
  id: string;
  title: string;
  mode: AuctionMode;
  currency: string;
  lotCount: number;
  /** Absent means `public`. Only those who may see an invite-only sale are ever told of it. */
  visibility?: SaleVisibility;
}

export interface SaleCatalogue {
  id: string;
  title: string;
  mode: AuctionMode;
  currency: string;
  /** Absent means `public`. */
  visibility?: SaleVisibility;
  /** In sale order. */
  lots: CatalogueLot[];
}

/** GET /v1/sales (and the orchestrator's /catalogue/v1/sales). */
export interface SaleListResponse {
  sales: SaleSummary[];
}

/** GET /v1/sales/{id} (and the orchestrator's /catalogue/v1/sales/{id}). */
export interface SaleResponse {
  sale: SaleCatalogue;
}

export const saleVisibilitySchema = z.enum(['public', 'invite_only']) satisfies z.ZodMiniType<SaleVisibility>;
const imageSizeSchema = z.object({
  url: z.string(),
  width: z.number(),
  height: z.number(),
}) satisfies z.ZodMiniType<CatalogueImageSize>;

export const catalogueImageSchema = z.object({
  alt: z.string(),
  thumb: imageSizeSchema,
  display: imageSizeSchema,
}) satisfies z.ZodMiniType<CatalogueImage>;

export const catalogueLotSchema = z.object({
  id: z.string(),
  lotNumber: z.string(),
  title: z.string(),
  description: z.string(),
  imageUrl: z.optional(z.string()),
  images: z.optional(z.array(catalogueImageSchema)),
  estimateLow: z.string(),
  estimateHigh: z.string(),
}) satisfies z.ZodMiniType<CatalogueLot>;

export const saleSummarySchema = z.object({
  id: z.string(),
  title: z.string(),
  mode: auctionModeSchema,
  currency: z.string(),
  lotCount: z.number(),
  visibility: z.optional(saleVisibilitySchema),
}) satisfies z.ZodMiniType<SaleSummary>;

export const saleCatalogueSchema = z.object({
  id: z.string(),
  title: z.string(),
  mode: auctionModeSchema,
  currency: z.string(),
  visibility: z.optional(saleVisibilitySchema),
  lots: z.array(catalogueLotSchema),
}) satisfies z.ZodMiniType<SaleCatalogue>;

export const saleListResponseSchema = z.object({
  sales: z.array(saleSummarySchema),
}) satisfies z.ZodMiniType<SaleListResponse>;

export const saleResponseSchema = z.object({
  sale: saleCatalogueSchema,
}) satisfies z.ZodMiniType<SaleResponse>;
