import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handlerGateway, type HandlerGateway } from '../handler-kit.ts';
import { DEMO_USERS } from './seed.ts';

/* The demo sign-in through app.request(): a request with no socket is not known to come from this machine. */

describe('the demo sign-in in process', () => {
  let local: HandlerGateway;
  let open: HandlerGateway;
  let none: HandlerGateway;
  beforeAll(async () => {
    local = await handlerGateway({ demo: true });
    open = await handlerGateway({ demo: true, demoAllowRemote: true });
    none = await handlerGateway({ demo: false });
  });
  afterAll(async () => {
    for (const g of [local, open, none]) await g.close();
  });

  it('refuses a caller it cannot place on this machine (403 DEMO_LOCAL_ONLY)', async () => {
    const res = await local.call('POST', '/v1/demo/sign-in', { body: { user: 'bidder-alice' } });
    expect([res.status, res.body.error?.code]).toEqual([403, 'DEMO_LOCAL_ONLY']);
    expect(res.body.error?.message).toContain('GAVEL_DEMO_ALLOW_REMOTE');
  });

  it('signs anyone in with GAVEL_DEMO_ALLOW_REMOTE, with a token the API takes', async () => {
    const users = await open.call('GET', '/v1/demo/users');
    expect(users.body.users).toEqual(DEMO_USERS);
    const res = await open.call('POST', '/v1/demo/sign-in', { body: { user: 'demo-auctioneer' } });
    expect(res.status).toBe(200);
    expect(res.body.user).toEqual(DEMO_USERS.find((u) => u.id === 'demo-auctioneer'));
    expect(res.headers.get('cache-control')).toBe('no-store');
    const user = await open.tokens.verify(res.body.token as string);
    expect([user.id, user.role]).toEqual(['demo-auctioneer', 'auctioneer']);
    const unknown = await open.call('POST', '/v1/demo/sign-in', { body: { user: 'mallory' } });
    expect([unknown.status, unknown.body.error?.code]).toEqual([404, 'UNKNOWN_USER']);
    const bad = await open.call('POST', '/v1/demo/sign-in', { body: {} });
    expect([bad.status, bad.body.error?.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(bad.body.error?.message).toContain('user');
  });

  it('has no demo routes without the demo', async () => {
    const res = await none.call('POST', '/v1/demo/sign-in', { body: { user: 'bidder-alice' } });
    expect([res.status, res.body.error?.code]).toEqual([404, 'NOT_FOUND']);
  });
});
