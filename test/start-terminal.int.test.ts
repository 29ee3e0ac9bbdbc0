import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postBid } from './support/gavel.ts';
import { freePort } from './support/net.ts';
import { runUntilExit, startUntilRunning, type RunningStart } from './support/process.ts';

/**
 * `npm start` as someone runs it at a terminal, and as an operator must not run it: the demo's
 * tokens are printed only on a terminal (here a pseudo-terminal from util-linux `script`), and a
 * demo offered beyond this machine is refused at start unless explicitly allowed, then loudly.
 */
const external = Object.values(networkInterfaces())
  .flat()
  .find((i) => i !== undefined && !i.internal && i.family === 'IPv4')?.address;

/** main.ts with the demo's defaults and `env`, until it exits (a refusal at start): its exit code and output. */
async function startOnly(env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const r = await runUntilExit('main.ts', { GAVEL_LEDGER: 'false', LOG_LEVEL: 'warn', PORT: '0', ...env });
  return { code: r.code, out: r.out + r.err };
}

describe('npm start refuses an exposed or distributed demo', () => {
  it('exits 2 with HOST=0.0.0.0 and the demo on, saying what to set', async () => {
    const { code, out } = await startOnly({ HOST: '0.0.0.0' });
    expect(code).toBe(2);
    expect(out).toContain('HOST=0.0.0.0 would offer the passwordless demo sign-in');
    expect(out).toContain('GAVEL_DEMO_ALLOW_REMOTE=true');
  }, 60_000);

  it('exits 2 with GAVEL_DEMO=true when distributed', async () => {
    const { code, out } = await startOnly({
      GAVEL_MODE: 'distributed',
      GAVEL_DEMO: 'true',
      REDIS_URL: 'redis://127.0.0.1:6379',
      HUB_URL: 'http://127.0.0.1:9/.well-known/mercure',
      GATEWAY_JWT_KEY: 'k'.repeat(32),
      MERCURE_PUBLISHER_JWT_KEY: 'p'.repeat(32),
      GAVEL_MASK_KEY: 'm'.repeat(32),
    });
    expect(code).toBe(2);
    expect(out).toContain('GAVEL_DEMO is for the embedded default only');
  }, 60_000);
});

describe('npm start on a terminal, with the demo allowed beyond this machine', () => {
  let gavel: RunningStart | undefined;
  let api: string;
  beforeAll(async () => {
    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    // `script` gives main.ts a pseudo-terminal for stdout, as a shell would (and ends it on SIGTERM).
    gavel = await startUntilRunning(
      {
        PORT: String(port),
        HOST: '0.0.0.0',
        GAVEL_DEMO_ALLOW_REMOTE: 'true',
        GAVEL_LEDGER: 'false',
        GAVEL_MODE: 'embedded',
        LOG_LEVEL: 'warn',
      },
      { file: 'script', args: ['-qefc', `${process.execPath} --import tsx main.ts`, '/dev/null'] },
    );
  }, 120_000);
  afterAll(async () => {
    await gavel?.stop();
  });
  const printed = (name: string): string => {
    const m = new RegExp(`^\\s{4}${name}\\s+(eyJ\\S+)`, 'm').exec(gavel!.output());
    expect(m, `a printed token for ${name}`).not.toBeNull();
    return m![1]!;
  };

  it('prints the demo tokens, and they work', async () => {
    const alice = printed('Alice Martin');
    expect((await postBid(api, 'timed-1', alice, { amount: '1000.00' }, 'terminal-1')).status).toBe(201);
    const floor = await fetch(`${api}/v1/auctions/live-1/floor`, {
      headers: { Authorization: `Bearer ${printed('Auctioneer')}` },
    });
    expect(floor.status).toBe(200);
    expect(gavel!.output()).toContain("-H 'X-Twilio-Signature: ");
  });

  it('warns loudly, and signs in a caller from another address', async () => {
    expect(gavel!.output()).toContain('WARNING: the passwordless demo sign-in is open to every machine');
    const from = external ?? '127.0.0.1';
    const res = await fetch(`http://${from}:${new URL(api).port}/v1/demo/sign-in`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': '203.0.113.7' },
      body: JSON.stringify({ user: 'bidder-bob' }),
    });
    expect(res.status).toBe(200);
  });
});
