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
