import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { mercureLink } from '../../common/mercure.ts';
import { mercureDiscovery, type MercureDiscoveryVariables } from './discovery.ts';

describe('discovery', () => {
  const app = new Hono<{ Variables: MercureDiscoveryVariables }>();
  app.use('/books/*', mercureDiscovery('https://hub.example/.well-known/mercure'));
  app.get('/books/1', (c) => c.json({ id: 1 }));
  app.get('/books/2', (c) => {
    c.set('mercureLastEventId', 'urn:uuid:42');
    return c.json({ id: 2 });
  });
  app.get('/other', (c) => c.text('no link'));

  it('adds Link: <hub>; rel="mercure" to resources with live updates', async () => {
    const res = await app.request('/books/1');
    expect(res.headers.get('link')).toBe('<https://hub.example/.well-known/mercure>; rel="mercure"');
    expect((await app.request('/other')).headers.get('link')).toBeNull();
  });

  it('adds the last-event-id a client should resume from when the handler names one', async () => {
    const res = await app.request('/books/2');
    expect(res.headers.get('link')).toBe(
      '<https://hub.example/.well-known/mercure>; rel="mercure"; last-event-id="urn:uuid:42"',
    );
  });

  it('escapes quotes and backslashes in the id', () => {
    expect(mercureLink('https://h/', 'a"b\\c')).toBe(
      '<https://h/>; rel="mercure"; last-event-id="a\\"b\\\\c"',
    );
  });
});
