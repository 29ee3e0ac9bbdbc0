/**
 * Hub topic names shared by the engine, the gateway, the orchestrator and the clients.
 * Public topics carry what everyone may see; bidder topics are private updates.
 */
export interface Topics {
  auction(auctionId: string): string;
  sale(saleId: string): string;
  bidder(bidderId: string): string;
  /** URI template matching every auction topic (for operators and the floor console). */
  allAuctions(): string;
}

export function topics(base = 'https://gavel.local'): Topics {
  const b = base.replace(/\/+$/, '');
  const seg = encodeURIComponent;
  return {
    auction: (id) => `${b}/auctions/${seg(id)}`,
    sale: (id) => `${b}/sales/${seg(id)}`,
    bidder: (id) => `${b}/bidders/${seg(id)}`,
    allAuctions: () => `${b}/auctions/{id}`,
  };
}
