import { isIP } from 'node:net';

/** Whether a listen host or a peer's address is this machine's loopback: 127.0.0.0/8, ::1 (also IPv4-mapped), localhost. */
export function isLoopback(address: string): boolean {
  const a = address
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  if (a === 'localhost' || a === '::1') return true;
  const v4 = a.startsWith('::ffff:') ? a.slice('::ffff:'.length) : a;
  return isIP(v4) === 4 && v4.startsWith('127.');
}
