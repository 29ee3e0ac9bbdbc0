import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxy, type StoppableProxy } from './tcp-proxy.ts';
import { track } from './registry.ts';

/** The stoppable proxy the network-cut test stands between Chromium and Gavel. */
describe('the stoppable TCP proxy', () => {
  let port: number;
  let proxy: StoppableProxy;
  /** Requests the server has seen. */
  let requests = 0;

  beforeAll(async () => {
    const server = createServer((req, res) => {
      requests += 1;
      if (req.url === '/stream') {
        res.writeHead(200, { 'Content-Type': 'text/event-stream' });
        res.write(': open\n\n');
        return;
      }
      res.end('hello');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    track('proxied HTTP server', () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    });
    port = (server.address() as AddressInfo).port;
    proxy = await startProxy(port);
  });
  afterAll(async () => {
    await proxy?.close();
  });

  it('passes requests through, cuts live streams on stop, refuses while stopped, and lets them through after resume', async () => {
    expect(await (await fetch(`${proxy.url}/`)).text()).toBe('hello');

    const controller = new AbortController();
    const res = await fetch(`${proxy.url}/stream`, { signal: controller.signal });
    const reader = res.body!.getReader();
    await reader.read();
    expect(requests).toBe(2);
    expect(proxy.connections).toBeGreaterThan(0);

    proxy.stop();
    // The live stream dies with the cut.
    await expect(reader.read()).rejects.toThrow();
    expect(proxy.connections).toBe(0);
    // A new connection is reset, and the server never sees it.
    await expect(fetch(`${proxy.url}/`)).rejects.toThrow();
    expect(proxy.refused).toBeGreaterThan(0);
    expect(requests).toBe(2);

    proxy.resume();
    expect(await (await fetch(`${proxy.url}/`)).text()).toBe('hello');
    expect(requests).toBe(3);
    controller.abort();
  });
});
