/**
 * Every Redis key of the engine, built in one place. The hash tag `{auction:<id>}` keeps an
 * auction's keys in one Redis Cluster slot, so one Lua script can touch them all.
 */
export interface AuctionKeys {
  state: string;
  eligibility: string;
  idempotency: string;
  decisions: string;
  /** The bid listing's index: accepted bids that took the lead (a stream, under their decisions' ids). */
  accepted: string;
}

export function auctionKeys(prefix: string, auctionId: string): AuctionKeys {
  const base = `${prefix}:{auction:${auctionId}}`;
  return {
    state: `${base}:state`,
    eligibility: `${base}:eligibility`,
    idempotency: `${base}:idempotency`,
    decisions: `${base}:decisions`,
    accepted: `${base}:accepted`,
  };
}

/** One bidder's part of the bid listing's index on an auction: a list of its ids (same slot as the auction). */
export function acceptedByKey(prefix: string, auctionId: string, bidderId: string): string {
  return `${prefix}:{auction:${auctionId}}:accepted-by:${bidderId}`;
}

/**
 * The set of every auction configured on this prefix: how the ledger finds the decision streams
 * without walking the keyspace. Written outside the auction's slot, before the auction's first key.
 */
export function auctionRegistryKey(prefix: string): string {
  return `${prefix}:auctions`;
}
