import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectSse, type SseConnection } from '../../test/support/sse-client.ts';
import { hubToken, startTestHub, SUBSCRIBER_KEY, subscribeUrl } from '../../test/support/hub.ts';
import { eventually } from '../../test/support/hub-redis.ts';
import {
  captureLogs,
  expectLoggedRefusal,
  uniqueTopic,
  type LogCapture,
} from '../../test/support/protocol.ts';
import type { RunningHub } from '../service/server.ts';

/**
 * What one client may ask of the hub: topic selectors per subscription, the size and complexity
 * of each, and open subscriptions per address or per token subject. Each limit is refused with a
 * 4xx JSON error naming the limit and its variable, and logged like every refusal.
 */
describe('subscription limits', { timeout: 20_000 }, () => {
  let hub: RunningHub;
  let logs: LogCapture;
  const open: SseConnection[] = [];
  const track = (s: SseConnection): SseConnection => {
    open.push(s);
    return s;
  };

  beforeAll(async () => {
    logs = captureLogs();
    hub = await startTestHub(
      {
        maxTopics: 4,
        maxTopicLength: 100,
        maxTemplateExpressions: 3,
        maxConnectionsPerIp: 2,
        maxConnectionsPerSubject: 2,
        trustedProxies: ['127.0.0.1'],
      },
      logs.logger,
    );
  });
  afterEach(() => {
    for (const s of open.splice(0)) s.close();
    logs.take();
  });
  afterAll(async () => {
    await hub.close();
  });

  /** A subscriber token with a subject (`sub`), as the gateway mints for a signed-in user. */
  const tokenFor = (subject: string): Promise<string> =>
    hubToken({ subscribe: ['https://example.com/{x}'] }, { key: SUBSCRIBER_KEY, subject });

  it('refuses more topic selectors than MERCURE_MAX_TOPICS with 400 TOO_MANY_TOPICS', async () => {
    const four = Array.from({ length: 4 }, () => uniqueTopic());
    const ok = track(await connectSse(subscribeUrl(hub.url, four)));
    expect(ok.status).toBe(200);
    const res = await fetch(subscribeUrl(hub.url, [...four, uniqueTopic()]));
    const line = await expectLoggedRefusal(logs, res.clone(), 400, 'TOO_MANY_TOPICS');
    expect(line.refused).toBe('subscribe');
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
      '5 topic selectors in one subscription; this hub allows at most 4 (MERCURE_MAX_TOPICS)',
    );
  });

  it('refuses a selector over MERCURE_MAX_TOPIC_LENGTH and a template over MERCURE_MAX_TEMPLATE_EXPRESSIONS', async () => {
    const long = await fetch(subscribeUrl(hub.url, [`https://example.com/${'a'.repeat(100)}`]));
    await expectLoggedRefusal(logs, long.clone(), 400, 'TOPIC_SELECTOR_TOO_LONG');
    expect(((await long.json()) as { error: { message: string } }).error.message).toMatch(
      /120 characters long; this hub allows at most 100 \(MERCURE_MAX_TOPIC_LENGTH\)/,
    );
    // The 40-byte template that froze the process: five variables.
    const hostile = await fetch(subscribeUrl(hub.url, ['{+v0}{+v1}{+v2}{+v3}{+v4}!']));
    await expectLoggedRefusal(logs, hostile.clone(), 400, 'TOPIC_SELECTOR_TOO_COMPLEX');
    expect(((await hostile.json()) as { error: { message: string } }).error.message).toMatch(
      /has 5 variables; this hub allows at most 3 per selector \(MERCURE_MAX_TEMPLATE_EXPRESSIONS\)/,
    );
    // Variables in one expression count one each.
    const list = await fetch(subscribeUrl(hub.url, ['https://example.com/{a,b,c,d}']));
    await expectLoggedRefusal(logs, list, 400, 'TOPIC_SELECTOR_TOO_COMPLEX');
    // Within the limits: accepted.
    const fine = track(await connectSse(subscribeUrl(hub.url, ['https://example.com/{a}{/b}{?c}'])));
    expect(fine.status).toBe(200);
  });

  it('counts anonymous subscriptions per address (MERCURE_MAX_CONNECTIONS_PER_IP) and frees a slot on close', async () => {
    // Through a trusted proxy (127.0.0.1 here), the address is the nearest untrusted X-Forwarded-For hop.
    const from = (ip: string): Record<string, string> => ({ 'X-Forwarded-For': `203.0.113.77, ${ip}` });
    const first = track(
      await connectSse(subscribeUrl(hub.url, [uniqueTopic()]), { headers: from('198.51.100.1') }),
    );
    track(await connectSse(subscribeUrl(hub.url, [uniqueTopic()]), { headers: from('198.51.100.1') }));
    const third = await fetch(subscribeUrl(hub.url, [uniqueTopic()]), { headers: from('198.51.100.1') });
    const line = await expectLoggedRefusal(logs, third.clone(), 429, 'TOO_MANY_CONNECTIONS');
    expect(line.remote).toBe('127.0.0.1');
    expect(((await third.json()) as { error: { message: string } }).error.message).toMatch(
      /this address already has 2 open subscriptions on this hub; the limit is 2 \(MERCURE_MAX_CONNECTIONS_PER_IP\)/,
    );
    // Another client behind the same proxy has its own budget; the spoofable leftmost hop is not the client.
    const other = track(
      await connectSse(subscribeUrl(hub.url, [uniqueTopic()]), { headers: from('198.51.100.2') }),
    );
    expect(other.status).toBe(200);

    first.close();
    const again = await eventually(async () => {
      const s = await connectSse(subscribeUrl(hub.url, [uniqueTopic()]), { headers: from('198.51.100.1') });
      track(s);
      expect(s.status).toBe(200);
      return s;
    });
    expect(again.status).toBe(200);
  });

  it('counts subscriptions with a token subject per subject (MERCURE_MAX_CONNECTIONS_PER_SUBJECT), not per address', async () => {
    const alice = await tokenFor(`alice-${Date.now()}`);
    const auth = { Authorization: `Bearer ${alice}` };
    for (let i = 0; i < 2; i++)
      expect(track(await connectSse(subscribeUrl(hub.url, [uniqueTopic()]), { headers: auth })).status).toBe(
        200,
      );
    const third = await fetch(subscribeUrl(hub.url, [uniqueTopic()]), { headers: auth });
    await expectLoggedRefusal(logs, third.clone(), 429, 'TOO_MANY_CONNECTIONS');
    expect(((await third.json()) as { error: { message: string } }).error.message).toMatch(
      /subject already has 2 open subscriptions .*MERCURE_MAX_CONNECTIONS_PER_SUBJECT/,
    );
    // Same address, other subjects and anonymous clients: not counted against alice.
    const bob = await tokenFor(`bob-${Date.now()}`);
    const s = track(
      await connectSse(subscribeUrl(hub.url, [uniqueTopic()]), {
        headers: { Authorization: `Bearer ${bob}` },
      }),
    );
    expect(s.status).toBe(200);
    expect(track(await connectSse(subscribeUrl(hub.url, [uniqueTopic()]))).status).toBe(200);
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    const direct = await startTestHub({ maxConnectionsPerIp: 1 });
    try {
      const s = await connectSse(subscribeUrl(direct.url, [uniqueTopic()]), {
        headers: { 'X-Forwarded-For': '198.51.100.9' },
      });
      track(s);
      expect(s.status).toBe(200);
      // A different forwarded address changes nothing: the peer (127.0.0.1) is the client.
      const res = await fetch(subscribeUrl(direct.url, [uniqueTopic()]), {
        headers: { 'X-Forwarded-For': '198.51.100.10' },
      });
      expect(res.status).toBe(429);
      await res.body?.cancel();
    } finally {
      for (const s of open.splice(0)) s.close();
      await direct.close();
    }
  });
});
