/**
 * The public pseudonym the engine shows for a bidder on a sale (bidding/view.ts maskBidder):
 * "Bidder " + the first 6 hex digits of SHA-256(saleId NUL bidderId). A bidder's page computes its
 * own to recognise itself among masked leaders and bids; nobody else's id is known to it.
 */
export async function ownMask(saleId: string, bidderId: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    'SHA-256',
    new TextEncoder().encode(`${saleId}\u0000${bidderId}`),
  );
  const hex = [...new Uint8Array(digest).slice(0, 3)].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `Bidder ${hex.toUpperCase()}`;
}
