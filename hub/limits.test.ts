import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectSse, type SseConnection } from '../test/support/sse-client.ts';
import { startTestHub, subscribeUrl } from '../test/support/hub.ts';
import { captureLogs, expectLoggedRefusal, uniqueTopic, type LogCapture } from '../test/support/protocol.ts';
import type { RunningHub } from './index.ts';

/**
 * What one client may ask of the hub: topic selectors per subscription, and the size and complexity
 * of each. Each limit is refused with a 4xx JSON error naming the limit and its variable, and logged
 * like every refusal.
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
});
