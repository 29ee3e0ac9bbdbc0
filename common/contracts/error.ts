/** The one JSON error body of every Gavel HTTP API: `{ error: { code, message, details? } }`. */
import { z } from 'zod';

export type ErrorDetails = Record<string, unknown>;

export interface ErrorBody {
  error: { code: string; message: string; details?: ErrorDetails };
}

export const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
}) satisfies z.ZodType<ErrorBody>;
