import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  hubToken,
  PUBLISHER_KEY,
  publisherToken,
  SUBSCRIBER_KEY,
  subscriberToken,
} from '../../test/support/hub.ts';
import { captureLogs, type LogCapture } from '../../test/support/protocol.ts';
import { Subscriber, type SubscriberSink } from '../fanout/subscriber.ts';
import { hubDefaults, type HubConfig } from '../service/config.ts';
import { createHubService, type HubService } from '../service/server.ts';

/**
 * The publish checks and the subscription API through the hub's Hono app, in process, on the
 * memory transport: no socket, no Redis. The socket tests beside these keep what is about the
 * wire (SSE bytes, the raw publish path, backpressure, replay, clusters).
 */
const HUB = 'http://hub.test/.well-known/mercure';
const SUBS = `${HUB}/subscriptions`;
const APP_ORIGIN = 'https://app.example';
const API_CLAIMS = [
  '/.well-known/mercure/subscriptions',
  '/.well-known/mercure/subscriptions{/topic}{/subscriber}',
];

const topic = (name = 'lot'): string => `https://example.com/${name}/${randomUUID()}`;
const sink: SubscriberSink = { write: () => true, writableLength: 0, end: () => {}, destroy: () => {} };

async function startService(overrides: Partial<HubConfig> = {}, logs?: LogCapture): Promise<HubService> {
  return createHubService(
    {
      ...hubDefaults,
      publisherKey: PUBLISHER_KEY,
      subscriberKey: SUBSCRIBER_KEY,
      anonymous: true,
      transportUrl: 'memory://',
      corsOrigins: [APP_ORIGIN],
      publishOrigins: [APP_ORIGIN],
      metricsPort: undefined,
      ...overrides,
    },
    (logs ?? captureLogs()).logger,
  );
}

/** A publish request: form fields and headers (a Bearer token when `token` is given). */
function publishRequest(
  token: string | undefined,
  fields: [string, string][],
  headers: Record<string, string> = {},
): RequestInit {
  return {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
      ...headers,
    },
    body: new URLSearchParams(fields).toString(),
  };
}

/** Status and `error.code` of a refusal, after checking it is the hub's JSON error body. */
async function refusal(res: Response): Promise<{ status: number; code: unknown }> {
  expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
  const body = (await res.json()) as { error?: { code?: unknown; message?: unknown } };
  expect(typeof body.error?.message).toBe('string');
  return { status: res.status, code: body.error?.code };
}

