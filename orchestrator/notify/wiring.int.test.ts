import { afterEach, describe, expect, it } from 'vitest';
import type { RunningHub } from '../../hub/index.ts';
import { PUBLISHER_KEY, startTestHub, subscribeUrl } from '../../test/support/hub.ts';
import { deleteKeys, redisTransportUrl, uniquePrefix } from '../../test/support/hub-redis.ts';
import { startTestBackOffice, type TestBackOffice } from '../../test/support/orchestrator.ts';
import { connectSse } from '../../test/support/sse-client.ts';

/**
 * Where the orchestrator's notifications go, as configured: a hub's HTTP publish URL (signed with
 * the publisher key), or the hubs' Redis transport URL (appended straight to their stream).
 */
describe('orchestrator notifications reach the hub as configured', () => {
  const cleanups: (() => Promise<unknown> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  const deliverOne = async (hub: RunningHub, t: TestBackOffice, label: string): Promise<void> => {
    const topic = `https://gavel.local/sales/${label}`;
    const sse = await connectSse(subscribeUrl(hub.url, [topic]));
    cleanups.push(() => sse.close());
    const db = t.pg.open(1);
    cleanups.push(() => db.close());
    const [row] = await db.query<{ id: string }>(
      `INSERT INTO outbox_events (topic, type, payload, dedupe_key) VALUES ($1, 'lot.result', '{"lotId":"l1"}', $2) RETURNING id`,
      [topic, `wiring-${label}`],
    );
    const [event] = await sse.waitFor(1, 10_000);
    expect(event).toMatchObject({ id: `urn:gavel:notification:${row!.id}`, event: 'lot.result' });
    expect(JSON.parse(event!.data)).toMatchObject({ type: 'lot.result', lotId: 'l1' });
  };

  it('over HTTP with the publisher key', async () => {
    const hub = await startTestHub();
    cleanups.push(() => hub.close());
    const t = await startTestBackOffice('notify-http', {
      hubPublishUrl: `${hub.url}/.well-known/mercure`,
      publisherKey: PUBLISHER_KEY,
    });
    cleanups.push(() => t.close());
    await deliverOne(hub, t, 'http');
  });

  it("straight into the hubs' Redis stream, with no key", async () => {
    const prefix = uniquePrefix();
    cleanups.push(() => deleteKeys(prefix));
    const hub = await startTestHub({ transportUrl: redisTransportUrl(prefix) });
    cleanups.push(() => hub.close());
    const t = await startTestBackOffice('notify-stream', { hubPublishUrl: redisTransportUrl(prefix) });
    cleanups.push(() => t.close());
    await deliverOne(hub, t, 'stream');
  });
});
