/**
 * The database's check constraints the admin API also checks up front. Should one still fail (a
 * check missed, two edits racing), the request is refused with the same 4xx, not answered 503.
 */
import type { ErrorCode } from '../../common/error-codes.ts';
import { AppError } from '../../common/errors.ts';

const CHECK_VIOLATION = '23514';

const KNOWN: Record<string, { code: ErrorCode; message: string }> = {
  sales_paddle_ranges_apart: {
    code: 'BAD_PADDLES',
    message: 'the floor and online paddle ranges overlap; a paddle number belongs to one channel',
  },
  sales_floor_paddles: { code: 'BAD_PADDLES', message: 'floorPaddles.to must be at least floorPaddles.from' },
  sales_online_paddles: {
    code: 'BAD_PADDLES',
    message: 'onlinePaddles.to must be at least onlinePaddles.from',
  },
};

/** The AppError for a known check constraint's violation (PostgreSQL or PGlite); undefined for anything else. */
export function constraintError(err: unknown): AppError | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { code, constraint } = err as { code?: unknown; constraint?: unknown };
  if (code !== CHECK_VIOLATION || typeof constraint !== 'string' || !Object.hasOwn(KNOWN, constraint))
    return undefined;
  const known = KNOWN[constraint]!;
  return new AppError(known.code, known.message, { details: { constraint }, cause: err });
}
