/**
 * The orchestrator's backup schedule on real PostgreSQL: one backup per slot however many
 * orchestrators share the database (an advisory lock, then "is the slot covered?"), the catch-up at
 * start with retention, failures counted, and the figures on /metrics.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { MemoryBiddingStore } from '../../bidding/back-office.ts';
import { createLogger } from '../../common/logger.ts';
import { pgliteDatabase } from '../ledger/db.ts';
import { MemoryDecisionSource } from '../ledger/decision-source.ts';
import { orchestratorConfigFromEnv } from '../service/config.ts';
import { startOrchestrator } from '../service/server.ts';
import { TEST_MASK_KEY } from '../../test/support/tokens.ts';
import { startTestBackOffice, until } from '../../test/support/orchestrator.ts';
import { freePort } from '../../test/support/net.ts';
import { postgresDatabaseOfItsOwn } from '../../test/support/postgres.ts';
import type { BackupScheduleConfig } from './config.ts';
import { backupName, parseBackupName } from './retention.ts';
import { parseSchedule, previousSlot } from './schedule.ts';
import { BackupScheduler } from './scheduler.ts';

const database = postgresDatabaseOfItsOwn('schedule');
const logger = createLogger('orchestrator', 'silent');
let dir: string;

beforeAll(async () => {
  await database.create();
  dir = await mkdtemp(join(tmpdir(), 'gavel-backup-schedule-'));
}, 60_000);

afterAll(async () => {
  await database.cleanup();
  await rm(dir, { recursive: true, force: true });
});

const config = (to: string, over: Partial<BackupScheduleConfig> = {}): BackupScheduleConfig => ({
  schedule: parseSchedule('6h')!,
  to,
  keep: undefined,
  maxAgeMs: undefined,
  s3: {
    endpoint: undefined,
    region: 'us-east-1',
    accessKeyId: undefined,
    secretAccessKey: undefined,
    forcePathStyle: false,
  },
  ...over,
});

/** A metric's value in a registry's exposition. */
async function metric(s: BackupScheduler, name: string): Promise<number | undefined> {
  const line = (await s.registry.metrics()).split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
}

describe('backup schedule', () => {
  it('two orchestrators at the same slot: one backup, both report it', async () => {
    const to = join(dir, 'two');
    const a = new BackupScheduler({ config: config(to), databaseUrl: database.url, logger });
    const b = new BackupScheduler({ config: config(to), databaseUrl: database.url, logger });
    const slot = previousSlot(parseSchedule('6h')!, Date.now());
    const outcomes = await Promise.all([a.runSlot(slot), b.runSlot(slot)]);
    expect(outcomes.filter((o) => o === 'taken')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'busy' || o === 'covered')).toHaveLength(1);
    const files = await readdir(to);
    expect(files).toHaveLength(1);
    const takenAt = parseBackupName(files[0]!)!;
    // Later, at the same slot (a clock a little behind, a restart): covered, nothing taken.
    expect(await a.runSlot(slot)).toBe('covered');
    expect(await b.runSlot(slot)).toBe('covered');
    expect(await readdir(to)).toHaveLength(1);
    for (const s of [a, b]) {
      expect(await metric(s, 'gavel_backup_last_success_timestamp_seconds')).toBe(takenAt / 1000);
      expect(await metric(s, 'gavel_backup_failures_total')).toBe(0);
    }
    const taker = outcomes[0] === 'taken' ? a : b;
    expect(await metric(taker, 'gavel_backup_last_duration_seconds')).toBeGreaterThan(0);
  }, 120_000);

  it('counts a failure and says nothing was taken', async () => {
    const port = await freePort();
    const s = new BackupScheduler({
      config: config(join(dir, 'failing')),
      databaseUrl: `postgres://postgres@127.0.0.1:${port}/gavel`,
      logger,
    });
    expect(await s.runSlot(Date.now())).toBe('failed');
    expect(await s.runSlot(Date.now())).toBe('failed');
    expect(await metric(s, 'gavel_backup_failures_total')).toBe(2);
    expect(await metric(s, 'gavel_backup_last_success_timestamp_seconds')).toBe(0);
  }, 60_000);

  it('an orchestrator with BACKUP_SCHEDULE catches up the due slot at start, keeps BACKUP_KEEP, and says so on /metrics', async () => {
    const to = join(dir, 'orchestrator');
    await rm(to, { recursive: true, force: true });
    await mkdir(to, { recursive: true });
    // Two backups from days ago: the slot due now is not covered.
    const old = [2, 3].map((days) => backupName(Date.now() - days * 86_400_000));
    for (const name of old) await writeFile(join(to, name), 'old');
    const t = await startTestBackOffice(
      'schedule',
      { backup: config(to, { keep: 2, startDelayMs: 0 }) },
      database,
    );
    try {
      const files = await until(
        'the catch-up backup',
        async () => {
          const names = (await readdir(to)).filter((n) => !n.startsWith('.'));
          return names.length === 2 && !names.includes(old[1]!) ? names.sort() : undefined;
        },
        60_000,
      );
      expect(files).toContain(old[0]);
      const made = files.find((n) => n !== old[0])!;
      const body = await (await fetch(`${t.orch.url!}/metrics`)).text();
      expect(body).toContain(`gavel_backup_last_success_timestamp_seconds ${parseBackupName(made)! / 1000}`);
      expect(body).toMatch(/gavel_backup_failures_total 0/);
      expect(t.orch.backups).toBeDefined();
    } finally {
      await t.orch.close();
      await t.ns.cleanup();
    }
  }, 120_000);

  it('on PGlite the schedule is ignored, and a log line says why', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const db = await pgliteDatabase();
    const orch = await startOrchestrator(
      {
        ...orchestratorConfigFromEnv({
          REDIS_URL: 'redis://127.0.0.1:6379',
          GAVEL_MASK_KEY: TEST_MASK_KEY,
          BACKUP_SCHEDULE: 'daily@02:00',
          BACKUP_TO: join(dir, 'pglite'),
        }),
        port: undefined,
        databaseUrl: undefined,
        logLevel: 'silent',
      },
      {
        db,
        source: new MemoryDecisionSource(new MemoryBiddingStore()),
        logger: pino({ level: 'warn' }, sink),
      },
    );
    try {
      expect(orch.backups).toBeUndefined();
      expect(lines.join('')).toContain('BACKUP_SCHEDULE ignored: the ledger is PGlite');
    } finally {
      await orch.close();
      await db.close();
    }
  }, 60_000);
});
