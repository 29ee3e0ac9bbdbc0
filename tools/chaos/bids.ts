/**
 * Bids as a careful client places them: one Idempotency-Key per bid, and on anything that is not a
 * definite answer (no response, a 5xx, a 429) the same request again — same key, same amount, on
 * the next gateway — until the engine's answer arrives. The record of every bid is what the ledger
 * is compared with afterwards.
 */
import { sleep } from '../topology/index.ts';

export interface BidRecord {
  bidder: string;
  lot: string;
  key: string;
  /** Minor units. */
  amount: number;
  sentAt: number;
  attempts: number;
  /** accepted / refused: the engine's answer (201, or a 4xx with its code); unresolved: none before the deadline. */
  outcome: 'pending' | 'accepted' | 'refused' | 'unresolved';
  code?: string;
  seq?: number;
  answeredAt?: number;
  /** Why attempts before the answer failed (`ECONNREFUSED`, `HTTP 503 ENGINE_UNAVAILABLE`…). */
  retriedOn: string[];
}

interface BidAnswer {
  bid?: { seq: number; outcome: string; asking: string };
  error?: { code: string; details?: { bid?: { seq: number; asking: string } } };
}

export interface BidClientOptions {
  gateways: string[];
  /** Give up (outcome `unresolved`) this long after the first attempt. */
  deadlineMs: number;
  /** Called with the asking price (minor units) an answer reports. */
  onAsking?: (lot: string, asking: number) => void;
  /** Called once the bid has its answer (or is given up). */
  onSettled?: (rec: BidRecord) => void;
}

const toMinor = (decimal: string): number => Math.round(Number(decimal) * 100);

function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: { code?: string } }).cause;
    return cause?.code ?? err.name;
  }
  return String(err);
}

/** Places one bid until it has a definite answer (or the deadline passes); fills in the record. */
export async function placeBid(rec: BidRecord, token: string, opts: BidClientOptions): Promise<BidRecord> {
  const first = Math.abs(hashOf(rec.key)) % opts.gateways.length;
  const body = JSON.stringify({ amount: (rec.amount / 100).toFixed(2) });
  for (;;) {
    const gateway = opts.gateways[(first + rec.attempts) % opts.gateways.length]!;
    rec.attempts++;
    let pause = Math.min(1000, 50 * rec.attempts);
    try {
      const res = await fetch(`${gateway}/v1/auctions/${encodeURIComponent(rec.lot)}/bids`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${token}`,
          'Content-Type': 'application/json',
          'Idempotency-Key': rec.key,
        },
        body,
        signal: AbortSignal.timeout(15_000),
      });
      const answer = (await res.json().catch(() => ({}))) as BidAnswer;
      const asking = answer.bid?.asking ?? answer.error?.details?.bid?.asking;
      if (asking !== undefined) opts.onAsking?.(rec.lot, toMinor(asking));
      if (res.status === 201 && answer.bid !== undefined) {
        return settle(rec, opts, 'accepted', answer.bid.seq);
      }
      const code = answer.error?.code ?? `HTTP_${res.status}`;
      if (res.status === 429) {
        pause = Math.max(pause, 1000 * Number(res.headers.get('retry-after') ?? '1'));
        rec.retriedOn.push(`HTTP 429 ${code}`);
      } else if (res.status >= 400 && res.status < 500) {
        return settle(rec, opts, 'refused', answer.error?.details?.bid?.seq, code);
      } else {
        rec.retriedOn.push(`HTTP ${res.status} ${code}`);
      }
    } catch (err) {
      rec.retriedOn.push(describe(err));
    }
    if (Date.now() - rec.sentAt > opts.deadlineMs) {
      rec.outcome = 'unresolved';
      opts.onSettled?.(rec);
      return rec;
    }
    await sleep(pause);
  }
}

function settle(
  rec: BidRecord,
  opts: BidClientOptions,
  outcome: 'accepted' | 'refused',
  seq?: number,
  code?: string,
): BidRecord {
  rec.outcome = outcome;
  rec.answeredAt = Date.now();
  if (seq !== undefined) rec.seq = seq;
  if (code !== undefined) rec.code = code;
  opts.onSettled?.(rec);
  return rec;
}

function hashOf(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}
