/**
 * The ledger is the truth; Redis is the fast copy. Recovery rebuilds engine state from
 * PostgreSQL: when the engine has no state for a lot that should be live (Redis restarted without
 * persistence, keys lost), the lot is restored from its set-up and its ledger rows — seq, end as
 * extended, standing (the leader's maximum re-derived by re-deciding the bids), eligibility, and
 * the stored answers of earlier bids so a retried Idempotency-Key gets the same answer. The engine
 * refuses bids on a lot it does not know (UNKNOWN_AUCTION), so nothing is accepted before the
 * restore; `restore` itself refuses to overwrite state that exists, so two orchestrators recovering
 * at once cannot clobber live bidding.
 * (Bid cancellation, which also recomputes a standing from the ledger, is `cancellation.ts`.)
 */
import {
  bidAnswersFromLedger,
  isReplayableBid,
  replayStanding,
  type AuctionStatus,
  type BiddingStore,
  type LeaderKind,
  type LedgerStandingRow,
  type RestoreState,
} from '../../bidding/back-office.ts';
import { isDecided } from '../../common/contracts/lot.ts';
import type { Logger } from '../../common/logger.ts';
import type { Database, Queryable } from '../ledger/db.ts';
import type { EngineSync } from './engine-sync.ts';
import { cancelledSeqs, ledgerBids } from '../ledger/bid-rows.ts';
import { loadLots, loadSale, optText, setupOf, type Lot, type Sale } from '../ledger/records.ts';
import { RUNNING_SALE_STATUSES } from '../rules/sale-status.ts';

export type RecoveryEngine = Pick<BiddingStore, 'snapshot' | 'restore'>;

export interface RecoveryOptions {
  db: Database;
  engine: RecoveryEngine;
  sync: EngineSync;
  logger: Logger;
}

export interface RecoveryReport {
  restored: string[];
  /** Another instance (or live bidding) got there first. */
  existed: string[];
  failed: { lotId: string; message: string }[];
}

export class Recovery {
  private readonly o: RecoveryOptions;
  constructor(o: RecoveryOptions) {
    this.o = o;
  }

  /** Restores every lot of a scheduled or open sale that the engine has lost. */
  async recoverMissing(): Promise<RecoveryReport> {
    const report: RecoveryReport = { restored: [], existed: [], failed: [] };
    const sales = await this.o.db.query<{ id: string }>(
      'SELECT id FROM sales WHERE status = ANY($1) ORDER BY starts_at',
      [RUNNING_SALE_STATUSES],
    );
    for (const { id } of sales) {
      const sale = (await loadSale(this.o.db, id))!;
      for (const lot of await loadLots(this.o.db, id)) {
        if (lot.finalisedAt !== undefined) continue;
        if ((await this.o.engine.snapshot(lot.id)) !== undefined) continue;
        try {
          const outcome = await this.recoverLot(lot, sale);
          (outcome === 'restored' ? report.restored : report.existed).push(lot.id);
        } catch (err) {
          report.failed.push({ lotId: lot.id, message: err instanceof Error ? err.message : String(err) });
          this.o.logger.error(
            { err, lotId: lot.id },
            'recovery: lot not restored; retrying at the next pass',
          );
        }
      }
    }
    if (report.restored.length > 0 || report.failed.length > 0)
      this.o.logger.warn(report, 'recovery: engine state rebuilt from the ledger');
    return report;
  }

  /** Rebuilds one lot in the engine from the ledger. */
  async recoverLot(lot: Lot, sale: Sale): Promise<'restored' | 'existed'> {
    const state = await this.restoreState(this.o.db, lot, sale);
    const result = await this.o.engine.restore(state);
    if (result.restored) {
      // A lot with no ledger history is simply new to the engine (a fresh sale, the demo): not news.
      this.o.logger[state.seq > 0 ? 'info' : 'debug'](
        { lotId: lot.id, seq: result.seq, answers: result.answers },
        state.seq > 0 ? 'recovery: lot restored from the ledger' : 'lot put into the engine',
      );
      return 'restored';
    }
    if (result.reason === 'EXISTS') return 'existed';
    throw new Error(`restore refused (${result.reason}): ${result.message}`);
  }

