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

function auctionBase(prefix: string, auctionId: string): string {
  return `${prefix}:{auction:${auctionId}}`;
}

export function auctionKeys(prefix: string, auctionId: string): AuctionKeys {
  const base = auctionBase(prefix, auctionId);
  return {
    state: `${base}:state`,
    eligibility: `${base}:eligibility`,
    idempotency: `${base}:idempotency`,
    decisions: `${base}:decisions`,
    accepted: `${base}:accepted`,
  };
}

/**
 * An auction's decision stream key is `head + auctionId + tail`: how the ledger's keyspace walk
 * matches the streams and reads the auction id back out of a key it found.
 */
export function decisionStreamKeyParts(prefix: string): { head: string; tail: string } {
  return { head: `${prefix}:{auction:`, tail: '}:decisions' };
}

/** One bidder's part of the bid listing's index on an auction: a list of its ids (same slot as the auction). */
export function acceptedByKey(prefix: string, auctionId: string, bidderId: string): string {
  return `${auctionBase(prefix, auctionId)}:accepted-by:${bidderId}`;
}

/**
 * The set of every auction configured on this prefix: how the ledger finds the decision streams
 * without walking the keyspace. Written outside the auction's slot, before the auction's first key.
 */
export function auctionRegistryKey(prefix: string): string {
  return `${prefix}:auctions`;
}
