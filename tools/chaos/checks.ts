/**
 * The comparisons of a chaos run, as pure functions over what the clients saw, what the ledger
 * holds, what the engine says and what every screen shows — so each can be tested on its own.
 */
import type { BidRecord } from './bids.ts';
import type { AuctionState } from './subscriber.ts';

/** One row of the ledger's `bids` table. */
export interface LedgerBid {
  auctionId: string;
  seq: number;
  bidderId: string;
  /** Minor units. */
  amount: number;
  outcome: 'accepted' | 'rejected';
  reason: string | null;
  key: string;
  /** The lot's price after this decision (minor units): unchanged by a refusal, or by a leader raising their own maximum. */
  price: number;
}

export interface LotResult {
  lotId: string;
  outcome: string;
  hammer: string | null;
  buyer: string | null;
}

/** Evidence: at most this many examples per finding. */
const EXAMPLES = 10;

const bidKey = (lot: string, bidder: string, key: string): string => `${lot}\u0000${bidder}\u0000${key}`;

export interface LedgerFindings {
  /** Bids a client was told were accepted that the ledger does not hold as accepted, exactly so (seq, amount). */
  lost: { count: number; examples: unknown[] };
  /** Idempotency keys with more than one ledger row. */
  doubled: { count: number; examples: unknown[] };
  /** Accepted ledger rows for a key no client sent. */
  phantom: { count: number; examples: unknown[] };
  /** Bids a client was told were refused that the ledger holds as accepted. */
  contradicted: { count: number; examples: unknown[] };
  accepted: number;
  rows: number;
}

/** Client answers against the ledger's bid rows. */
export function compareLedger(tried: readonly BidRecord[], ledger: readonly LedgerBid[]): LedgerFindings {
  const rows = new Map<string, LedgerBid[]>();
  for (const r of ledger) {
    const k = bidKey(r.auctionId, r.bidderId, r.key);
    const list = rows.get(k);
    if (list === undefined) rows.set(k, [r]);
    else list.push(r);
  }
  const sent = new Set(tried.map((b) => bidKey(b.lot, b.bidder, b.key)));
  const out: LedgerFindings = {
    lost: { count: 0, examples: [] },
    doubled: { count: 0, examples: [] },
    phantom: { count: 0, examples: [] },
    contradicted: { count: 0, examples: [] },
    accepted: ledger.filter((r) => r.outcome === 'accepted').length,
    rows: ledger.length,
  };
  const note = (f: { count: number; examples: unknown[] }, example: unknown): void => {
    f.count++;
    if (f.examples.length < EXAMPLES) f.examples.push(example);
  };
  for (const b of tried) {
    const found = rows.get(bidKey(b.lot, b.bidder, b.key)) ?? [];
    const accepted = found.filter((r) => r.outcome === 'accepted');
    if (b.outcome === 'accepted') {
      const exact = accepted.length === 1 && accepted[0]!.seq === b.seq && accepted[0]!.amount === b.amount;
      if (!exact)
        note(out.lost, {
          lot: b.lot,
          bidder: b.bidder,
          key: b.key,
          seq: b.seq,
          amount: b.amount,
          ledger: found,
        });
    } else if (b.outcome === 'refused' && accepted.length > 0) {
      note(out.contradicted, { lot: b.lot, bidder: b.bidder, key: b.key, code: b.code, ledger: accepted });
    }
  }
  for (const [k, list] of rows) {
    if (list.length > 1) note(out.doubled, list);
    if (!sent.has(k) && list.some((r) => r.outcome === 'accepted')) note(out.phantom, list);
  }
  return out;
}

export interface SeqFindings {
  /** Per lot: seqs missing from 1..engine's last seq, seqs twice, seqs past it. */
  gaps: { lot: string; lastSeq: number; missing: number[]; repeated: number[]; beyond: number[] }[];
  count: number;
}

/** Every seq the engine handed out on a lot (1..lastSeq) is in the ledger exactly once, and nothing past it. */
export function checkSeqs(
  ledgerSeqs: ReadonlyMap<string, readonly number[]>,
  engineLastSeq: ReadonlyMap<string, number>,
): SeqFindings {
  const out: SeqFindings = { gaps: [], count: 0 };
  for (const [lot, lastSeq] of engineLastSeq) {
    const seen = new Map<number, number>();
    for (const s of ledgerSeqs.get(lot) ?? []) seen.set(s, (seen.get(s) ?? 0) + 1);
    const missing: number[] = [];
    for (let s = 1; s <= lastSeq; s++) if (!seen.has(s)) missing.push(s);
    const repeated = [...seen].filter(([, n]) => n > 1).map(([s]) => s);
    const beyond = [...seen.keys()].filter((s) => s > lastSeq);
    const n = missing.length + repeated.length + beyond.length;
    if (n > 0) {
      out.count += n;
      out.gaps.push({
        lot,
        lastSeq,
        missing: missing.slice(0, EXAMPLES),
        repeated: repeated.slice(0, EXAMPLES),
        beyond: beyond.slice(0, EXAMPLES),
      });
    }
  }
  return out;
}

