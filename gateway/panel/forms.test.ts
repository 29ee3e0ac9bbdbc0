import { describe, expect, it } from 'vitest';
import {
  bandsText,
  bpToPercent,
  changedOnly,
  formFieldFor,
  FormProblem,
  isoToLocal,
  localToIso,
  parseBands,
  parseIncrements,
  percentToBp,
} from './forms.ts';

describe('the panel’s form values', () => {
  it('reads wall times in the sale’s zone, either side of a daylight-saving change, and back', () => {
    expect(localToIso('2026-07-01T18:00', 'Europe/Paris', 'startsAt')).toBe('2026-07-01T16:00:00.000Z');
    expect(localToIso('2026-01-15T18:00', 'Europe/Paris', 'startsAt')).toBe('2026-01-15T17:00:00.000Z');
    expect(localToIso('2026-11-01T09:00', 'America/New_York', 'startsAt')).toBe('2026-11-01T14:00:00.000Z');
    expect(localToIso('', 'UTC', 'startsAt')).toBeUndefined();
    expect(() => localToIso('tomorrow', 'UTC', 'endsAt')).toThrow(FormProblem);
    expect(isoToLocal('2026-07-01T16:00:00.000Z', 'Europe/Paris')).toBe('2026-07-01T18:00');
    expect(isoToLocal(null, 'UTC')).toBe('');
  });

  it('turns percentages into basis points exactly, and refuses what is not one', () => {
    expect([percentToBp('20', 't'), percentToBp('17.5', 't'), percentToBp('0.05', 't')]).toEqual([
      2000, 1750, 5,
    ]);
    expect(percentToBp('', 't')).toBeUndefined();
    for (const bad of ['20%', '1.234', '-1', 'x'])
      expect(() => percentToBp(bad, 'taxRate')).toThrow(/taxRate/);
    expect([bpToPercent(2000), bpToPercent(1750), bpToPercent(5)]).toEqual(['20', '17.5', '0.05']);
  });

  it('reads premium bands and increments one per line, naming the line it cannot read', () => {
    const bands = parseBands('500,000.00 25\n* 20%');
    expect(bands).toEqual([
      { upTo: '500000.00', rateBp: 2500 },
      { upTo: null, rateBp: 2000 },
    ]);
    expect(bandsText(bands)).toBe('500000.00 25\n* 20');
    expect(() => parseBands('500000.00 25\nthe rest 20')).toThrow(/line 2/);
    expect(parseIncrements('0.00 50.00\n1000.00 100.00')).toEqual([
      { from: '0.00', step: '50.00' },
      { from: '1000.00', step: '100.00' },
    ]);
    expect(() => parseIncrements('50')).toThrow(/increments: line 1/);
  });

  it('sends only what changed, and finds the form field an API refusal names', () => {
    const current = { title: 'A', startsAt: '2026-07-01T16:00:00Z', taxRateBp: 0, description: null };
    expect(
      changedOnly(
        { title: 'B', startsAt: '2026-07-01T16:00:00.000Z', taxRateBp: 0, description: '' },
        current,
      ),
    ).toEqual({ title: 'B' });
    // A time with seconds, shown to the minute and left alone, is no change; a minute later is.
    const withSeconds = { startsAt: '2026-07-01T16:00:42.512Z' };
    expect(changedOnly({ startsAt: '2026-07-01T16:00:00.000Z' }, withSeconds)).toEqual({});
    expect(changedOnly({ startsAt: '2026-07-01T16:01:00.000Z' }, withSeconds)).toEqual({
      startsAt: '2026-07-01T16:01:00.000Z',
    });
    const fields = ['premiumBands', 'floorPaddles.from', 'taxRate', 'title'];
    expect(formFieldFor('premiumBands.1.upTo', fields)).toBe('premiumBands');
    expect(formFieldFor('taxRateBp', fields)).toBe('taxRate');
    expect(formFieldFor('floorPaddles', fields)).toBe('floorPaddles.from');
    expect(formFieldFor('nothing', fields)).toBeUndefined();
    expect(formFieldFor(undefined, fields)).toBeUndefined();
  });
});
