import { connect } from 'node:net';
import type { ReadyProbe } from './managed-process.ts';

/** Ready when `url` answers 2xx (a service's /healthz). */
export function httpReady(url: string): ReadyProbe {
  return async () => {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.body?.cancel();
    return res.ok;
  };
}

/** Ready when this incarnation has printed a line matching `re`. */
export function lineReady(re: RegExp): ReadyProbe {
  return (proc) => Promise.resolve(proc.findLine(re, proc.startMark) !== undefined);
}

/**
 * Ready when a Redis server answers PING with PONG — not while it loads its append-only file
 * (`-LOADING`). A raw RESP exchange: no client library, no reconnecting client to tear down.
 */
export function redisReady(port: number, host = '127.0.0.1'): ReadyProbe {
  return () => redisPing(port, host);
}

export function redisPing(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    let reply = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d: Buffer) => {
      reply += d.toString('utf8');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

/**
 * Follows a Redis server's MONITOR feed (every command, as it is executed) until closed: for a test
 * that must act the moment Redis has executed a given command. Resolves once the feed is on.
 */
export function redisMonitor(
  port: number,
  onCommand: (line: string) => void,
  host = '127.0.0.1',
): Promise<{ close(): void }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host });
    let buf = '';
    let on = false;
    socket.once('error', (err) => (on ? undefined : reject(err)));
    socket.once('connect', () => socket.write('MONITOR\r\n'));
    socket.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (!on) {
          if (line !== '+OK') return reject(new Error(`MONITOR answered ${line}`));
          on = true;
          resolve({ close: () => socket.destroy() });
        } else onCommand(line);
      }
    });
  });
}
