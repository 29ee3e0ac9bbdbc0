/**
 * Every Redis key of the engine, built in one place. The hash tag `{auction:<id>}` keeps an
 * auction's keys in one Redis Cluster slot, so one Lua script can touch them all.
 */
export interface AuctionKeys {
  state: string;
  eligibility: string;
  idempotency: string;
  decisions: string;
}

export function auctionKeys(prefix: string, auctionId: string): AuctionKeys {
  const base = `${prefix}:{auction:${auctionId}}`;
  return {
    state: `${base}:state`,
    eligibility: `${base}:eligibility`,
    idempotency: `${base}:idempotency`,
    decisions: `${base}:decisions`,
  };
}

/**
 * The set of every auction configured on this prefix: how the ledger finds the decision streams
 * without walking the keyspace. Written outside the auction's slot, before the auction's first key.
 */
export function auctionRegistryKey(prefix: string): string {
  return `${prefix}:auctions`;
}
