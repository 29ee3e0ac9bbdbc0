import { exportSPKI, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectSse, type SseConnection } from '../../test/support/sse-client.ts';
import {
  hubToken,
  publish,
  publisherToken,
  startTestHub,
  subscribeUrl,
  subscriberToken,
  PUBLISHER_KEY,
  SUBSCRIBER_KEY,
} from '../../test/support/hub.ts';
import {
  captureLogs,
  expectLoggedRefusal,
  publishOk,
  uniqueTopic,
  type LogCapture,
} from '../../test/support/protocol.ts';
import type { RunningHub } from '../service/server.ts';

const APP_ORIGIN = 'https://app.example.com';
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** Asserts the refusal the client sees and the one structured log line the hub wrote for it. */
async function expectRefused(
  logs: LogCapture,
  res: Response,
  what: 'publish' | 'subscribe',
  status: number,
  code: string,
): Promise<void> {
  if (status === 401) expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="mercure"/);
  const line = await expectLoggedRefusal(logs, res, status, code);
  expect(line.refused).toBe(what);
  expect(typeof line.msg).toBe('string');
}

/** An `alg: none` JWT: never acceptable, whatever it claims. */
function unsecuredToken(payload: Record<string, unknown>): string {
  const part = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(payload)}.`;
}

function postForm(
  url: string,
  form: URLSearchParams,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: form,
  });
}

describe('auth with HMAC keys', { timeout: 20_000 }, () => {
  let hub: RunningHub;
  let logs: LogCapture;
  const open: SseConnection[] = [];
  const track = (sse: SseConnection): SseConnection => {
    open.push(sse);
    return sse;
  };
  const subscribeRaw = (topics: string[], headers: Record<string, string> = {}): Promise<Response> =>
    fetch(subscribeUrl(hub.url, topics), { headers: { Accept: 'text/event-stream', ...headers } });

  beforeAll(async () => {
    logs = captureLogs();
    hub = await startTestHub({ publishOrigins: [APP_ORIGIN], corsOrigins: [APP_ORIGIN] }, logs.logger);
  });
  afterEach(() => {
    for (const sse of open.splice(0)) sse.close();
    logs.take();
  });
  afterAll(async () => {
    await hub.close();
  });

  it('takes the publisher token from Authorization: Bearer', async () => {
    const topic = uniqueTopic();
    const sse = track(await connectSse(subscribeUrl(hub.url, [topic])));
    const id = await publishOk(hub.url, await publisherToken([topic]), { topic, data: 'bearer' });
    expect((await sse.waitFor(1)).map((e) => e.id)).toEqual([id]);
  });

  it('takes the publisher token from the authorization query parameter', async () => {
    const topic = uniqueTopic();
    const token = await publisherToken([topic]);
    const res = await postForm(
      `${hub.url}/.well-known/mercure?authorization=${encodeURIComponent(token)}`,
      new URLSearchParams({ topic, data: 'query' }),
    );
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/^urn:uuid:/);
  });

  it('takes the subscriber token from the cookie, the query parameter and the header (private updates)', async () => {
    const topic = uniqueTopic('private');
    const token = await subscriberToken([topic]);
    const byCookie = track(
      await connectSse(subscribeUrl(hub.url, [topic]), {
        headers: { Cookie: `other=1; mercureAuthorization=${token}` },
      }),
    );
    const byQuery = track(await connectSse(subscribeUrl(hub.url, [topic], { authorization: token })));
    const byHeader = track(
      await connectSse(subscribeUrl(hub.url, [topic]), { headers: { Authorization: `Bearer ${token}` } }),
    );
    const id = await publishOk(hub.url, await publisherToken(), { topic, data: 'secret', private: true });
    for (const sse of [byCookie, byQuery, byHeader]) {
      expect(sse.status).toBe(200);
      expect((await sse.waitFor(1)).map((e) => [e.id, e.data])).toEqual([[id, 'secret']]);
    }
  });

  it('accepts a cookie-authenticated publish only from an allowed Origin', async () => {
    const topic = uniqueTopic();
    const cookie = `mercureAuthorization=${await publisherToken([topic])}`;
    const form = (): URLSearchParams => new URLSearchParams({ topic, data: 'cookie' });
    const url = `${hub.url}/.well-known/mercure`;

    const allowed = await postForm(url, form(), { Cookie: cookie, Origin: APP_ORIGIN });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    const byReferer = await postForm(url, form(), { Cookie: cookie, Referer: `${APP_ORIGIN}/page?x=1` });
    expect(byReferer.status).toBe(200);

    const evil = await postForm(url, form(), { Cookie: cookie, Origin: 'https://evil.example.com' });
    await expectRefused(logs, evil, 'publish', 403, 'ORIGIN_NOT_ALLOWED');
    const none = await postForm(url, form(), { Cookie: cookie });
    await expectRefused(logs, none, 'publish', 403, 'ORIGIN_NOT_ALLOWED');
  });

  it('requires the publish claim to cover every topic of the update', async () => {
    const base = uniqueTopic('books');
    const token = await publisherToken([`${base}/{id}`]);
    await publishOk(hub.url, token, { topic: [`${base}/1`, `${base}/2`] });
    const res = await publish(hub.url, token, { topic: [`${base}/1`, uniqueTopic('authors')] });
    await expectRefused(logs, res, 'publish', 403, 'TOPIC_NOT_AUTHORIZED');
    const single = await publish(hub.url, token, { topic: `${base}/1/chapters/2` });
    await expectRefused(logs, single, 'publish', 403, 'TOPIC_NOT_AUTHORIZED');
  });

  it('refuses a valid publisher token without a mercure.publish claim with 403 CLAIM_MISSING', async () => {
    const topic = uniqueTopic();
    const subscribeOnly = await hubToken({ subscribe: ['*'] });
    await expectRefused(
      logs,
      await publish(hub.url, subscribeOnly, { topic }),
      'publish',
      403,
      'CLAIM_MISSING',
    );
    const noMercure = await new SignJWT({ sub: 'x' })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(PUBLISHER_KEY));
    await expectRefused(logs, await publish(hub.url, noMercure, { topic }), 'publish', 403, 'CLAIM_MISSING');
  });

  it('refuses unusable publisher tokens with 401 and the specific code', async () => {
    const topic = uniqueTopic();
    const cases: [string | undefined, string][] = [
      [undefined, 'TOKEN_MISSING'],
      ['not-a-jwt', 'TOKEN_MALFORMED'],
      ['a.b.c', 'TOKEN_MALFORMED'],
      [await hubToken({ publish: ['*'] }, { expiresIn: nowSeconds() - 60 }), 'TOKEN_EXPIRED'],
      [
        await hubToken({ publish: ['*'] }, { key: 'another-key-0123456789abcdef0123456789' }),
        'TOKEN_BAD_SIGNATURE',
      ],
      [await hubToken({ publish: ['*'] }, { alg: 'HS512' }), 'TOKEN_BAD_ALGORITHM'],
      [unsecuredToken({ mercure: { publish: ['*'] } }), 'TOKEN_BAD_ALGORITHM'],
    ];
    for (const [token, code] of cases) {
      await expectRefused(logs, await publish(hub.url, token, { topic }), 'publish', 401, code);
    }
  });

  it('refuses unusable subscriber tokens with 401 and the specific code', async () => {
    const topic = uniqueTopic();
    const cases: [string, string][] = [
      ['not-a-jwt', 'TOKEN_MALFORMED'],
      [
        await hubToken({ subscribe: ['*'] }, { key: SUBSCRIBER_KEY, expiresIn: nowSeconds() - 60 }),
        'TOKEN_EXPIRED',
      ],
      // Signed with the publisher key: the subscriber key is a different one.
      [await hubToken({ subscribe: ['*'] }), 'TOKEN_BAD_SIGNATURE'],
      [await hubToken({ subscribe: ['*'] }, { key: SUBSCRIBER_KEY, alg: 'HS384' }), 'TOKEN_BAD_ALGORITHM'],
    ];
    for (const [token, code] of cases) {
      const res = await subscribeRaw([topic], { Authorization: `Bearer ${token}` });
      await expectRefused(logs, res, 'subscribe', 401, code);
    }
    // Same refusal whichever way the token came.
    const viaCookie = await subscribeRaw([topic], { Cookie: 'mercureAuthorization=not-a-jwt' });
    await expectRefused(logs, viaCookie, 'subscribe', 401, 'TOKEN_MALFORMED');
  });

  it('sends private updates only to subscribers whose mercure.subscribe claim matches one of its topics', async () => {
    const topic = uniqueTopic('private');
    const alternate = uniqueTopic('alternate');
    const publisher = await publisherToken();
    const as = async (claim: string[] | undefined): Promise<SseConnection> => {
      const headers: Record<string, string> =
        claim === undefined
          ? {}
          : { Authorization: `Bearer ${await hubToken({ subscribe: claim }, { key: SUBSCRIBER_KEY })}` };
      const sse = track(await connectSse(subscribeUrl(hub.url, [topic]), { headers }));
      expect(sse.status).toBe(200);
      return sse;
    };
    const anonymous = await as(undefined);
    const noClaim = track(
      await connectSse(subscribeUrl(hub.url, [topic]), {
        headers: { Authorization: `Bearer ${await hubToken({}, { key: SUBSCRIBER_KEY })}` },
      }),
    );
    const otherClaim = await as([uniqueTopic('private')]);
    const exactClaim = await as([topic]);
    const templateClaim = await as([`${topic.slice(0, topic.lastIndexOf('/'))}/{id}`]);
    const alternateClaim = await as([alternate]);
    const starClaim = await as(['*']);

    const secret = await publishOk(hub.url, publisher, {
      topic: [topic, alternate],
      data: 's',
      private: true,
    });
    const visible = await publishOk(hub.url, publisher, { topic, data: 'public' });

    for (const sse of [anonymous, noClaim, otherClaim]) {
      expect((await sse.waitFor(1)).map((e) => e.id)).toEqual([visible]);
    }
    for (const sse of [exactClaim, templateClaim, alternateClaim, starClaim]) {
      expect((await sse.waitFor(2)).map((e) => e.id)).toEqual([secret, visible]);
    }
  });

  it('keeps private updates out of a replay for a subscriber without the claim', async () => {
    const topic = uniqueTopic('private');
    const publisher = await publisherToken();
    const secret = await publishOk(hub.url, publisher, { topic, data: 's', private: true });
    const visible = await publishOk(hub.url, publisher, { topic, data: 'p' });
    const anonymous = track(await connectSse(subscribeUrl(hub.url, [topic], { lastEventID: 'earliest' })));
    const allowed = track(
      await connectSse(subscribeUrl(hub.url, [topic], { lastEventID: 'earliest' }), {
        headers: { Authorization: `Bearer ${await subscriberToken([topic])}` },
      }),
    );
    expect((await allowed.waitFor(2)).map((e) => e.id)).toEqual([secret, visible]);
    expect((await anonymous.waitFor(1)).map((e) => e.id)).toEqual([visible]);
  });
});

describe('auth with anonymous subscribers disabled', { timeout: 20_000 }, () => {
  let hub: RunningHub;
  let logs: LogCapture;

  beforeAll(async () => {
    logs = captureLogs();
    hub = await startTestHub({ anonymous: false }, logs.logger);
  });
  afterAll(async () => {
    await hub.close();
  });

  it('refuses a subscriber without a token with 401 ANONYMOUS_DISABLED and accepts one with a token', async () => {
    const topic = uniqueTopic();
    const res = await fetch(subscribeUrl(hub.url, [topic]), { headers: { Accept: 'text/event-stream' } });
    await expectRefused(logs, res, 'subscribe', 401, 'ANONYMOUS_DISABLED');

    const sse = await connectSse(subscribeUrl(hub.url, [topic]), {
      headers: { Authorization: `Bearer ${await subscriberToken([topic])}` },
    });
    try {
      expect(sse.status).toBe(200);
      const id = await publishOk(hub.url, await publisherToken(), { topic });
      expect((await sse.waitFor(1)).map((e) => e.id)).toEqual([id]);
    } finally {
      sse.close();
    }
  });
});

type AsymmetricAlg = 'RS256' | 'ES256';

/** A key pair for one role: the hub gets the SPKI PEM, the test signs with the private key. */
async function keyPair(alg: AsymmetricAlg): Promise<{ pem: string; privateKey: CryptoKey }> {
  const { publicKey, privateKey } = await generateKeyPair(alg);
  return { pem: await exportSPKI(publicKey), privateKey };
}

function sign(claim: Record<string, unknown>, alg: string, key: CryptoKey | Uint8Array): Promise<string> {
  return new SignJWT({ mercure: claim }).setProtectedHeader({ alg }).setIssuedAt().sign(key);
}

describe.each<AsymmetricAlg>(['RS256', 'ES256'])('auth with %s public keys', { timeout: 20_000 }, (alg) => {
  let hub: RunningHub;
  let logs: LogCapture;
  let publisher: { pem: string; privateKey: CryptoKey };
  let subscriber: { pem: string; privateKey: CryptoKey };
  let stranger: { pem: string; privateKey: CryptoKey };

  beforeAll(async () => {
    [publisher, subscriber, stranger] = await Promise.all([keyPair(alg), keyPair(alg), keyPair(alg)]);
    logs = captureLogs();
    hub = await startTestHub(
      {
        publisherAlg: alg,
        publisherKey: publisher.pem,
        subscriberAlg: alg,
        subscriberKey: subscriber.pem,
      },
      logs.logger,
    );
  });
  afterAll(async () => {
    await hub.close();
  });

  it('verifies publisher and subscriber tokens signed with the private keys', async () => {
    const topic = uniqueTopic('private');
    const sse = await connectSse(subscribeUrl(hub.url, [topic]), {
      headers: { Authorization: `Bearer ${await sign({ subscribe: [topic] }, alg, subscriber.privateKey)}` },
    });
    try {
      expect(sse.status).toBe(200);
      const token = await sign({ publish: [topic] }, alg, publisher.privateKey);
      const id = await publishOk(hub.url, token, { topic, data: 'signed', private: true });
      expect((await sse.waitFor(1)).map((e) => [e.id, e.data])).toEqual([[id, 'signed']]);
    } finally {
      sse.close();
    }
  });

  it('refuses a token signed by another key pair with 401 TOKEN_BAD_SIGNATURE', async () => {
    const token = await sign({ publish: ['*'] }, alg, stranger.privateKey);
    await expectRefused(
      logs,
      await publish(hub.url, token, { topic: uniqueTopic() }),
      'publish',
      401,
      'TOKEN_BAD_SIGNATURE',
    );
  });

  it('refuses HMAC tokens keyed with the public PEM (algorithm confusion) with 401 TOKEN_BAD_ALGORITHM', async () => {
    const token = await sign({ publish: ['*'] }, 'HS256', new TextEncoder().encode(publisher.pem));
    await expectRefused(
      logs,
      await publish(hub.url, token, { topic: uniqueTopic() }),
      'publish',
      401,
      'TOKEN_BAD_ALGORITHM',
    );
  });

  it('refuses a token of the other asymmetric family with 401 TOKEN_BAD_ALGORITHM', async () => {
    const otherAlg: AsymmetricAlg = alg === 'RS256' ? 'ES256' : 'RS256';
    const other = await generateKeyPair(otherAlg);
    const token = await sign({ subscribe: ['*'] }, otherAlg, other.privateKey);
    const res = await fetch(subscribeUrl(hub.url, [uniqueTopic()]), {
      headers: { Authorization: `Bearer ${token}` },
    });
    await expectRefused(logs, res, 'subscribe', 401, 'TOKEN_BAD_ALGORITHM');
  });
});