/** Opens a live subscription on the hub without a socket (as the subscribe handler does), and waits until it is listed. */
async function subscribeInProcess(
  service: HubService,
  selectors: string[],
  payload?: unknown,
): Promise<Subscriber> {
  const sub = new Subscriber({ selectors, claims: undefined, payload, sink });
  const { replay } = await service.hub.attach(sub, undefined);
  service.hub.goLive(sub, replay);
  // Subscriptions are recorded once per event-loop turn: wait until this one is.
  for (let i = 0; i < 100; i++) {
    const listed = await service.hub.transport.listSubscriptions();
    if (listed.some((r) => r.subscriber === sub.id)) return sub;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('the subscription was never recorded');
}

describe('publish through the handler', () => {
  let service: HubService;
  let logs: LogCapture;
  beforeAll(async () => {
    logs = captureLogs();
    service = await startService({ maxBodyBytes: 1024 }, logs);
  });
  afterAll(() => service.close());

  it('accepts an update, answers its id and appends it to history', async () => {
    const t = topic();
    const res = await service.app.request(
      HUB,
      publishRequest(await publisherToken(), [
        ['topic', t],
        ['id', 'urn:x:1'],
        ['data', 'd'],
      ]),
    );
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('urn:x:1');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await service.hub.transport.lastEventId()).toBe('urn:x:1');
    const history = await service.hub.transport.since('earliest');
    expect(history.updates.at(-1)).toMatchObject({ id: 'urn:x:1', topics: [t], data: 'd', private: false });
  });

  it('acknowledges a publish again under the same id without appending it twice', async () => {
    const token = await publisherToken();
    const fields: [string, string][] = [
      ['topic', topic()],
      ['id', 'urn:x:dup'],
    ];
    const before = (await service.hub.transport.since('earliest')).updates.length;
    for (let i = 0; i < 2; i++) {
      const res = await service.app.request(HUB, publishRequest(token, fields));
      expect(await res.text()).toBe('urn:x:dup');
    }
    expect((await service.hub.transport.since('earliest')).updates.length).toBe(before + 1);
  });

  it('refuses without a token: 401 TOKEN_MISSING with a Bearer challenge, counted and logged', async () => {
    logs.take();
    const res = await service.app.request(HUB, publishRequest(undefined, [['topic', topic()]]));
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="mercure", error="invalid_token"/);
    expect(await refusal(res)).toEqual({ status: 401, code: 'TOKEN_MISSING' });
    expect(logs.take().filter((l) => 'refused' in l)).toEqual([
      expect.objectContaining({ refused: 'publish', status: 401, reason: 'TOKEN_MISSING' }),
    ]);
    const counted = await service.metrics.refused.get();
    expect(counted.values.find((v) => v.labels.reason === 'TOKEN_MISSING')?.value).toBeGreaterThanOrEqual(1);
  });

  it('refuses a token signed with another key, or one that grants no publishing', async () => {
    const t = topic();
    const forged = await hubToken(
      { publish: ['*'] },
      { key: 'another-key-0123456789abcdef0123456789abcdef' },
    );
    expect(await refusal(await service.app.request(HUB, publishRequest(forged, [['topic', t]])))).toEqual({
      status: 401,
      code: 'TOKEN_BAD_SIGNATURE',
    });
    const subscriberOnly = await hubToken({ subscribe: ['*'] });
    expect(
      await refusal(await service.app.request(HUB, publishRequest(subscriberOnly, [['topic', t]]))),
    ).toEqual({
      status: 403,
      code: 'CLAIM_MISSING',
    });
  });

  it('refuses a topic the token does not cover, even beside one it does', async () => {
    const covered = 'https://example.com/mine/{id}';
    const token = await publisherToken([covered]);
    const ok = await service.app.request(
      HUB,
      publishRequest(token, [['topic', 'https://example.com/mine/1']]),
    );
    expect(ok.status).toBe(200);
    const res = await service.app.request(
      HUB,
      publishRequest(token, [
        ['topic', 'https://example.com/mine/2'],
        ['topic', 'https://example.com/theirs/2'],
      ]),
    );
    expect(await refusal(res)).toEqual({ status: 403, code: 'TOPIC_NOT_AUTHORIZED' });
  });

  it('refuses another content type, and a body over the limit', async () => {
    const token = await publisherToken();
    const json = await service.app.request(HUB, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ topic: topic() }),
    });
    expect(await refusal(json)).toEqual({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    const big = await service.app.request(
      HUB,
      publishRequest(token, [
        ['topic', topic()],
        ['data', 'x'.repeat(2000)],
      ]),
    );
    expect(await refusal(big)).toEqual({ status: 413, code: 'BODY_TOO_LARGE' });
  });

  it('refuses an invalid update with the field named', async () => {
    const token = await publisherToken();
    const cases: [[string, string][], string][] = [
      [[['data', 'x']], 'MISSING_TOPIC'],
      [[['topic', 'https://h/.well-known/mercure/subscriptions/a/b']], 'RESERVED_TOPIC'],
      [
        [
          ['topic', topic()],
          ['id', 'earliest'],
        ],
        'INVALID_ID',
      ],
      [
        [
          ['topic', topic()],
          ['type', 'a\nb'],
        ],
        'INVALID_TYPE',
      ],
      [
        [
          ['topic', topic()],
          ['retry', '-5'],
        ],
        'INVALID_RETRY',
      ],
    ];
    for (const [fields, code] of cases)
      expect(await refusal(await service.app.request(HUB, publishRequest(token, fields)))).toEqual({
        status: 400,
        code,
      });
  });

  it('takes a cookie-authenticated publish only from an allowed origin', async () => {
    const cookie = { Cookie: `mercureAuthorization=${await publisherToken()}` };
    const foreign = await service.app.request(
      HUB,
      publishRequest(undefined, [['topic', topic()]], { ...cookie, Origin: 'https://evil.example' }),
    );
    expect(await refusal(foreign)).toEqual({ status: 403, code: 'ORIGIN_NOT_ALLOWED' });
    const allowed = await service.app.request(
      HUB,
      publishRequest(undefined, [['topic', topic()]], { ...cookie, Origin: APP_ORIGIN }),
    );
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
  });
});

