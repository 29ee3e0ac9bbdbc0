import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSse } from '../../test/support/sse-client.ts';
import { publish, publisherToken, startTestHub, subscribeUrl } from '../../test/support/hub.ts';
import type { RunningHub } from '../service/server.ts';

describe('hub smoke', () => {
  let hub: RunningHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(async () => {
    await hub.close();
  });

  it('delivers a published update to a subscriber of its topic', async () => {
    const sse = await connectSse(subscribeUrl(hub.url, ['https://example.com/books/1']));
    expect(sse.status).toBe(200);
    const res = await publish(hub.url, await publisherToken(), {
      topic: 'https://example.com/books/1',
      data: 'line one\n\n  indented',
    });
    expect(res.status).toBe(200);
    const id = await res.text();
    const [ev] = await sse.waitFor(1);
    expect(ev?.id).toBe(id);
    expect(ev?.data).toBe('line one\n\n  indented');
    sse.close();
  });
});
