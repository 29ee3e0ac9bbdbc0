import { isIP } from 'node:net';

/**
 * The URL a caller on this machine reaches a server at, from the host it listens on and its port:
 * a wildcard address (`0.0.0.0`, `::`) is every interface, so the loopback is reached (as the
 * gateway, the hub and the back office report it); an IPv6 literal is bracketed.
 */
export function listenUrl(host: string, port: number): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return `http://127.0.0.1:${port}`;
  return isIP(host) === 6 ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}
