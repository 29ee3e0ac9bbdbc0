import { describe, expect, it } from 'vitest';
import { runUntilExit } from './support/process.ts';

/** The refusal as an operator meets it: the process exits 2 before listening, saying what to do. */
describe('a service given a weak key', () => {
  it('the hub exits at start, naming the variable and how to make a strong key', async () => {
    const run = await runUntilExit('hub/main.ts', {
      PORT: '0',
      MERCURE_METRICS_PORT: 'off',
      MERCURE_PUBLISHER_JWT_KEY: 'secret',
    });
    expect(run.code).toBe(2);
    expect(run.err).toContain('MERCURE_PUBLISHER_JWT_KEY: expected at least 32 bytes, got 6');
    expect(run.err).toContain('openssl rand -hex 32');
    expect(run.out).not.toMatch(/listening/);
  }, 60_000);

  it('the bidding engine too, for its mask key', async () => {
    const run = await runUntilExit('bidding/main.ts', {
      PORT: '0',
      REDIS_URL: 'redis://127.0.0.1:6379',
      HUB_PUBLISH_URL: 'redis://127.0.0.1:6379?prefix=gavel:{hub}',
      BIDDING_SERVICE_TOKEN: 'x'.repeat(32),
      GAVEL_MASK_KEY: 'mask',
    });
    expect(run.code).toBe(2);
    expect(run.err).toContain('GAVEL_MASK_KEY: expected at least 32 bytes, got 4');
    expect(run.err).toContain('openssl rand -hex 32');
  }, 60_000);
});
