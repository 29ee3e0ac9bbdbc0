/**
 * Which updates say something about the delay from a decision to this screen. Kept apart from the
 * DOM so it is tested without a browser.
 */
import type { LiveUpdate } from './types.ts';

/** Updates that are not a decision: a republished state (no decision time), the clock's close, the result. */
const NOT_DECISIONS = new Set<LiveUpdate['lastAction']>(['state', 'close', 'result']);

/**
 * Whether an update is the hub replaying what the page missed — on opening (from the snapshot's
 * resume point) or after a reconnect (from the last id seen) — rather than arriving live: it was
 * decided before the connection it came on opened. `openedAt` is this page's clock when the
 * connection opened; decision times are the server's (a screen's latency figure assumes the two
 * agree).
 */
export function isReplay(u: Pick<LiveUpdate, 'decidedAt'>, openedAt: number | undefined): boolean {
  if (openedAt === undefined || u.decidedAt === null) return false;
  const decided = Date.parse(u.decidedAt);
  return Number.isFinite(decided) && decided < openedAt;
}

/**
 * Milliseconds from the decision to `arrivedAt`, for a live update of a decision (a bid or a
 * floor action); undefined for a replay or an update that is not a decision, which must not count.
 */
export function liveLatency(
  u: Pick<LiveUpdate, 'decidedAt' | 'lastAction'>,
  via: 'live' | 'replay',
  arrivedAt: number,
): number | undefined {
  if (via !== 'live' || u.decidedAt === null || NOT_DECISIONS.has(u.lastAction)) return undefined;
  const decided = Date.parse(u.decidedAt);
  return Number.isFinite(decided) ? arrivedAt - decided : undefined;
}
