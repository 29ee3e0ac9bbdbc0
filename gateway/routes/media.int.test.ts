/**
 * Lot images through the gateway as a distributed deployment serves them: the orchestrator on real
 * PostgreSQL and Redis (local-disk media), a gateway with ORCHESTRATOR_URL, `/media/<key>` over HTTP.
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saleResponseSchema } from '../../common/contracts/index.ts';
import type { RunningGateway } from '../index.ts';
import { startTestGavel } from '../../test/support/gavel.ts';
import { startTestBackOffice, type TestBackOffice } from '../../test/support/orchestrator.ts';

describe('GET /media/<key> through the gateway', () => {
  let bo: TestBackOffice;
  let gateway: RunningGateway;
  beforeAll(async () => {
    // Local disk in a fresh temporary folder (dir unset), not the working tree's .data/media.
    bo = await startTestBackOffice('gateway-media', {
      media: { store: { kind: 'local', dir: undefined }, maxImageBytes: 1_000_000, maxFiles: 2 },
    });
    gateway = await startTestGavel({ orchestratorUrl: bo.orch.url! });
    await bo.ok('POST', '/sales', {
      id: 'gw-media-sale',
      mode: 'timed',
      currency: 'EUR',
      title: 'Ceramics',
      startsAt: new Date(Date.now() + 3_600_000).toISOString(),
      endsAt: new Date(Date.now() + 7_200_000).toISOString(),
    });
    await bo.ok('POST', '/sales/gw-media-sale/lots', {
      id: 'gw-media-lot',
      lotNumber: 1,
      title: 'A celadon bowl',
      opening: '100.00',
      increments: [{ from: '0', step: '10.00' }],
    });
    await bo.ok('POST', '/sales/gw-media-sale/publish');
    const form = new FormData();
    const jpeg = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#8fbc8f' } })
      .jpeg()
      .toBuffer();
    form.append('file', new Blob([new Uint8Array(jpeg)], { type: 'image/jpeg' }), 'bowl.jpg');
    form.append('alt', 'The bowl from above');
    const token = await bo.tokens.sign({ id: 'ops', role: 'admin', name: 'Ops' });
    const res = await fetch(`${bo.orch.url!}/admin/v1/lots/gw-media-lot/images`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
      body: form,
    });
    expect(res.status).toBe(201);
  }, 60_000);
  afterAll(async () => {
    await gateway.close();
    await bo.close();
  });

  it('lists the image in the public catalogue and serves its bytes with immutable caching', async () => {
    const sale = saleResponseSchema.parse(
      await (await fetch(`${gateway.url}/v1/sales/gw-media-sale`)).json(),
    ).sale;
    const image = sale.lots[0]?.images?.[0];
    expect(image?.alt).toBe('The bowl from above');
    expect(image?.thumb.url).toMatch(/^\/media\/lots\/gw-media-lot\/[a-f0-9]{16}-thumb\.webp$/);
    for (const size of [image!.thumb, image!.display]) {
      const res = await fetch(`${gateway.url}${size.url}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/webp');
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
      expect([meta.width, meta.height]).toEqual([size.width, size.height]);
    }
  });

  it('answers 404 for a key it does not have or that is not a media key', async () => {
    for (const path of [
      '/media/lots/gw-media-lot/0000000000000000-thumb.webp',
      '/media/lots/gw-media-lot/%2e%2e%2f%2e%2e%2fsecret',
      '/media/package.json',
    ]) {
      const res = await fetch(`${gateway.url}${path}`);
      expect(res.status, path).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    }
  });
});
