/**
 * Which texted bids are decided at once on the sender's number (caller ID), and which wait for the
 * sender to confirm them with a one-time code: `SMS_CONFIRM_ABOVE`.
 *
 *   SMS_CONFIRM_ABOVE="EUR 5000.00, GBP 4000.00"   above these, per currency, a confirmation
 *   (unset or empty)                               every texted bid is confirmed
 *   SMS_CONFIRM_ABOVE=never                        none is (caller ID alone binds the bidder)
 *
 * A bid is compared by the most it may commit the bidder to: its maximum when it has one. A
 * currency not listed is confirmed from the first minor unit.
 */
import { z } from 'zod';
import { isCurrency, parseAmount } from '../../common/money.ts';

/** 'never', or thresholds in minor units by currency (a currency not in the map: every bid). */
export type ConfirmThresholds = 'never' | ReadonlyMap<string, number>;

/** Every texted bid is confirmed: the default. */
export const CONFIRM_EVERY_BID: ConfirmThresholds = new Map();

/** Reads SMS_CONFIRM_ABOVE; throws an Error saying what is wrong. */
export function parseConfirmAbove(value: string | undefined): ConfirmThresholds {
  const text = (value ?? '').trim();
  if (text === '') return CONFIRM_EVERY_BID;
  if (text.toLowerCase() === 'never') return 'never';
  const out = new Map<string, number>();
  for (const part of text.split(',')) {
    const m = /^([A-Z]{3})\s*(\S+)$/.exec(part.trim());
    if (m === null || !isCurrency(m[1]!))
      throw new Error(`"${part.trim()}" is not a currency and an amount, like "EUR 5000.00"`);
    if (out.has(m[1]!)) throw new Error(`${m[1]!} is given twice`);
    out.set(m[1]!, parseAmount(m[2]!, m[1]!, m[1]));
  }
  return out;
}

/** Whether a texted bid of `amount` (and maximum `max`) in `currency` waits for a confirmation. */
export function needsConfirmation(
  thresholds: ConfirmThresholds,
  currency: string,
  amount: number,
  max: number | undefined,
): boolean {
  if (thresholds === 'never') return false;
  return Math.max(amount, max ?? 0) > (thresholds.get(currency) ?? 0);
}

/** SMS_CONFIRM_ABOVE as a zod env field: undefined when unset (the default applies: every bid). */
export const confirmAboveEnv = z
  .string()
  .optional()
  .transform((v, ctx): ConfirmThresholds | undefined => {
    if (v === undefined || v.trim() === '') return undefined;
    try {
      return parseConfirmAbove(v);
    } catch (err) {
      ctx.addIssue({
        code: 'custom',
        message: `${err instanceof Error ? err.message : String(err)} (e.g. "EUR 5000.00, GBP 4000.00", or "never")`,
      });
      return z.NEVER;
    }
  });
