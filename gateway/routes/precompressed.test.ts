import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Precompressed } from './precompressed.ts';

const script = `export const lots = [${Array.from({ length: 400 }, (_, i) => `{"id":"lot-${i}","title":"Lot ${i}"}`).join(',')}];`;

describe('Precompressed', () => {
  const p = new Precompressed(script);

  it('prefers brotli, then gzip, as the client accepts them, and decodes to the same body', () => {
    const br = p.for('gzip, deflate, br');
    expect(br.encoding).toBe('br');
    expect(brotliDecompressSync(br.body).toString()).toBe(script);
    expect(br.body.byteLength).toBeLessThan(script.length / 4);
    const gz = p.for('gzip, deflate');
    expect(gz.encoding).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe(script);
  });

  it('follows the client’s q-values and refusals', () => {
    expect(p.for('br;q=0.1, gzip;q=0.9').encoding).toBe('gzip');
    expect(p.for('br;q=0, gzip;q=0').encoding).toBeUndefined();
    expect(p.for('identity').encoding).toBeUndefined();
    expect(p.for('*').encoding).toBe('br');
    expect(p.for('compress').encoding).toBeUndefined();
  });

  it('sends the body as it is without Accept-Encoding, or when it is small', () => {
    const none = p.for(undefined);
    expect(none.encoding).toBeUndefined();
    expect(Buffer.from(none.body).toString()).toBe(script);
    expect(new Precompressed('body{color:red}').for('br, gzip').encoding).toBeUndefined();
  });

  it('compresses once per encoding', () => {
    expect(p.for('br').body).toBe(p.for('br, gzip').body);
  });
});
