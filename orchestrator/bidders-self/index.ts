/** A signed-in bidder's own business in the back office (docs/bidders.md): the service and its HTTP face. */
export { BidderSelfService, type BidderSelfOptions } from './service.ts';
export { bidderSelfRoutes } from './routes.ts';