describe('subscription API through the handler', () => {
  let service: HubService;
  let token: string;
  beforeAll(async () => {
    service = await startService();
    token = await subscriberToken(API_CLAIMS);
  });
  afterAll(() => service.close());

  /** A GET with the API token, another token, or none (null). */
  const get = (url: string, bearer: string | null = token): Promise<Response> =>
    Promise.resolve(
      service.app.request(url, { headers: bearer === null ? {} : { Authorization: `Bearer ${bearer}` } }),
    );

  it('lists the active subscriptions as JSON-LD, with the last event id', async () => {
    const t = topic();
    const sub = await subscribeInProcess(service, [t], { name: 'paddle 7' });
    const res = await get(SUBS);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/ld+json');
    const body = (await res.json()) as {
      subscriptions: unknown[];
      lastEventID: string;
      type: string;
      id: string;
    };
    expect(body).toMatchObject({
      '@context': 'https://mercure.rocks/',
      type: 'Subscriptions',
      id: '/.well-known/mercure/subscriptions',
    });
    expect(body.lastEventID).toBe((await service.hub.transport.lastEventId()) ?? 'earliest');
    expect(body.subscriptions).toContainEqual({
      id: `/.well-known/mercure/subscriptions/${encodeURIComponent(t)}/${encodeURIComponent(sub.id)}`,
      type: 'Subscription',
      subscriber: sub.id,
      topic: t,
      active: true,
      payload: { name: 'paddle 7' },
    });
    service.hub.detach(sub);
  });

  it('filters by topic, and shows one subscription by topic and subscriber', async () => {
    const [a, b] = [topic('a'), topic('b')];
    const subA = await subscribeInProcess(service, [a]);
    const subB = await subscribeInProcess(service, [b]);
    const byTopic = (await (await get(`${SUBS}/${encodeURIComponent(a)}`)).json()) as {
      subscriptions: { subscriber: string }[];
    };
    expect(byTopic.subscriptions.map((s) => s.subscriber)).toEqual([subA.id]);
    const one = await get(`${SUBS}/${encodeURIComponent(b)}/${encodeURIComponent(subB.id)}`);
    expect(one.status).toBe(200);
    expect(await one.json()).toMatchObject({
      '@context': 'https://mercure.rocks/',
      subscriber: subB.id,
      topic: b,
      active: true,
    });
    const none = await get(`${SUBS}/${encodeURIComponent(b)}/${encodeURIComponent(subA.id)}`);
    expect(await refusal(none)).toEqual({ status: 404, code: 'SUBSCRIPTION_NOT_FOUND' });
    service.hub.detach(subA);
    service.hub.detach(subB);
  });

  it('drops a subscription from the list once it is detached', async () => {
    const t = topic();
    const sub = await subscribeInProcess(service, [t]);
    service.hub.detach(sub);
    for (
      let i = 0;
      i < 100 && (await service.hub.transport.listSubscriptions()).some((r) => r.subscriber === sub.id);
      i++
    )
      await new Promise((resolve) => setImmediate(resolve));
    const body = (await (await get(`${SUBS}/${encodeURIComponent(t)}`)).json()) as {
      subscriptions: unknown[];
    };
    expect(body.subscriptions).toEqual([]);
  });

  it('needs a subscriber token whose claim covers the requested URL', async () => {
    expect(await refusal(await get(SUBS, null))).toEqual({ status: 401, code: 'TOKEN_MISSING' });
    expect(
      await refusal(await get(SUBS, await hubToken({ publish: ['*'] }, { key: SUBSCRIBER_KEY }))),
    ).toEqual({
      status: 403,
      code: 'CLAIM_MISSING',
    });
    expect(await refusal(await get(SUBS, await subscriberToken(['https://example.com/{x}'])))).toEqual({
      status: 403,
      code: 'TOPIC_NOT_AUTHORIZED',
    });
    expect(await refusal(await get(SUBS, await publisherToken()))).toEqual({
      status: 401,
      code: 'TOKEN_BAD_SIGNATURE',
    });
  });

  it('refuses a malformed or too deep path', async () => {
    expect(await refusal(await get(`${SUBS}/%E0%A4%A`))).toEqual({ status: 400, code: 'INVALID_PATH' });
    expect(await refusal(await get(`${SUBS}/a/b/c`))).toEqual({ status: 404, code: 'NOT_FOUND' });
  });

  it('answers 503 HUB_UNAVAILABLE when the transport fails, and 404 when the API is off', async () => {
    const transport = service.hub.transport;
    const list = transport.listSubscriptions.bind(transport);
    transport.listSubscriptions = () => Promise.reject(new Error('store down'));
    try {
      expect(await refusal(await get(SUBS))).toEqual({ status: 503, code: 'HUB_UNAVAILABLE' });
    } finally {
      transport.listSubscriptions = list;
    }
    const off = await startService({ subscriptions: false });
    try {
      const res = await off.app.request(SUBS, { headers: { Authorization: `Bearer ${token}` } });
      expect(await refusal(res)).toEqual({ status: 404, code: 'SUBSCRIPTIONS_DISABLED' });
    } finally {
      await off.close();
    }
  });
});

describe('the rest of the hub app', () => {
  let service: HubService;
  beforeAll(async () => {
    service = await startService();
  });
  afterAll(() => service.close());

  it('answers the CORS preflight for an allowed origin only', async () => {
    const ok = await service.app.request(HUB, { method: 'OPTIONS', headers: { Origin: APP_ORIGIN } });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(ok.headers.get('access-control-allow-methods')).toBe('GET, POST, OPTIONS');
    const foreign = await service.app.request(HUB, {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example' },
    });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('reports its health and transport', async () => {
    const res = await service.app.request('http://hub.test/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', transport: 'memory', subscribers: 0 });
  });

  it('answers 404 NOT_FOUND for any other hub path', async () => {
    expect(await refusal(await service.app.request(`${HUB}/nothing`))).toEqual({
      status: 404,
      code: 'NOT_FOUND',
    });
  });
});
