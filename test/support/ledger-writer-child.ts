/**
 * A ledger writer in its own process, for the crash test: polls until killed.
 * argv: <databaseUrl> <schema> <redisUrl> <prefix> <batchSize>. Prints "ready" once it has started.
 */
import { Redis } from 'ioredis';
import { LedgerWriter, postgresDatabase, RedisDecisionSource } from '../../orchestrator/ledger.ts';

const [databaseUrl, schema, redisUrl, prefix, batch] = process.argv.slice(2);
if (databaseUrl === undefined || schema === undefined || redisUrl === undefined || prefix === undefined) {
  throw new Error('usage: ledger-writer-child.ts <databaseUrl> <schema> <redisUrl> <prefix> [batchSize]');
}
const db = postgresDatabase({ connectionString: databaseUrl, searchPath: schema, max: 2 });
const redis = new Redis(redisUrl);
const writer = new LedgerWriter({
  db,
  source: new RedisDecisionSource({ redis, prefix }),
  batchSize: Number(batch ?? '50'),
  pollIntervalMs: 5,
});
writer.start();
process.stdout.write('ready\n');
