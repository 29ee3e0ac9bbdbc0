import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { createLogger } from '../../common/logger.ts';
import { twilioSignature } from '../../common/twilio.ts';
import type { Database } from '../ledger/db.ts';
import { migrate } from '../ledger/migrate.ts';
import { postgresSchema } from '../../test/support/postgres.ts';
import { receiptRoutes } from './receipts.ts';

/**
 * Twilio's delivery receipts on real PostgreSQL, through the route's own HTTP handling: a status is
 * looked up in the route's own table only — names every object inherits (`constructor`,
 * `__proto__`…) are unknown statuses, refused with a 400 like any other, never a 503.
 */
const TOKEN = 'receipt-test-token';
const PUBLIC = 'https://office.example.com';
const pg = postgresSchema('receipts');
let db: Database;
let app: Hono;

beforeAll(async () => {
  await pg.create();
  db = pg.open(2);
  await migrate(db);
  app = new Hono().route(
    '/notify',
    receiptRoutes({ db, authToken: TOKEN, publicUrl: PUBLIC, logger: createLogger('test', 'silent') }),
  );
}, 60_000);
afterAll(() => pg.cleanup());

const receipt = async (status: string): Promise<{ status: number; body: string }> => {
  const form = new URLSearchParams({ MessageSid: 'SM-receipt-1', MessageStatus: status, AccountSid: 'AC1' });
  const res = await app.request('/notify/twilio/status', {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      'X-Twilio-Signature': twilioSignature(TOKEN, `${PUBLIC}/notify/twilio/status`, form),
    },
    body: form.toString(),
  });
  return { status: res.status, body: await res.text() };
};

describe('Twilio delivery receipts', () => {
  it.each(['constructor', '__proto__', 'Constructor', '__PROTO__', 'toString', 'hasOwnProperty'])(
    'refuses the inherited name %s as an unknown status (400, not 503)',
    async (status) => {
      const res = await receipt(status);
      expect(res.status, res.body).toBe(400);
      expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    },
    30_000,
  );

  it('takes a known status', async () => {
    expect((await receipt('delivered')).status).toBe(204);
  }, 30_000);
});
