import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../common/logger.ts';
import { pgliteDatabase, type Database } from '../ledger/db.ts';
import { migrate } from '../ledger/migrate.ts';
import { FakeKycProvider } from './fake-provider.ts';
import { HttpKycProvider } from './provider.ts';
import { kycRoutes } from './routes.ts';
import { KycService } from './service.ts';
import type { KycStatus } from './webhook.ts';

// The embedded default runs on PGlite: the same schema and statements must work there.
const logger = createLogger('orchestrator', (process.env.TEST_LOG_LEVEL ?? 'silent') as 'silent');
let db: Database;
let fake: FakeKycProvider;
let server: Server;
let service: KycService;
const changes: [string, KycStatus][] = [];

beforeAll(async () => {
  db = await pgliteDatabase();
  await migrate(db);
  fake = await FakeKycProvider.start({ apiKey: 'k', webhookSecret: 's'.repeat(32), delayMs: 20 });
  const app = new Hono();
  app.route(
    '/kyc',
    kycRoutes({ handleWebhook: (raw, header, id) => service.handleWebhook(raw, header, id) }, { logger }),
  );
  server = createServer(getRequestListener(app.fetch));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const callbackUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/kyc/webhook`;
  service = new KycService({
    db,
    provider: new HttpKycProvider({ baseUrl: fake.url, apiKey: 'k', name: 'demo' }),
    webhookSecret: 's'.repeat(32),
    callbackUrl,
    logger,
    onKycChange: (bidderId, status) => {
      changes.push([bidderId, status]);
    },
  });
}, 60_000);

afterAll(async () => {
  await fake?.stop();
  await new Promise<void>((resolve) => {
    if (server === undefined) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
  await db?.close();
});

describe('KYC on PGlite', () => {
  it('starts a check and records the auto-verified result', async () => {
    await db.query(
      `INSERT INTO bidders (id, display_name, kyc_status) VALUES ('lite-1', 'Lite', 'rejected')`,
    );
    const check = await service.start('lite-1', 'admin:demo', 'corr-lite');
    await fake.settled();
    const delivered = fake.deliveries.filter((d) => d.providerRef === check.providerRef);
    expect(delivered.map((d) => d.status)).toEqual([200]);
    const rows = await db.query<{ kyc_status: string }>(`SELECT kyc_status FROM bidders WHERE id = 'lite-1'`);
    expect(rows[0]?.kyc_status).toBe('verified');
    expect(await service.getCheck(check.id)).toMatchObject({
      status: 'verified',
      providerRef: check.providerRef,
    });
    expect(changes).toEqual([
      ['lite-1', 'pending'],
      ['lite-1', 'verified'],
    ]);
    const again = await fake.resend(fake.events()[0]?.id ?? '');
    expect(again.lastStatus).toBe(200);
    expect(changes).toHaveLength(2);
  });
});
