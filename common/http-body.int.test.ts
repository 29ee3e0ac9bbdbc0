import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { timedSetup } from '../test/support/bidding.ts';
import { postBid, startTestGavel } from '../test/support/gavel.ts';
import { startTestBackOffice, type TestBackOffice } from '../test/support/orchestrator.ts';
import type { RunningGateway } from '../gateway/index.ts';
import { duplicateKey, parseJson } from './http-body.ts';
import { AppError } from './errors.ts';

describe('duplicateKey', () => {
  it.each([
    ['{"amount":"1","amount":"5300.00"}', { key: 'amount', path: '' }],
    ['{"amount":"1","\\u0061mount":"5300.00"}', { key: 'amount', path: '' }],
    ['{"a":{"b":1,"c":{"x":1,"x":2}}}', { key: 'x', path: 'a.c' }],
    ['[{"a":1},{"a":1,"a":2}]', { key: 'a', path: '[1]' }],
    ['{"lots":[{"n":1},{"n":2,"n":3}]}', { key: 'n', path: 'lots[1]' }],
    ['{"":1,"":2}', { key: '', path: '' }],
    ['{"__proto__":1,"__proto__":2}', { key: '__proto__', path: '' }],
  ])('finds the duplicate in %s', (text, found) => {
    expect(duplicateKey(text)).toEqual(found);
  });

  it.each([
    '{"amount":"1","max":"2"}',
    // The same key in different objects, keys that only look alike, a key's text inside a value.
    '{"a":{"x":1},"b":{"x":1}}',
    '{"a":1,"A":2,"a ":3}',
    '{"message":"\\"amount\\":1,\\"amount\\":2","amount":"1"}',
    '[{"a":1},{"a":1}]',
    '"{\\"a\\":1,\\"a\\":2}"',
    '{"a":[1,{"b":[]},"x,y"],"b":{}}',
    '{}',
    '42',
  ])('finds none in %s', (text) => {
    expect(duplicateKey(text)).toBeUndefined();
  });

  it('refuses the body with 400 DUPLICATE_KEY naming the key', () => {
    const err = ((): unknown => {
      try {
        parseJson('{"amount":"1","amount":"5300.00"}');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ status: 400, code: 'DUPLICATE_KEY', details: { key: 'amount' } });
    expect((err as AppError).message).toMatch(/"amount"/);
  });
});

describe('bodies with a key twice are refused on the money routes', () => {
  let g: RunningGateway;
  let office: TestBackOffice;
  beforeAll(async () => {
    [g, office] = await Promise.all([startTestGavel(), startTestBackOffice('dupkeys')]);
  }, 60_000);
  afterAll(async () => {
    await g.close();
    await office.close();
  });

  const refused = (res: { status: number; body: unknown }, key: string): void => {
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body).toMatchObject({ error: { code: 'DUPLICATE_KEY', details: { key } } });
  };

  it('a bid: nothing is decided', async () => {
    const id = `dup-${randomUUID().slice(0, 8)}`;
    await g.store!.configure(timedSetup(id, Date.now()));
    await g.store!.setEligibility(id, 'alice', 100_000_000);
    const alice = await g.tokens.sign({ id: 'alice', role: 'bidder', name: 'Alice' });
    refused(await postBid(g.url, id, alice, '{"amount":"1","amount":"5300.00"}', randomUUID()), 'amount');
    refused(
      await postBid(g.url, id, alice, '{"amount":"100.00","max":"1","max":"9000.00"}', randomUUID()),
      'max',
    );
    expect(await g.engine.decisions(id)).toEqual([]);
    // The same body once per key is taken.
    expect((await postBid(g.url, id, alice, '{"amount":"5300.00"}', randomUUID())).status).toBe(201);
  }, 30_000);

  it('a floor action', async () => {
    const id = `dup-${randomUUID().slice(0, 8)}`;
    await g.store!.configure(timedSetup(id, Date.now(), { mode: 'live', status: 'scheduled' }));
    const clerk = await g.tokens.sign({ id: 'clerk', role: 'auctioneer', name: 'Clerk' });
    const res = await fetch(`${g.url}/v1/auctions/${id}/floor/increment`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${clerk}`,
        'Content-Type': 'application/json',
        'Idempotency-Key': randomUUID(),
      },
      body: '{"step":"1.00","step":"900000.00"}',
    });
    refused({ status: res.status, body: await res.json() }, 'step');
    expect(await g.engine.decisions(id)).toEqual([]);
  }, 30_000);

  it('an admin API body', async () => {
    const res = await office.api(
      'POST',
      '/sales',
      '{"id":"dup-sale","title":"Dup","mode":"timed","currency":"EUR","kycFreeLimit":"1.00","kycFreeLimit":"100000.00"}',
    );
    refused(res, 'kycFreeLimit');
    expect((await office.api('GET', '/sales/dup-sale')).status).toBe(404);
  }, 30_000);
});
