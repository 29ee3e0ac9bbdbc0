import { redisReady } from './ready.ts';
import type { ProcessSpec } from './managed-process.ts';

export type AppendFsync = 'always' | 'everysec';

export interface RedisServerOptions {
  name?: string;
  port: number;
  /** Working directory: the append-only file lives here and survives a kill and restart. */
  dir: string;
  /**
   * `always`: every write is on disk before Redis answers (what loses nothing acknowledged, even on
   * a host crash); `everysec`: written to the kernel before the answer, fsynced once a second.
   */
  appendfsync: AppendFsync;
}

/** A `redis-server` of the topology's own, with an append-only file: it can be killed and started again on the same data. */
export function redisServerSpec(opts: RedisServerOptions): ProcessSpec {
  return {
    name: opts.name ?? 'redis',
    command: 'redis-server',
    args: [
      '--port',
      String(opts.port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'yes',
      '--appendfsync',
      opts.appendfsync,
      '--dir',
      opts.dir,
      '--daemonize',
      'no',
      '--loglevel',
      'warning',
    ],
    ready: redisReady(opts.port),
    readyTimeoutMs: 30_000,
    stopTimeoutMs: 5000,
  };
}
