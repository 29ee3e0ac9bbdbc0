import { describe, expect, it } from 'vitest';
import { SALE_STATUSES } from '../ledger/records.ts';
import {
  endMayMove,
  lotEdit,
  mayAddLots,
  mayChangeRegistration,
  mayPublish,
  saleCancel,
  saleEdit,
  saleIsLocked,
  saleIsPublished,
  RUNNING_SALE_STATUSES,
} from './sale-status.ts';

describe('sale-status rules', () => {
  it('lets a draft or scheduled sale change in anything', () => {
    for (const s of ['draft', 'scheduled'] as const)
      expect(saleEdit(s, ['title', 'currency', 'premiumBands', 'startsAt'])).toEqual({ ok: true });
  });

  it('lets an open sale change only its title and end', () => {
    expect(saleEdit('open', ['title', 'endsAt'])).toEqual({ ok: true });
    expect(saleEdit('open', ['title', 'startsAt', 'taxRateBp'])).toEqual({
      ok: false,
      locked: false,
      refused: ['startsAt', 'taxRateBp'],
    });
  });

  it('locks a closed or cancelled sale, even for an empty change', () => {
    for (const s of ['closed', 'cancelled'] as const) {
      expect(saleIsLocked(s)).toBe(true);
      expect(saleEdit(s, [])).toEqual({ ok: false, locked: true });
      expect(saleEdit(s, ['title'])).toEqual({ ok: false, locked: true });
    }
    expect(SALE_STATUSES.filter(saleIsLocked)).toEqual(['closed', 'cancelled']);
  });

  it('lets an open sale lot change its words, image and end only', () => {
    expect(lotEdit('open', false, ['title', 'description', 'imageUrl', 'endsAt'])).toEqual({ ok: true });
    expect(lotEdit('open', false, ['reserve', 'title', 'opening'])).toEqual({
      ok: false,
      locked: false,
      refused: ['reserve', 'opening'],
    });
    expect(lotEdit('scheduled', false, ['reserve', 'opening', 'increments'])).toEqual({ ok: true });
  });

  it('locks a finalised lot whatever the sale, and every lot of a finished sale', () => {
    for (const s of SALE_STATUSES) expect(lotEdit(s, true, ['title'])).toEqual({ ok: false, locked: true });
    expect(lotEdit('closed', false, ['title'])).toEqual({ ok: false, locked: true });
    expect(lotEdit('cancelled', false, [])).toEqual({ ok: false, locked: true });
  });

  it('moves an end only later while the sale is open', () => {
    expect(endMayMove('open', 2_000, 1_000)).toBe(true);
    expect(endMayMove('open', 1_000, 1_000)).toBe(false);
    expect(endMayMove('open', 500, 1_000)).toBe(false);
    expect(endMayMove('scheduled', 500, 1_000)).toBe(true);
    expect(endMayMove('draft', 500, 1_000)).toBe(true);
  });

  it('publishes only a draft and adds lots only before opening', () => {
    expect(SALE_STATUSES.filter(mayPublish)).toEqual(['draft']);
    expect(SALE_STATUSES.filter(mayAddLots)).toEqual(['draft', 'scheduled']);
  });

  it('cancels anything but a closed sale, a cancelled one being already done', () => {
    expect(SALE_STATUSES.map((s) => [s, saleCancel(s)])).toEqual([
      ['draft', 'cancel'],
      ['scheduled', 'cancel'],
      ['open', 'cancel'],
      ['closed', 'refused'],
      ['cancelled', 'done'],
    ]);
  });

  it('keeps registrations changeable until the sale is cancelled', () => {
    expect(SALE_STATUSES.filter((s) => !mayChangeRegistration(s))).toEqual(['cancelled']);
  });

  it('publishes a sale from scheduled until cancelled; the running ones are a part of them', () => {
    expect(SALE_STATUSES.filter(saleIsPublished)).toEqual(['scheduled', 'open', 'closed']);
    expect(RUNNING_SALE_STATUSES.every(saleIsPublished)).toBe(true);
    expect(RUNNING_SALE_STATUSES).not.toContain('closed');
  });
});
