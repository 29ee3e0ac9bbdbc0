import { isWaiting, type PublicAuctionView } from '../../common/contracts/index.ts';
import type { LiveUpdate } from './types.ts';
import { t } from './i18n/page.ts';

/** One line of a lot's activity: what changed it, at which price, and who led after it. */
export interface ActivityEntry {
  seq: number;
  action: LiveUpdate['lastAction'];
  price: string;
  leader: string | null;
  leaderKind: PublicAuctionView['leaderKind'];
  status: PublicAuctionView['status'];
  /** Local arrival time. */
  at: number;
}

/** What orders the states of one lot (the status breaks a tie of seq and stateVersion). */
type Ordered = Pick<PublicAuctionView, 'seq' | 'stateVersion'> & Partial<Pick<PublicAuctionView, 'status'>>;

/**
 * Whether `next` is a newer state of its lot than `held`: a higher seq; at the same seq a higher
 * stateVersion (a timed lot closed by the clock, then its result, move no seq); at the same seq and
 * stateVersion an offered lot over a waiting one (a timed lot opened by the clock moves neither:
 * `scheduled` and `open` are both stateVersion 0, and a lot never goes back to waiting at one seq).
 * Equal is not newer, so a repeat or a replay changes nothing.
 */
export function isNewer(next: Ordered, held: Ordered | undefined): boolean {
  if (held === undefined) return true;
  if (next.seq !== held.seq) return next.seq > held.seq;
  // Payloads from before stateVersion existed count as 0.
  const version = (next.stateVersion ?? 0) - (held.stateVersion ?? 0);
  if (version !== 0) return version > 0;
  return (
    held.status !== undefined &&
    next.status !== undefined &&
    isWaiting(held.status) &&
    !isWaiting(next.status)
  );
}

/** Updates that are no action of their own on the lot (a republished state, the clock's close, the result): not activity. */
const NOT_ACTIVITY = new Set<LiveUpdate['lastAction']>(['state', 'close', 'result']);

/**
 * The pages' view of every lot they show: the newest state per lot by (seq, stateVersion) — an
 * older state is never shown after a newer one, whatever order snapshots and updates arrive in —
 * and each lot's activity.
 */
export class LotBook {
  private readonly views = new Map<string, PublicAuctionView>();
  private readonly activity = new Map<string, Map<number, ActivityEntry>>();

  get(auctionId: string): PublicAuctionView | undefined {
    return this.views.get(auctionId);
  }

  /** Keeps the view when it is newer than the one held; true when it was. */
  apply(view: PublicAuctionView): boolean {
    if (!isNewer(view, this.views.get(view.auctionId))) return false;
    this.views.set(view.auctionId, view);
    return true;
  }

  /**
   * A lot the house withdrew or whose sale it cancelled (a back-office event, with no update of the
   * lot's own): final, so it wins over anything at its seq but not over a later seq. True when it changed.
   */
  settle(auctionId: string, status: 'withdrawn' | 'cancelled'): boolean {
    const held = this.views.get(auctionId);
    if (held === undefined || held.status === status) return false;
    return this.apply({ ...held, status, stateVersion: Math.max(held.stateVersion ?? 0, 2) });
  }

  /** Adds a live update to its lot's activity (once per seq: a replay after a reconnect adds nothing twice). */
  record(u: LiveUpdate): void {
    if (NOT_ACTIVITY.has(u.lastAction)) return;
    let list = this.activity.get(u.auctionId);
    if (list === undefined) this.activity.set(u.auctionId, (list = new Map<number, ActivityEntry>()));
    if (list.has(u.seq)) return;
    list.set(u.seq, {
      seq: u.seq,
      action: u.lastAction,
      price: u.price,
      leader: u.leader,
      leaderKind: u.leaderKind,
      status: u.status,
      at: Date.now(),
    });
  }

  /** Newest first. */
  activityOf(auctionId: string): ActivityEntry[] {
    return [...(this.activity.get(auctionId)?.values() ?? [])].sort((a, b) => b.seq - a.seq);
  }
}

/** How the pages name a lot's status. */
export const STATUS_LABEL: Record<PublicAuctionView['status'], string> = {
  scheduled: 'Not open yet',
  open: 'Open',
  fair_warning: 'Fair warning',
  on_hold: 'On hold',
  sold: 'Sold',
  passed: 'Passed',
  unsold: 'Unsold',
  withdrawn: 'Withdrawn',
  closed: 'Closed',
  cancelled: 'Cancelled',
};

/** Internet (and absentee) bids and the room's paddles are told apart on every screen. */
export function kindLabel(kind: PublicAuctionView['leaderKind']): string {
  switch (kind) {
    case 'floor':
    case 'absentee':
    case 'bid':
      // The page's language (the staff's pages are English).
      return t(`kind.${kind}`);
    case null:
      return '';
  }
}

export const ACTION_LABEL: Record<LiveUpdate['lastAction'], string> = {
  bid: 'Bid',
  open: 'Lot opened',
  set_asking: 'Asking price set',
  set_increment: 'Increment set',
  floor_bid: 'Floor bid',
  overrule: 'Overruled',
  reject_bid: 'Bid rejected',
  fair_warning: 'Fair warning',
  resume: 'Resumed',
  hold: 'On hold',
  resume_from_hold: 'Resumed',
  hammer: 'Hammer',
  pass: 'Passed',
  withdraw: 'Withdrawn',
  undo: 'Undone',
  state: 'Update',
  close: 'Closed',
  result: 'Result',
};
