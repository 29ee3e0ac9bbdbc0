import { describe, expect, it } from 'vitest';
import { describeSchedule, nextSlot, parseDuration, parseSchedule, previousSlot } from './schedule.ts';

const at = (iso: string): number => Date.parse(iso);

describe('parseSchedule', () => {
  it('reads daily@HH:MM (UTC) and intervals from 5m to 7d', () => {
    expect(parseSchedule('daily@02:00')).toEqual({ kind: 'daily', minuteOfDay: 120 });
    expect(parseSchedule(' daily@23:59 ')).toEqual({ kind: 'daily', minuteOfDay: 23 * 60 + 59 });
    expect(parseSchedule('6h')).toEqual({ kind: 'every', ms: 6 * 3_600_000 });
    expect(parseSchedule('5m')).toEqual({ kind: 'every', ms: 300_000 });
    expect(parseSchedule('7d')).toEqual({ kind: 'every', ms: 7 * 86_400_000 });
  });

  it('refuses anything else', () => {
    for (const bad of [
      '',
      'daily',
      'daily@24:00',
      'daily@2:00',
      'daily@02:60',
      '4m',
      '8d',
      '0h',
      '6',
      'h',
      '1.5h',
      '0 2 * * *',
    ])
      expect(parseSchedule(bad), bad).toBeUndefined();
  });

  it('describes itself for the logs', () => {
    expect(describeSchedule(parseSchedule('daily@02:05')!)).toBe('daily at 02:05 UTC');
    expect(describeSchedule(parseSchedule('6h')!)).toBe('every 6h');
    expect(describeSchedule(parseSchedule('90m')!)).toBe('every 90m');
    expect(describeSchedule(parseSchedule('2d')!)).toBe('every 2d');
  });
});

describe('slots', () => {
  it('daily: today at the time if it has passed, else yesterday; the next is the one after now', () => {
    const daily = parseSchedule('daily@02:00')!;
    expect(previousSlot(daily, at('2026-12-07T18:00:00Z'))).toBe(at('2026-12-07T02:00:00Z'));
    expect(previousSlot(daily, at('2026-12-07T01:59:59Z'))).toBe(at('2026-12-06T02:00:00Z'));
    expect(previousSlot(daily, at('2026-12-07T02:00:00Z'))).toBe(at('2026-12-07T02:00:00Z'));
    expect(nextSlot(daily, at('2026-12-07T02:00:00Z'))).toBe(at('2026-12-08T02:00:00Z'));
    expect(nextSlot(daily, at('2026-12-07T01:00:00Z'))).toBe(at('2026-12-07T02:00:00Z'));
    // Across a month's and a year's end.
    expect(nextSlot(daily, at('2026-12-31T03:00:00Z'))).toBe(at('2027-01-01T02:00:00Z'));
  });

  it('intervals are aligned to the epoch in UTC, whatever time the process started', () => {
    const six = parseSchedule('6h')!;
    expect(previousSlot(six, at('2026-12-07T13:17:00Z'))).toBe(at('2026-12-07T12:00:00Z'));
    expect(nextSlot(six, at('2026-12-07T13:17:00Z'))).toBe(at('2026-12-07T18:00:00Z'));
    expect(nextSlot(six, at('2026-12-07T18:00:00Z'))).toBe(at('2026-12-08T00:00:00Z'));
    const half = parseSchedule('30m')!;
    expect(nextSlot(half, at('2026-12-07T13:17:00Z'))).toBe(at('2026-12-07T13:30:00Z'));
  });
});

describe('parseDuration', () => {
  it('reads minutes, hours and days', () => {
    expect(parseDuration('30d')).toBe(30 * 86_400_000);
    expect(parseDuration('12h')).toBe(12 * 3_600_000);
    expect(parseDuration('90m')).toBe(90 * 60_000);
  });
  it('refuses zero, fractions, other units and bare numbers', () => {
    for (const bad of ['0d', '1.5d', '30', '30s', '1w', 'd', '-1d', ''])
      expect(parseDuration(bad), bad).toBeUndefined();
  });
});
