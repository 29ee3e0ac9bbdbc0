/**
 * Hub topic names shared by the engine, the gateway, the orchestrator and the clients.
 * Public topics carry what everyone may see; bidder topics are private updates.
 */
export interface Topics {
  auction(auctionId: string): string;
  sale(saleId: string): string;
  bidder(bidderId: string): string;
  /** URI template matching every auction topic. */
  allAuctions(): string;
  /** URI template matching every sale topic. */
  allSales(): string;
  /** A sale's staff-only topic (private updates: the console's missed-bid warnings). */
  staffSale(saleId: string): string;
  /** URI template matching every staff-only sale topic (staff hub tokens only). */
  allStaffSales(): string;
}

export function topics(base = 'https://gavel.local'): Topics {
  const b = base.replace(/\/+$/, '');
  const seg = encodeURIComponent;
  return {
    auction: (id) => `${b}/auctions/${seg(id)}`,
    sale: (id) => `${b}/sales/${seg(id)}`,
    bidder: (id) => `${b}/bidders/${seg(id)}`,
    // Templates are written out, never passed through sale()/auction(): those percent-encode the braces.
    allAuctions: () => `${b}/auctions/{id}`,
    allSales: () => `${b}/sales/{id}`,
    staffSale: (id) => `${b}/staff/sales/${seg(id)}`,
    allStaffSales: () => `${b}/staff/sales/{id}`,
  };
}
