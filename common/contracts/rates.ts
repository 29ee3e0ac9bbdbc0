/**
 * The house's display rates (GET /v1/rates): how many units of each currency one unit of `base` buys,
 * as decimal strings. For showing a price in a few other currencies on the room screen only — never
 * for money that is charged, which stays in the sale's currency.
 */
import * as z from 'zod/mini';

export interface HouseRates {
  base: string;
  /** Currency → units per one unit of `base` (the base itself is "1"). */
  rates: Record<string, string>;
  /** Where the rates come from, for the screen's small print. */
  note: string;
}

export const houseRatesSchema = z.object({
  base: z.string().check(z.regex(/^[A-Z]{3}$/)),
  rates: z.record(
    z.string().check(z.regex(/^[A-Z]{3}$/)),
    z.string().check(z.regex(/^\d{1,9}(\.\d{1,8})?$/)),
  ),
  note: z.string(),
});
