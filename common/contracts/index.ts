/**
 * The wire contracts: every shape that crosses a process or the network, as a TypeScript type and
 * the zod schema that checks it where it enters. Money is a decimal string everywhere on the wire.
 */
export * from './lot.ts';
export * from './auction.ts';
export * from './notices.ts';
export * from './floor.ts';
export * from './bids.ts';
export * from './snapshot.ts';
export * from './catalogue.ts';
export * from './error.ts';
export * from './session.ts';
export * from './events.ts';
export * from './rates.ts';
export * from './messages.ts';
