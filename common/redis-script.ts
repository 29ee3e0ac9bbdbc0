import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

/**
 * A Lua script loaded from a file, called by SHA (EVALSHA) and sent in full only when the
 * server does not know it yet (NOSCRIPT after a restart or failover).
 * File convention: `name-<numKeys>.lua`, with a header naming every KEYS[i] and ARGV[i].
 */
export class RedisScript {
  readonly name: string;
  readonly source: string;
  readonly sha: string;
  readonly numKeys: number;

  constructor(name: string, source: string) {
    this.name = name;
    this.source = source;
    this.sha = createHash('sha1').update(source).digest('hex');
    const m = /-(\d+)$/.exec(name);
    if (m === null) throw new Error(`script name "${name}" must end in -<numKeys>`);
    this.numKeys = Number(m[1]);
  }

  /**
   * Loads `name-<numKeys>.lua`. A line `-- @include file.lua` is replaced by that file from the
   * `includes/` folder beside it, so shared Lua is written once.
   */
  static fromFile(url: URL): RedisScript {
    const file = url.pathname.split('/').pop() ?? '';
    const source = readFileSync(url, 'utf8').replace(/^--\s*@include\s+(\S+)\s*$/gm, (_line, inc: string) =>
      readFileSync(new URL(`./includes/${inc}`, url), 'utf8'),
    );
    return new RedisScript(file.replace(/\.lua$/, ''), source);
  }

  async run(redis: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    if (keys.length !== this.numKeys)
      throw new Error(`${this.name} takes ${this.numKeys} keys, got ${keys.length}`);
    try {
      return await redis.evalsha(this.sha, this.numKeys, ...keys, ...args);
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('NOSCRIPT'))
        return redis.eval(this.source, this.numKeys, ...keys, ...args);
      throw err;
    }
  }
}
