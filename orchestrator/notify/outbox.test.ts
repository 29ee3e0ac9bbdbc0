import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { migrate, pgliteDatabase } from '../ledger.ts';
import { OutboxDispatcher, type NotificationChannel } from './outbox.ts';

/** A logger whose JSON lines are kept, at debug so a line logged below warn is seen too. */
function capturedLogger(): { logger: pino.Logger; lines: { level: string; msg: string }[] } {
  const lines: { level: string; msg: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n')) if (l !== '') lines.push(JSON.parse(l) as never);
      done();
    },
  });
  const logger = pino({ level: 'debug', formatters: { level: (label) => ({ level: label }) } }, sink);
  return { logger, lines };
}

/** The error ioredis gives a command while Redis is out of reach. */
function redisDown(): Error {
  const e = new Error('Reached the max retries per request limit (which is 2).');
  e.name = 'MaxRetriesPerRequestError';
  return e;
}

async function failOnceWith(err: Error): Promise<{ level: string; msg: string }[]> {
  const db = await pgliteDatabase();
  try {
    await migrate(db);
    await db.query(
      `INSERT INTO outbox_events (topic, type, payload, dedupe_key) VALUES ('t:x', 'test.x', '{}', 'x-1')`,
    );
    let failures = 1;
    const channel: NotificationChannel = {
      name: 'hub',
      deliver: () => (failures-- > 0 ? Promise.reject(err) : Promise.resolve()),
    };
    const { logger, lines } = capturedLogger();
    const d = new OutboxDispatcher({ db, channels: [channel], logger, baseBackoffMs: 1 });
    // Two passes: the failure, then (after the 1 ms back-off) the delivery — a positive end signal.
    for (let i = 0; i < 50 && (await d.pending()) > 0; i++) {
      await d.runOnce();
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(await d.pending()).toBe(0);
    return lines.filter((l) => l.msg.startsWith('notification'));
  } finally {
    await db.close();
  }
}

describe('outbox logging', () => {
  it('warns when a delivery fails for a reason of its own', async () => {
    const lines = await failOnceWith(new Error('provider down'));
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      ['warn', 'notification not delivered; will retry'],
      ['info', 'notification delivered'],
    ]);
  });

  it('does not warn per notification while Redis is out of reach (the client logs the outage once)', async () => {
    const lines = await failOnceWith(redisDown());
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      ['debug', 'notification not delivered; will retry'],
      ['info', 'notification delivered'],
    ]);
  });
}, 60_000);
