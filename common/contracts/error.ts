/** The one JSON error body of every Gavel HTTP API: `{ error: { code, message, details? } }`. */
import * as z from 'zod/mini';

export type ErrorDetails = Record<string, unknown>;

export interface ErrorBody {
  error: { code: string; message: string; details?: ErrorDetails };
}

export const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.optional(z.record(z.string(), z.unknown())),
  }),
}) satisfies z.ZodMiniType<ErrorBody>;
