/** The URL a server that listens on `host` is reached at, for logs, tests and the links a service hands out. */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:net';

/** Hosts that mean "every interface": reached locally at the loopback address. */
const WILDCARDS = new Set(['', '0.0.0.0', '::', '[::]']);

/** `http://<host>:<port>`: a wildcard becomes 127.0.0.1, an IPv6 address is bracketed. */
export function listenUrl(host: string, port: number): string {
  const shown = WILDCARDS.has(host)
    ? '127.0.0.1'
    : host.includes(':') && !host.startsWith('[')
      ? `[${host}]`
      : host;
  return `http://${shown}:${port}`;
}

/** The URL of a listening server (its bound port: 0 asks for any free one). */
export function serverUrl(server: Server, host: string): string {
  return listenUrl(host, (server.address() as AddressInfo).port);
}
