// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- an ambient module declaration cannot be imported; every program that compiles this file (the e2e tests include it through imports only) needs it
/// <reference path="./negotiator.d.ts" />
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Context } from 'hono';
import Negotiator from 'negotiator';

/** Under this many bytes a body is sent as it is: compressing it saves less than it costs. */
const MIN_BYTES = 1024;

export type ContentEncoding = 'br' | 'gzip';

/** A body to send, and its Content-Encoding (none: as it is). */
export interface Encoded {
  body: Uint8Array<ArrayBuffer>;
  encoding: ContentEncoding | undefined;
}

/**
 * A static body (a bundled script, a stylesheet, a page) and its brotli and gzip forms, each made
 * once, when first asked for, at the strongest level: the bodies never change while the process
 * runs, so the cost is paid once and every later request is a lookup.
 */
export class Precompressed {
  private readonly identity: Uint8Array<ArrayBuffer>;
  private readonly packed = new Map<ContentEncoding, Uint8Array<ArrayBuffer>>();

  constructor(body: string) {
    this.identity = new TextEncoder().encode(body);
  }

  /** The form `acceptEncoding` (the request's Accept-Encoding header) prefers: br, then gzip, else as is. */
  for(acceptEncoding: string | undefined): Encoded {
    if (this.identity.byteLength < MIN_BYTES || acceptEncoding === undefined)
      return { body: this.identity, encoding: undefined };
    // Brotli first when the client ranks both alike (browsers send "gzip, deflate, br").
    const choice = new Negotiator({ headers: { 'accept-encoding': acceptEncoding } }).encoding(
      ['br', 'gzip', 'identity'],
      { preferred: ['br', 'gzip', 'identity'] },
    );
    if (choice !== 'br' && choice !== 'gzip') return { body: this.identity, encoding: undefined };
    let body = this.packed.get(choice);
    if (body === undefined) {
      const out =
        choice === 'br'
          ? brotliCompressSync(this.identity, {
              params: {
                [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
                [constants.BROTLI_PARAM_SIZE_HINT]: this.identity.byteLength,
              },
            })
          : gzipSync(this.identity, { level: constants.Z_BEST_COMPRESSION });
      body = new Uint8Array(out);
      this.packed.set(choice, body);
    }
    return { body, encoding: choice };
  }
}

/**
 * Answers `c` with `packed` in the form its Accept-Encoding prefers (Vary says the answer depends
 * on it, so a shared cache keeps one per encoding).
 */
export function sendPrecompressed(c: Context, packed: Precompressed, type: string): Response {
  const { body, encoding } = packed.for(c.req.header('accept-encoding'));
  c.header('Content-Type', type);
  c.header('Vary', 'Accept-Encoding', { append: true });
  if (encoding !== undefined) c.header('Content-Encoding', encoding);
  return c.body(body);
}
