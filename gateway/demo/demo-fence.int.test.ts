import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../common/config.ts';
import { DISTRIBUTED_GATEWAY_ENV, startTestGavel } from '../../test/support/gavel.ts';
import { gatewayConfigFromEnv } from '../config.ts';
import type { RunningGateway } from '../server.ts';

/** This machine's first non-loopback IPv4 address: a request to it comes from a non-loopback peer. */
const external = Object.values(networkInterfaces())
  .flat()
  .find((i) => i !== undefined && !i.internal && i.family === 'IPv4')?.address;

describe('the demo in configuration', () => {
  it('is refused when distributed', () => {
    expect(() => gatewayConfigFromEnv({ ...DISTRIBUTED_GATEWAY_ENV, GAVEL_DEMO: 'true' })).toThrow(
      /GAVEL_DEMO is for the embedded default only/,
    );
    expect(gatewayConfigFromEnv(DISTRIBUTED_GATEWAY_ENV).demo).toBe(false);
    expect(gatewayConfigFromEnv({ ...DISTRIBUTED_GATEWAY_ENV, GAVEL_DEMO: 'false' }).demo).toBe(false);
  });

  it('is refused on a non-loopback address unless GAVEL_DEMO_ALLOW_REMOTE=true', () => {
    for (const HOST of ['0.0.0.0', '::', '192.0.2.10'])
      expect(() => gatewayConfigFromEnv({ HOST }), HOST).toThrow(ConfigError);
    expect(() => gatewayConfigFromEnv({ HOST: '0.0.0.0' })).toThrow(/GAVEL_DEMO_ALLOW_REMOTE=true/);
    for (const HOST of ['127.0.0.1', '127.0.0.2', '::1', 'localhost'])
      expect(gatewayConfigFromEnv({ HOST }).demo, HOST).toBe(true);
    expect(gatewayConfigFromEnv({ HOST: '0.0.0.0', GAVEL_DEMO: 'false' }).demo).toBe(false);
    expect(gatewayConfigFromEnv({ HOST: '0.0.0.0', GAVEL_DEMO_ALLOW_REMOTE: 'true' })).toMatchObject({
      demo: true,
      demoAllowRemote: true,
    });
  });
});

/** The demo sign-in route on a gateway listening on every interface (built in code, past the config's check). */
describe('the demo sign-in route (real HTTP, listening on 0.0.0.0)', () => {
  let fenced: RunningGateway;
  let open: RunningGateway;
  beforeAll(async () => {
    [fenced, open] = await Promise.all([
      startTestGavel({ host: '0.0.0.0', demo: true, demoAllowRemote: false }),
      startTestGavel({ host: '0.0.0.0', demo: true, demoAllowRemote: true }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([fenced.close(), open.close()]);
  });

  const portOf = (g: RunningGateway): string => new URL(g.url).port;
  const signIn = async (
    host: string,
    g: RunningGateway,
    headers: Record<string, string> = {},
  ): Promise<[number, string | undefined]> => {
    const res = await fetch(`http://${host}:${portOf(g)}/v1/demo/sign-in`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify({ user: 'demo-auctioneer' }),
    });
    const body = (await res.json()) as { token?: string; error?: { code: string } };
    return [res.status, body.error?.code];
  };

  it('signs in a caller on this machine', async () => {
    expect(await signIn('127.0.0.1', fenced)).toEqual([200, undefined]);
    const users = await fetch(`http://127.0.0.1:${portOf(fenced)}/v1/demo/users`);
    expect(users.status).toBe(200);
  });

  it('refuses a caller from another address, or relayed by a proxy (403 DEMO_LOCAL_ONLY)', async () => {
    // A proxy on this machine relays others' requests: its socket is loopback, its headers say so.
    expect(await signIn('127.0.0.1', fenced, { 'X-Forwarded-For': '203.0.113.7' })).toEqual([
      403,
      'DEMO_LOCAL_ONLY',
    ]);
    expect(await signIn('127.0.0.1', fenced, { Forwarded: 'for=203.0.113.7' })).toEqual([
      403,
      'DEMO_LOCAL_ONLY',
    ]);
    if (external !== undefined) {
      expect(await signIn(external, fenced)).toEqual([403, 'DEMO_LOCAL_ONLY']);
      const users = await fetch(`http://${external}:${portOf(fenced)}/v1/demo/users`);
      expect(users.status).toBe(403);
    }
  });

  it('answers everyone with GAVEL_DEMO_ALLOW_REMOTE', async () => {
    expect(await signIn('127.0.0.1', open, { 'X-Forwarded-For': '203.0.113.7' })).toEqual([200, undefined]);
    if (external !== undefined) expect(await signIn(external, open)).toEqual([200, undefined]);
  });
});
