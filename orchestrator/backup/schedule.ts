/**
 * When the orchestrator takes a backup (`BACKUP_SCHEDULE`) and how old a backup may get
 * (`BACKUP_MAX_AGE`, `--max-age`). Two small syntaxes instead of cron, because a back office needs
 * only "once a day at a set time" or "every few hours":
 * - `daily@HH:MM` — every day at that UTC time (`daily@02:00`);
 * - an interval `<n>m`, `<n>h` or `<n>d` (`6h`) — at the multiples of it since the Unix epoch in UTC,
 *   so `6h` runs at 00:00, 06:00, 12:00 and 18:00 whatever time the process started.
 * Either way every orchestrator computes the same slot times, which is what lets the one that got
 * the lock see that a slot is already covered (scheduler.ts).
 */

export type Schedule = { kind: 'daily'; minuteOfDay: number } | { kind: 'every'; ms: number };

const MINUTE = 60_000;
const UNIT_MS = { m: MINUTE, h: 60 * MINUTE, d: 24 * 60 * MINUTE } as const;
const DAY = UNIT_MS.d;

/** `30d`, `12h`, `90m` → milliseconds; undefined for anything else (zero included). */
export function parseDuration(text: string): number | undefined {
  const m = /^\s*(\d{1,6})\s*([mhd])\s*$/.exec(text);
  if (m === null) return undefined;
  const n = Number(m[1]);
  return n > 0 ? n * UNIT_MS[m[2] as keyof typeof UNIT_MS] : undefined;
}

/** `daily@02:00` or `6h`; undefined when the text is neither (the caller says what is expected). */
export function parseSchedule(text: string): Schedule | undefined {
  const daily = /^\s*daily@([01]\d|2[0-3]):([0-5]\d)\s*$/.exec(text);
  if (daily !== null) return { kind: 'daily', minuteOfDay: Number(daily[1]) * 60 + Number(daily[2]) };
  const ms = parseDuration(text);
  // Under 5 minutes a dump would overlap the next one on any real database; over a week is not a schedule.
  if (ms === undefined || ms < 5 * MINUTE || ms > 7 * DAY) return undefined;
  return { kind: 'every', ms };
}

export const SCHEDULE_SYNTAX = '"daily@HH:MM" (UTC) or an interval from 5m to 7d like "6h" or "30m"';

/** The latest slot at or before `nowMs` (when the most recent backup was due). */
export function previousSlot(schedule: Schedule, nowMs: number): number {
  if (schedule.kind === 'every') return Math.floor(nowMs / schedule.ms) * schedule.ms;
  const today = Math.floor(nowMs / DAY) * DAY + schedule.minuteOfDay * MINUTE;
  return today <= nowMs ? today : today - DAY;
}

/** The first slot strictly after `nowMs`. */
export function nextSlot(schedule: Schedule, nowMs: number): number {
  return previousSlot(schedule, nowMs) + (schedule.kind === 'every' ? schedule.ms : DAY);
}

/** For logs: `daily at 02:00 UTC`, `every 6h`. */
export function describeSchedule(schedule: Schedule): string {
  if (schedule.kind === 'daily') {
    const hh = String(Math.floor(schedule.minuteOfDay / 60)).padStart(2, '0');
    const mm = String(schedule.minuteOfDay % 60).padStart(2, '0');
    return `daily at ${hh}:${mm} UTC`;
  }
  const ms = schedule.ms;
  return ms % DAY === 0
    ? `every ${ms / DAY}d`
    : ms % UNIT_MS.h === 0
      ? `every ${ms / UNIT_MS.h}h`
      : `every ${ms / MINUTE}m`;
}
