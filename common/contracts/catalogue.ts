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
  /** The house's condition report, as text; absent when it has none. */
  conditionReport?: string;
  /** This lot's own buyer's premium, when it differs from the sale's `buyerTerms.premium`. */
  premium?: PremiumBandWire[];
}

/**
 * One marginal band of the buyer's premium, as the back office invoices it (orchestrator/rules/trade.ts):
 * `rateBp` basis points (2500 = 25 %) on the part of the hammer up to `upTo` (a decimal string in the
 * sale's currency, inclusive); `upTo` null for the last, open-ended band.
 */
export interface PremiumBandWire {
  upTo: string | null;
  rateBp: number;
}

/** What a bidder commits to besides the hammer: the premium, tax on it, and the terms of sale. */
export interface BuyerTerms {
  premium: PremiumBandWire[];
  /** Basis points of tax the house charges (0: none). */
  taxRateBp: number;
  /** What the tax is charged on: the premium alone, or hammer and premium. */
  taxBase: 'premium' | 'hammer_and_premium';
  /** The sale's current terms version (0: the sale has none). */
  termsVersion: number;
  /** Where a bidder reads the terms (a path on the gateway's origin); absent without terms. */
  termsUrl?: string;
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

/**
 * When the bidder's page asks "Confirm bid" before sending one (the house sets it per sale):
 * `never`; `once_per_lot` — the first bid or maximum of `from` or more on each lot, later ones go
 * straight in; `every_bid` — each bid or maximum of `from` or more. `from` is a decimal string in the
 * sale's currency ("0.00": every amount). Absent: once per lot from 10,000 whole units.
 */
export interface BidConfirmation {
  ask: 'never' | 'once_per_lot' | 'every_bid';
  from: string;
}

export interface SaleCatalogue {
  id: string;
  title: string;
  mode: AuctionMode;
  currency: string;
  /** Absent means `public`. */
  visibility?: SaleVisibility;
  /** Premium, tax and terms; absent from catalogues that do not know them (the static demo). */
  buyerTerms?: BuyerTerms;
  /** When bids are confirmed first; absent from catalogues that do not say (the static demo). */
  bidConfirmation?: BidConfirmation;
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

export const premiumBandWireSchema = z.object({
  upTo: z.nullable(z.string()),
  rateBp: z.number(),
}) satisfies z.ZodMiniType<PremiumBandWire>;

export const catalogueLotSchema = z.object({
  id: z.string(),
  lotNumber: z.string(),
  title: z.string(),
  description: z.string(),
  imageUrl: z.optional(z.string()),
  images: z.optional(z.array(catalogueImageSchema)),
  estimateLow: z.string(),
  estimateHigh: z.string(),
  conditionReport: z.optional(z.string()),
  premium: z.optional(z.array(premiumBandWireSchema)),
}) satisfies z.ZodMiniType<CatalogueLot>;

export const buyerTermsSchema = z.object({
  premium: z.array(premiumBandWireSchema),
  taxRateBp: z.number(),
  taxBase: z.enum(['premium', 'hammer_and_premium']),
  termsVersion: z.number(),
  termsUrl: z.optional(z.string()),
}) satisfies z.ZodMiniType<BuyerTerms>;

export const bidConfirmationSchema = z.object({
  ask: z.enum(['never', 'once_per_lot', 'every_bid']),
  from: z.string(),
}) satisfies z.ZodMiniType<BidConfirmation>;

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
  buyerTerms: z.optional(buyerTermsSchema),
  bidConfirmation: z.optional(bidConfirmationSchema),
  lots: z.array(catalogueLotSchema),
}) satisfies z.ZodMiniType<SaleCatalogue>;

export const saleListResponseSchema = z.object({
  sales: z.array(saleSummarySchema),
}) satisfies z.ZodMiniType<SaleListResponse>;

export const saleResponseSchema = z.object({
  sale: saleCatalogueSchema,
}) satisfies z.ZodMiniType<SaleResponse>;
