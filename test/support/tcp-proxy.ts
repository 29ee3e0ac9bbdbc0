import { connect, createServer, type Socket } from 'node:net';
import { tracked } from './registry.ts';

/**
 * A TCP proxy on loopback that a test can cut like a network: `stop()` destroys every live
 * connection (both ends) and, until `resume()`, resets each new one as soon as it is accepted —
 * the browser sees the connection fail, as when a phone loses its network. It keeps listening
 * while stopped so its port (the page's origin) stays its own.
 */
export interface StoppableProxy {
  /** `http://127.0.0.1:<port>`: the origin a browser is sent to. */
  readonly url: string;
  readonly port: number;
  /** Connections open now (each browser socket counts once). */
  readonly connections: number;
  /** Connections refused (reset on arrival) since the proxy started. */
  readonly refused: number;
  /** Where new connections go: a port on 127.0.0.1 (known only once the proxied server is up). */
  pointAt(port: number): void;
  /** Cuts: destroys every live connection and refuses new ones. */
  stop(): void;
  /** Lets connections through again. */
  resume(): void;
  close(): Promise<void>;
}

export async function startProxy(targetPort?: number): Promise<StoppableProxy> {
  let target = targetPort;
  let stopped = false;
  let refused = 0;
  const pairs = new Set<[Socket, Socket]>();

  const server = createServer((client) => {
    if (stopped || target === undefined) {
      refused += 1;
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(target, '127.0.0.1');
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const end = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    // An error or close on either side ends both: nothing is left half open.
    for (const s of pair) {
      s.on('error', end);
      s.on('close', end);
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy has no TCP port');
  const cutAll = (): void => {
    for (const [client, upstream] of pairs) {
      client.resetAndDestroy();
      upstream.destroy();
    }
    pairs.clear();
  };
  const proxy: StoppableProxy = {
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    get connections() {
      return pairs.size;
    },
    get refused() {
      return refused;
    },
    pointAt(port) {
      target = port;
    },
    stop() {
      stopped = true;
      cutAll();
    },
    resume() {
      stopped = false;
    },
    close() {
      cutAll();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return tracked(`TCP proxy ${proxy.url}`, proxy);
}
