import { z } from 'zod';

/**
 * A count or limit in a query string: decimal digits only, within `min`..`max`, `fallback` when
 * absent. `z.coerce.number()` would take `0x10`, `1e2`, ` 12` and `+5` as numbers.
 */
export function decimalQuery(min: number, max: number, fallback: number) {
  return z
    .string()
    .regex(/^\d{1,16}$/, `must be decimal digits only, from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .default(fallback);
}