export interface WinnerFindings {
  checked: number;
  wrong: { lot: string; expected: { bidder: string; hammer: string } | null; got: LotResult | null }[];
}

const decimal = (minor: number): string => (minor / 100).toFixed(2);

/**
 * The back office's winner of each lot is the bidder of the highest accepted bid in the ledger — the
 * earliest of equal amounts — a bid a client was told was accepted; the hammer is the price the
 * ledger's last decision left. (The top bid's own amount when it set the price; a leader's higher
 * bid is a raised maximum, accepted without moving the price.)
 */
export function checkWinners(
  lots: readonly string[],
  ledger: readonly LedgerBid[],
  tried: readonly BidRecord[],
  results: readonly LotResult[],
): WinnerFindings {
  const out: WinnerFindings = { checked: 0, wrong: [] };
  const acknowledged = new Set(
    tried.filter((b) => b.outcome === 'accepted').map((b) => bidKey(b.lot, b.bidder, b.key)),
  );
  for (const lot of lots) {
    out.checked++;
    let top: LedgerBid | undefined;
    let last: LedgerBid | undefined;
    for (const r of ledger) {
      if (r.auctionId !== lot) continue;
      if (last === undefined || r.seq > last.seq) last = r;
      if (r.outcome !== 'accepted') continue;
      if (top === undefined || r.amount > top.amount || (r.amount === top.amount && r.seq < top.seq)) top = r;
    }
    const got = results.find((r) => r.lotId === lot) ?? null;
    const expected = top === undefined ? null : { bidder: top.bidderId, hammer: decimal(last!.price) };
    const right =
      got !== null &&
      (expected === null
        ? got.outcome !== 'sold'
        : got.outcome === 'sold' &&
          got.buyer === expected.bidder &&
          got.hammer === expected.hammer &&
          acknowledged.has(bidKey(lot, top!.bidderId, top!.key)));
    if (!right) out.wrong.push({ lot, expected, got });
  }
  return out;
}

/** The fields of a public state a screen must show exactly as the snapshot does. */
export const SCREEN_FIELDS = [
  'status',
  'price',
  'bidCount',
  'leader',
  'asking',
  'endsAt',
  'reserveMet',
] as const;

export interface ScreenView {
  name: string;
  hub: string;
  states: ReadonlyMap<string, AuctionState>;
}

export interface StaleScreen {
  subscriber: string;
  hub: string;
  lot: string;
  /** The fields that differ (or `missing`: the screen never got a state of this lot). */
  differs: string[];
  screen: Partial<AuctionState> | null;
  snapshot: Partial<AuctionState>;
}

const pick = (s: AuctionState, fields: readonly string[]): Partial<AuctionState> =>
  Object.fromEntries(['seq', ...fields].map((f) => [f, s[f as keyof AuctionState]]));

/**
 * Every screen against the snapshots: the newest state each got for each lot must equal the
 * snapshot on `fields`. (A screen's seq may be below the snapshot's: a refused bid takes a seq and
 * changes nothing anyone sees, so nothing is published for it.)
 */
export function compareScreens(
  screens: readonly ScreenView[],
  snapshots: ReadonlyMap<string, AuctionState>,
  fields: readonly (keyof AuctionState)[] = SCREEN_FIELDS,
): StaleScreen[] {
  const stale: StaleScreen[] = [];
  for (const screen of screens) {
    for (const [lot, want] of snapshots) {
      const got = screen.states.get(lot);
      const differs =
        got === undefined
          ? want.bidCount > 0
            ? ['missing']
            : []
          : fields.filter((f) => JSON.stringify(got[f]) !== JSON.stringify(want[f]));
      if (differs.length > 0)
        stale.push({
          subscriber: screen.name,
          hub: screen.hub,
          lot,
          differs,
          screen: got === undefined ? null : pick(got, fields),
          snapshot: pick(want, fields),
        });
    }
  }
  return stale;
}
