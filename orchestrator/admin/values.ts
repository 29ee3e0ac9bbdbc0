/** Request values in the sale's currency turned into minor units and checked (times, bands, increments). */
import type { z } from 'zod';
import { AppError } from '../../common/errors.ts';
import { parseAmount } from '../../common/money.ts';
import { bandsError, type IncrementBand } from '../../bidding/back-office.ts';
import { premiumBandsError, type PremiumBand } from '../rules/trade.ts';
import type { lotPatch, salePatch } from './schemas.ts';

export function cddDefault(currency: string): number {
  // EUR 10,000.00 by default, in the sale's minor units (currencies without cents keep 10,000).
  return parseAmount('10000', currency, 'cddThreshold');
}

export function saleValues(
  body: z.infer<typeof salePatch>,
  currency: string,
): {
  startsAt?: Date;
  endsAt?: Date;
  kycFreeLimit?: number;
  cddThreshold?: number;
  premiumBands?: PremiumBand[];
  confirmBidsFrom?: number;
} {
  const out: ReturnType<typeof saleValues> = {};
  if (body.startsAt !== undefined) out.startsAt = new Date(body.startsAt);
  if (body.endsAt !== undefined) out.endsAt = new Date(body.endsAt);
  if (out.startsAt !== undefined && out.endsAt !== undefined && out.endsAt <= out.startsAt)
    throw new AppError('BAD_TIMES', 'endsAt must be after startsAt', { details: { field: 'endsAt' } });
  if (body.kycFreeLimit !== undefined)
    out.kycFreeLimit = parseAmount(body.kycFreeLimit, currency, 'kycFreeLimit');
  if (body.cddThreshold !== undefined) {
    out.cddThreshold = parseAmount(body.cddThreshold, currency, 'cddThreshold');
    if (out.cddThreshold === 0)
      throw new AppError('BAD_AMOUNT', 'cddThreshold must be above zero', {
        details: { field: 'cddThreshold' },
      });
  }
  if (body.premiumBands !== undefined) out.premiumBands = bands(body.premiumBands, currency);
  if (body.confirmBidsFrom !== undefined)
    out.confirmBidsFrom = parseAmount(body.confirmBidsFrom, currency, 'confirmBidsFrom');
  return out;
}

export interface PaddleRange {
  from: number;
  to: number;
}

/** A new sale's paddle ranges when the request names none. */
export const DEFAULT_PADDLES: { floor: PaddleRange; online: PaddleRange } = {
  floor: { from: 1, to: 999 },
  online: { from: 1000, to: 9999 },
};

/**
 * The paddle ranges a sale will have (the request's, else `current`): each in order, and apart —
 * a number in both would give a floor bidder and an online bidder the same paddle. Checked here so
 * the request is refused with 400 BAD_PADDLES, not by the database's constraint.
 */
export function checkPaddles(
  body: { floorPaddles?: PaddleRange | undefined; onlinePaddles?: PaddleRange | undefined },
  current: { floor: PaddleRange; online: PaddleRange },
): void {
  const floor = body.floorPaddles ?? current.floor;
  const online = body.onlinePaddles ?? current.online;
  if (floor.to < floor.from)
    throw new AppError('BAD_PADDLES', 'floorPaddles.to must be at least floorPaddles.from');
  if (online.to < online.from)
    throw new AppError('BAD_PADDLES', 'onlinePaddles.to must be at least onlinePaddles.from');
  if (floor.from <= online.to && online.from <= floor.to)
    throw new AppError(
      'BAD_PADDLES',
      `floorPaddles ${floor.from}–${floor.to} and onlinePaddles ${online.from}–${online.to} overlap; a paddle number belongs to one channel`,
      { details: { floorPaddles: floor, onlinePaddles: online } },
    );
}

function bands(input: { upTo: string | null; rateBp: number }[], currency: string): PremiumBand[] {
  const out = input.map((b, i) => ({
    upTo: b.upTo === null ? null : parseAmount(b.upTo, currency, `premiumBands.${i}.upTo`),
    rateBp: b.rateBp,
  }));
  const err = premiumBandsError(out);
  if (err !== undefined)
    throw new AppError('BAD_PREMIUM_BANDS', `premiumBands: ${err}`, {
      details: { field: 'premiumBands' },
    });
  return out;
}

export function lotValues(
  body: z.infer<typeof lotPatch>,
  currency: string,
): {
  opening?: number;
  reserve?: number;
  estimateLow?: number;
  estimateHigh?: number;
  increments?: IncrementBand[];
  premiumBands?: PremiumBand[] | null;
  startsAt?: Date;
  endsAt?: Date;
} {
  const out: ReturnType<typeof lotValues> = {};
  if (body.opening !== undefined) {
    out.opening = parseAmount(body.opening, currency, 'opening');
    if (out.opening === 0)
      throw new AppError('BAD_AMOUNT', 'opening must be above zero', { details: { field: 'opening' } });
  }
  if (body.reserve !== undefined) out.reserve = parseAmount(body.reserve, currency, 'reserve');
  if (body.estimateLow !== undefined)
    out.estimateLow = parseAmount(body.estimateLow, currency, 'estimateLow');
  if (body.estimateHigh !== undefined)
    out.estimateHigh = parseAmount(body.estimateHigh, currency, 'estimateHigh');
  if (out.estimateLow !== undefined && out.estimateHigh !== undefined && out.estimateHigh < out.estimateLow)
    throw new AppError('BAD_ESTIMATE', 'estimateHigh must be at least estimateLow', {
      details: { field: 'estimateHigh' },
    });
  if (body.increments !== undefined) {
    out.increments = body.increments.map((b, i) => ({
      from: parseAmount(b.from, currency, `increments.${i}.from`),
      step: parseAmount(b.step, currency, `increments.${i}.step`),
    }));
    const err = bandsError(out.increments);
    if (err !== undefined)
      throw new AppError('BAD_INCREMENTS', `increments: ${err}`, { details: { field: 'increments' } });
  }
  if (body.premiumBands !== undefined)
    out.premiumBands = body.premiumBands === null ? null : bands(body.premiumBands, currency);
  if (body.startsAt !== undefined) out.startsAt = new Date(body.startsAt);
  if (body.endsAt !== undefined) out.endsAt = new Date(body.endsAt);
  return out;
}
