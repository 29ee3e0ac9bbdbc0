/**
 * Refusal reasons read back from outside the process (a Lua script's reply, a stream entry) are
 * checked against the known list (`BID_REJECT_REASONS`, `FLOOR_REJECT_REASONS`,
 * `RESTATE_REJECT_REASONS` next to their decision types): a reason the code does not know means
 * the script and the code disagree, and must stop the request loudly rather than leave a status
 * nobody maps.
 */
export class UnknownReasonError extends Error {
  readonly reason: string;

  constructor(kind: string, reason: string, known: readonly string[]) {
    super(`unknown ${kind} refusal reason "${reason}" (known: ${known.join(', ')})`);
    this.name = 'UnknownReasonError';
    this.reason = reason;
  }
}

/** The reason as one of `known`; undefined for '' or absent (no refusal); throws on anything else. */
export function parseReason<R extends string>(
  known: readonly R[],
  kind: string,
  raw: string | undefined,
): R | undefined {
  if (raw === undefined || raw === '') return undefined;
  if ((known as readonly string[]).includes(raw)) return raw as R;
  throw new UnknownReasonError(kind, raw, known);
}