  /** What the ledger says the engine should hold for this lot. */
  async restoreState(q: Queryable, lot: Lot, sale: Sale): Promise<RestoreState> {
    const bids = await ledgerBids(q, lot.id);
    const floors = await q.query<{
      seq: unknown;
      price_minor: unknown;
      leader_id: unknown;
      leader_kind: unknown;
      status: unknown;
      outcome: string;
      asking_minor: unknown;
      step_minor: unknown;
      standing_seq: unknown;
      message: unknown;
    }>(
      `SELECT seq, price_minor, leader_id, leader_kind, status, outcome, asking_minor, step_minor, standing_seq, message
         FROM floor_actions WHERE auction_id = $1 ORDER BY seq`,
      [lot.id],
    );
    const restates = await q.query<{
      seq: unknown;
      price_minor: unknown;
      leader_id: unknown;
      bid_count: unknown;
    }>(
      'SELECT seq, price_minor, leader_id, bid_count FROM standing_changes WHERE auction_id = $1 ORDER BY seq',
      [lot.id],
    );
    const cursor = await q.query<{ last_stream_id: string; last_seq: unknown }>(
      'SELECT last_stream_id, last_seq FROM ledger_cursors WHERE auction_id = $1',
      [lot.id],
    );
    const cancelled = await cancelledSeqs(q, lot.id);
    const seq = Math.max(
      0,
      Number(cursor[0]?.last_seq ?? 0),
      ...bids.map((b) => b.seq),
      ...floors.map((f) => Number(f.seq)),
      ...restates.map((r) => Number(r.seq)),
    );
    const lastFloor = [...floors].reverse().find((f) => f.outcome === 'accepted');
    const status: AuctionStatus =
      sale.mode === 'timed'
        ? // A timed lot is scheduled, open, closed or decided; the engine knows no decided timed lot.
          isDecided(lot.status)
          ? 'closed'
          : lot.status
        : ((optText(lastFloor?.status) as AuctionStatus | undefined) ?? 'scheduled');
    const setup = setupOf(lot, sale, status);
    const endsAt = Math.max(setup.endsAt, ...bids.map((b) => b.endsAt));
    const others: LedgerStandingRow[] = [
      ...restates.map((r) => ({
        seq: Number(r.seq),
        price: Number(r.price_minor),
        leaderId: optText(r.leader_id),
        bidCount: Number(r.bid_count),
      })),
      ...floors
        .filter((f) => f.outcome === 'accepted')
        .map((f) => ({ seq: Number(f.seq), price: Number(f.price_minor), leaderId: optText(f.leader_id) })),
    ];
    const answers = bidAnswersFromLedger(setup, bids, others);
    const eligibility: Record<string, number> = {};
    for (const e of await this.o.sync.compute(q, sale, [lot])) {
      if (e.limit > 0 && !e.excludedLots.includes(lot.id)) eligibility[e.bidderId] = e.limit;
    }
    const base = {
      setup,
      status,
      endsAt,
      seq,
      eligibility,
      answers,
      afterStreamId: cursor[0]?.last_stream_id,
    };
    if (sale.mode === 'timed') {
      const standing = replayStanding(
        setup,
        bids.filter((b) => isReplayableBid(b) && !cancelled.has(b.seq)),
      );
      return { ...base, ...standing };
    }
    // Live: the standing after the last row that set it (a bid or a floor action).
    const lastBid = [...bids].reverse().find((b) => b.outcome === 'accepted' || b.priceChanged === true);
    const useFloor =
      lastFloor !== undefined && (lastBid === undefined || Number(lastFloor.seq) > lastBid.seq);
    const price = useFloor ? Number(lastFloor.price_minor) : (lastBid?.price ?? 0);
    const leaderId = useFloor ? optText(lastFloor.leader_id) : (optText(lastBid?.leaderId) ?? undefined);
    const bidCount = answers.at(-1)?.decision.bidCount ?? (leaderId === undefined ? 0 : 1);
    return {
      ...base,
      price,
      leaderId,
      leaderMax: price,
      bidCount: leaderId === undefined ? 0 : Math.max(1, bidCount),
      leaderKind: useFloor
        ? (optText(lastFloor.leader_kind) as LeaderKind | undefined)
        : leaderId === undefined
          ? undefined
          : 'bid',
      ...(lastFloor === undefined
        ? {}
        : {
            asking: Number(lastFloor.asking_minor),
            step: Number(lastFloor.step_minor),
            standingSeq: Number(lastFloor.standing_seq),
            message: optText(lastFloor.message),
          }),
    };
  }
}
