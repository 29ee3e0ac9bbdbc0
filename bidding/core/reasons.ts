/**
 * Refusal reasons read back from outside the process (a Lua script's reply, a stream entry) are
 * checked against the known list (`BID_REJECT_REASONS` and `FLOOR_REJECT_REASONS` in
 * common/contracts/, `RESTATE_REJECT_REASONS` next to its decision type): a reason the
 * code does not know means the script and the code disagree, and must stop the request loudly
 * rather than leave a status nobody maps. Every list is of catalogue codes (common/error-codes.ts),
 * so a parsed reason always has its HTTP status (`statusOf`).
 */
import { isErrorCode, type ErrorCode } from '../../common/error-codes.ts';

export class UnknownReasonError extends Error {
  readonly reason: string;

  constructor(kind: string, reason: string, known: readonly string[]) {
    const catalogued = isErrorCode(reason) ? `, an error code but not a ${kind} refusal` : '';
    super(`unknown ${kind} refusal reason "${reason}"${catalogued} (known: ${known.join(', ')})`);
    this.name = 'UnknownReasonError';
    this.reason = reason;
  }
}

/** The reason as one of `known`; undefined for '' or absent (no refusal); throws on anything else. */
export function parseReason<R extends ErrorCode>(
  known: readonly R[],
  kind: string,
  raw: string | undefined,
): R | undefined {
  if (raw === undefined || raw === '') return undefined;
  if ((known as readonly string[]).includes(raw)) return raw as R;
  throw new UnknownReasonError(kind, raw, known);
}
