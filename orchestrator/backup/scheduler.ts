/**
 * The orchestrator's backup schedule (`BACKUP_SCHEDULE`). At each slot (schedule.ts) the orchestrator
 * that gets a PostgreSQL advisory lock takes the backup; one that finds the lock held, or finds in
 * the store a backup taken at or after the slot (another orchestrator was a little quicker), does
 * nothing. At start, a slot already due and not covered (the process was down at 02:00, or this is
 * the first deployment) is caught up once. Its figures go to the orchestrator's /metrics.
 */
import pg from 'pg';
import { Counter, Gauge, Registry } from 'prom-client';
import type { Logger } from '../../common/logger.ts';
import { takeBackup, type BackupResult } from './backup.ts';
import type { BackupScheduleConfig } from './config.ts';
import { describeSchedule, nextSlot, previousSlot } from './schedule.ts';
import { openBackupStore, parseLocation } from './store.ts';
import { pgTarget } from './pg-tools.ts';

export type SlotOutcome = 'taken' | 'covered' | 'busy' | 'failed';

export interface BackupSchedulerOptions {
  config: BackupScheduleConfig;
  databaseUrl: string;
  logger: Logger;
  now?: () => number;
  /** The pause before the catch-up check at start, so a starting orchestrator is not slowed by a dump. */
  startDelayMs?: number;
}

export class BackupScheduler {
  /** `gavel_backup_*`, merged into the orchestrator's /metrics. */
  readonly registry = new Registry();
  private readonly o: BackupSchedulerOptions;
  private readonly now: () => number;
  private readonly lastSuccess: Gauge;
  private readonly lastDuration: Gauge;
  private readonly failures: Counter;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<SlotOutcome> | undefined;
  private stopped = true;

  constructor(o: BackupSchedulerOptions) {
    this.o = o;
    this.now = o.now ?? Date.now;
    this.lastSuccess = new Gauge({
      name: 'gavel_backup_last_success_timestamp_seconds',
      help: 'When the newest backup in the store was taken (Unix seconds; 0 until one is known)',
      registers: [this.registry],
    });
    this.lastDuration = new Gauge({
      name: 'gavel_backup_last_duration_seconds',
      help: 'How long the last backup this orchestrator took lasted (dump, upload and retention)',
      registers: [this.registry],
    });
    this.failures = new Counter({
      name: 'gavel_backup_failures_total',
      help: 'Scheduled backups that failed (the database, pg_dump or the store)',
      registers: [this.registry],
    });
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.o.logger.info(
      { schedule: describeSchedule(this.o.config.schedule), to: parseLocationSafe(this.o.config.to) },
      'backups scheduled',
    );
    // First: is the slot that is already due covered? Then every slot as it comes.
    this.arm(this.o.startDelayMs ?? 30_000, () => previousSlot(this.o.config.schedule, this.now()));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One slot: lock, check whether it is covered, back up. Never throws (the outcome says). */
  runSlot(slot: number): Promise<SlotOutcome> {
    const run = this.slot(slot).finally(() => {
      if (this.running === run) this.running = undefined;
    });
    this.running = run;
    return run;
  }

  private arm(delayMs: number, slotOf: () => number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.runSlot(slotOf()).then(() => {
        const at = nextSlot(this.o.config.schedule, this.now());
        this.arm(Math.max(0, at - this.now()), () => at);
      });
    }, delayMs);
  }

  private async slot(slot: number): Promise<SlotOutcome> {
    const log = this.o.logger;
    const client = new pg.Client({ connectionString: this.o.databaseUrl, connectionTimeoutMillis: 10_000 });
    client.on('error', () => undefined);
    let locked = false;
    try {
      await client.connect();
      const [row] = (
        await client.query<{ ok: boolean }>(
          `SELECT pg_try_advisory_lock(hashtextextended('gavel.backup:' || current_database(), 0)) AS ok`,
        )
      ).rows;
      locked = row?.ok === true;
      if (!locked) {
        log.info({ slot: new Date(slot).toISOString() }, 'backup: another orchestrator is taking it');
        return 'busy';
      }
      const newest = await this.newest();
      if (newest !== undefined && newest >= slot) {
        this.lastSuccess.set(newest / 1000);
        log.debug({ slot: new Date(slot).toISOString() }, 'backup: this slot is covered already');
        return 'covered';
      }
      const result: BackupResult = await takeBackup({
        databaseUrl: this.o.databaseUrl,
        to: this.o.config.to,
        s3: this.o.config.s3,
        keep: this.o.config.keep,
        maxAgeMs: this.o.config.maxAgeMs,
        now: this.now,
        progress: (line) => log.debug(line),
      });
      this.lastSuccess.set(result.takenAt / 1000);
      this.lastDuration.set(result.seconds);
      const { file, bytes, seconds, kept, deleted } = result;
      log.info({ file, bytes, seconds, kept, deleted }, 'backup taken');
      if (result.retentionError !== undefined)
        log.warn({ err: result.retentionError }, 'backup: retention could not delete every old backup');
      return 'taken';
    } catch (err) {
      this.failures.inc();
      log.error({ err: err instanceof Error ? err.message : String(err) }, 'backup failed');
      return 'failed';
    } finally {
      if (locked)
        await client
          .query(`SELECT pg_advisory_unlock(hashtextextended('gavel.backup:' || current_database(), 0))`)
          .catch(() => undefined);
      await client.end().catch(() => undefined);
    }
  }

  private async newest(): Promise<number | undefined> {
    const store = openBackupStore(parseLocation(this.o.config.to), this.o.config.s3);
    try {
      return (await store.list())[0]?.takenAt;
    } finally {
      store.close();
    }
  }
}

/** The destination for a log line (a folder or s3:// URL; never credentials, which are not in it). */
function parseLocationSafe(to: string): string {
  const l = parseLocation(to);
  return l.kind === 'dir' ? l.dir : `s3://${l.bucket}/${l.prefix}`;
}

/** Whether a database URL can be backed up by the schedule (PostgreSQL, not PGlite). */
export function canSchedule(databaseUrl: string | undefined): databaseUrl is string {
  if (databaseUrl === undefined) return false;
  try {
    pgTarget(databaseUrl);
    return true;
  } catch {
    return false;
  }
}
