import type { FloorActionResult, RecordedEvent } from './types.ts';

/**
 * Who held the standing bid just below the winning one, derived from the decision stream. The
 * store keeps that stack in the lot's state but does not return it, so it is read back from the
 * recorded events: the event that set the standing bid (`standingSeq`) names the leader it
 * replaced — or the challenger, when it was a bid an absentee maximum answered — and an absentee
 * who took the lot on `open` was followed by the second-best absentee maximum.
 *
 * Fed the auction's events in stream order, one at a time; `see` answers once it has found the
 * event that decides it (the underbidder may then be undefined: nobody was below).
 */
export class UnderbidderSearch {
  private readonly sale: Pick<FloorActionResult, 'standingSeq' | 'leaderId'>;
  /** Absentee maximums left before the lot opened: the newest per bidder. */
  private readonly absentees = new Map<string, { max: number; seq: number }>();

  constructor(sale: Pick<FloorActionResult, 'standingSeq' | 'leaderId'>) {
    this.sale = sale;
  }

  see(e: RecordedEvent): { underbidder: string | undefined } | undefined {
    const { standingSeq, leaderId } = this.sale;
    if (e.type === 'bid') {
      const d = e.decision;
      if (d.kind === 'absentee')
        this.absentees.set(d.bidderId, { max: Math.max(e.max ?? 0, d.amount), seq: d.seq });
      if (d.seq !== standingSeq) return undefined;
      return { underbidder: d.kind === 'bid' ? d.previousLeaderId : d.bidderId };
    }
    // Restates are timed-only: a live lot's stream has none.
    if (e.type === 'restate' || e.result.seq !== standingSeq) return undefined;
    if (e.result.action === 'open') {
      let best: { bidderId: string; max: number; seq: number } | undefined;
      for (const [bidderId, a] of this.absentees) {
        if (bidderId === leaderId) continue;
        if (best === undefined || a.max > best.max || (a.max === best.max && a.seq < best.seq))
          best = { bidderId, ...a };
      }
      return { underbidder: best?.bidderId };
    }
    if (e.action.action === 'floor_bid' && e.result.outcome === 'rejected')
      return { underbidder: `paddle:${e.action.paddle}` };
    return { underbidder: e.result.previousLeaderId };
  }
}
