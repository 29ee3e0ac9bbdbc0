import { freePort } from './net.ts';
import { redisServerSpec } from '../../tools/topology/redis-server.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { expect } from 'vitest';
import type { HubConfig, RunningHub } from '../../hub/index.ts';
import { startTestHub } from './hub.ts';
import { track, trackChild } from './registry.ts';
import { connectSse, type SseConnection } from './sse-client.ts';

/** The shared development Redis; every test isolates itself under its own key prefix. */
export const REDIS_PORT = 6379;

/** A key prefix nobody else uses, with a hash tag like the hub's default (`gavel:{hub}`). */
export const uniquePrefix = (): string => `gavel:{hub-${randomUUID().slice(0, 13)}}`;

/** The hub transport URL for a prefix (MERCURE_TRANSPORT_URL). */
export const redisTransportUrl = (prefix: string, port = REDIS_PORT): string =>
  `redis://127.0.0.1:${port}?prefix=${encodeURIComponent(prefix)}`;

/** Deletes every key under the prefix; returns how many were deleted. */
export async function deleteKeys(prefix: string, port = REDIS_PORT): Promise<number> {
  const redis = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let deleted = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${globEscape(prefix)}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== '0');
    return deleted;
  } finally {
    redis.disconnect();
  }
}

/** Lists the keys under the prefix (to assert what a transport leaves behind). */
export async function listKeys(prefix: string, port = REDIS_PORT): Promise<string[]> {
  const redis = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    const out: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${globEscape(prefix)}:*`, 'COUNT', 1000);
      cursor = next;
      out.push(...keys);
    } while (cursor !== '0');
    return out.sort();
  } finally {
    redis.disconnect();
  }
}

const globEscape = (s: string): string => s.replace(/[*?[\]\\]/g, '\\$&');

/** A free TCP port on loopback (bound, read, released). */

export { freePort };

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Retries `check` until it stops throwing, or rethrows its last error after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 5000, everyMs = 50): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > until) throw err;
      await sleep(everyMs);
    }
  }
}

/** A child process's exit, as a promise (code, or the signal that killed it). */
export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/**
 * A `redis-server` of the test's own, on a free port, with an append-only file in a temporary
 * directory: it can be stopped and started again on the same port and data, which the shared
 * Redis must never be.
 */
export class OwnRedis {
  readonly port: number;
  readonly dir: string;
  private stopProcess: (() => Promise<void>) | undefined;

  private constructor(port: number, dir: string) {
    this.port = port;
    this.dir = dir;
  }

  static async start(): Promise<OwnRedis> {
    const r = new OwnRedis(await freePort(), mkdtempSync(join(tmpdir(), 'gavel-redis-')));
    // Stopped and its directory removed after the test if the test did not.
    r.stop = track(`redis-server on ${r.port}`, r.stop.bind(r));
    await r.startServer();
    return r;
  }

  async startServer(): Promise<void> {
    // Redis's default fsync policy: these tests stop it gracefully (SIGTERM), which writes everything.
    const { command, args } = redisServerSpec({ port: this.port, dir: this.dir, appendfsync: 'everysec' });
    const child = spawn(command, args, { stdio: 'ignore' });
    // Bounded: a server that does not exit within 5 s of SIGTERM is killed, so a teardown never hangs.
    this.stopProcess = trackChild('redis-server', child, { graceMs: 5000 });
    await eventually(async () => {
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
      const probe = new Redis({
        host: '127.0.0.1',
        port: this.port,
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      probe.on('error', () => {});
      try {
        await probe.connect();
        if ((await probe.ping()) !== 'PONG') throw new Error('no PONG');
      } finally {
        probe.disconnect();
      }
    }, 10_000);
  }

  /** Stops the server the graceful way (SIGTERM: it writes its append-only file and exits 0). */
  async stopServer(): Promise<void> {
    const stop = this.stopProcess;
    if (stop === undefined) return;
    this.stopProcess = undefined;
    await stop();
  }

  async stop(): Promise<void> {
    await this.stopServer();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Hubs on one Redis prefix and their subscribers, for a test file: `hubs.start()` a hub on the
 * current prefix, `hubs.subscribe()` an SSE stream that must open (200), `hubs.cleanup()` in afterEach
 * closes them all and deletes the prefix's keys. Call `hubs.fresh()` at the start of each test.
 */
export function hubsOnRedis() {
  let prefix = uniquePrefix();
  const hubs: RunningHub[] = [];
  const streams: SseConnection[] = [];
  const closers: (() => void)[] = [];
  return {
    get prefix(): string {
      return prefix;
    },
    get transportUrl(): string {
      return redisTransportUrl(prefix);
    },
    fresh(): void {
      prefix = uniquePrefix();
    },
    async start(overrides: Partial<HubConfig> = {}): Promise<RunningHub> {
      const h = await startTestHub({ transportUrl: redisTransportUrl(prefix), ...overrides });
      hubs.push(h);
      return h;
    },
    async subscribe(url: string, headers: Record<string, string> = {}): Promise<SseConnection> {
      const s = await connectSse(url, { headers });
      streams.push(s);
      expect(s.status).toBe(200);
      return s;
    },
    /** A hub the test closed itself: not closed again at cleanup. */
    forget(hub: RunningHub): void {
      const i = hubs.indexOf(hub);
      if (i >= 0) hubs.splice(i, 1);
    },
    /** Something else to close at cleanup (a publisher, a connection). */
    onCleanup(close: () => void): void {
      closers.push(close);
    },
    async cleanup(): Promise<void> {
      for (const s of streams.splice(0)) s.close();
      for (const c of closers.splice(0)) c();
      for (const h of hubs.splice(0)) await h.close();
      await deleteKeys(prefix);
    },
  };
}

/**
 * The hubs, streams and Redis prefixes of a test, memory or Redis alike: `start()` a hub,
 * `redisTransport()` a transport URL on a fresh prefix (deleted at cleanup), `open()` an SSE
 * stream that must open (200), and `cleanup()` in afterEach closes and deletes them all.
 */
export function hubScope() {
  const hubs: RunningHub[] = [];
  const streams: SseConnection[] = [];
  const prefixes: string[] = [];
  return {
    async start(overrides: Partial<HubConfig> = {}): Promise<RunningHub> {
      const h = await startTestHub(overrides);
      hubs.push(h);
      return h;
    },
    redisTransport(): string {
      const prefix = uniquePrefix();
      prefixes.push(prefix);
      return redisTransportUrl(prefix);
    },
    async open(url: string, headers: Record<string, string> = {}): Promise<SseConnection> {
      const s = await connectSse(url, { headers });
      streams.push(s);
      expect(s.status).toBe(200);
      return s;
    },
    async cleanup(): Promise<void> {
      for (const s of streams.splice(0)) s.close();
      for (const h of hubs.splice(0)) await h.close();
      for (const p of prefixes.splice(0)) await deleteKeys(p);
    },
  };
}

/** Stops a child process: SIGTERM, then SIGKILL if it has not exited within `graceMs` (a frozen one never does). */
export async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = exited(child);
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await done;
  clearTimeout(timer);
}
