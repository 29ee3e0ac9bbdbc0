/**
 * The embedded gateway (engine and hub in one process, as `npm start` runs them) in a process of
 * its own, with one open timed lot and two eligible bidders. Prints one JSON line (URLs, lot,
 * bidder tokens) and runs until SIGTERM. In its own process so a test can measure it from outside
 * — a blocked event loop there does not stop the test's clock.
 */
import { createLogger } from '../../common/logger.ts';
import { gatewayConfigFromEnv, startGateway } from '../../gateway/index.ts';
import { timedSetup } from './bidding.ts';

const config = { ...gatewayConfigFromEnv({}), port: 0, host: '127.0.0.1', demo: false };
const gavel = await startGateway(config, createLogger('gavel', 'silent'), { clients: false });
const lot = `lot-${process.pid}`;
await gavel.store!.configure(timedSetup(lot, Date.now()));
const bidders = ['alice', 'bob'];
const tokens: Record<string, string> = {};
for (const id of bidders) {
  await gavel.store!.setEligibility(lot, id, 100_000_000);
  tokens[id] = await gavel.tokens.sign({ id, role: 'bidder', name: id });
}
process.stdout.write(`${JSON.stringify({ url: gavel.url, hubUrl: gavel.hubUrl, lot, tokens })}\n`);
process.on('SIGTERM', () => {
  gavel.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
