import { afterAll, describe, expect, it } from 'vitest';
import { decide, initialState } from '../core/decide.ts';
import { decideFloor } from '../core/floor.ts';
import { RedisBiddingStore } from './redis-store.ts';
import type { BidDecision, FloorActionResult } from '../core/types.ts';
import { timedSetup } from '../../test/support/bidding.ts';
import { prng } from '../../test/support/random.ts';
import { redisNamespace } from '../../test/support/redis-namespace.ts';

const ns = redisNamespace('bidding-floor-race');
afterAll(() => ns.cleanup());

const ROUNDS = 200;
const LIMIT = 1_000_000_000;

describe('internet and floor bids racing on real Redis', () => {
  it(`${ROUNDS} rounds of an internet bid and a floor bid at the same asking price: exactly one wins each`, async () => {
    // One connection each, so the two really race inside Redis rather than queue on one socket.
    const internet = new RedisBiddingStore({ redis: ns.connect(), prefix: ns.prefix });
    const clerk = new RedisBiddingStore({ redis: ns.connect(), prefix: ns.prefix });
    const setup = timedSetup('race', Date.now(), { mode: 'live', status: 'scheduled', opening: 100_000 });
    await internet.configure(setup);
    for (const b of ['net-a', 'net-b']) await internet.setEligibility(setup.id, b, LIMIT);
    const opened = await clerk.floorAction({ action: 'open', auctionId: setup.id, idempotencyKey: 'open' });
    expect(opened.outcome).toBe('accepted');

    const r = prng(7);
    let asking = opened.asking;
    let leader: string | undefined;
    const wins = { internet: 0, floor: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      // Neither side may already lead, or it would be refused as ALREADY_LEADING rather than race.
      const bidderId = leader === 'net-a' ? 'net-b' : 'net-a';
      const paddle = leader === 'paddle:7' ? '8' : '7';
      const sendBid = (): Promise<BidDecision> =>
        internet.placeBid({
          auctionId: setup.id,
          bidderId,
          amount: asking,
          idempotencyKey: `bid-${round}`,
          source: 'api',
        });
      const sendFloor = (): Promise<FloorActionResult> =>
        clerk.floorAction({
          action: 'floor_bid',
          paddle,
          amount: asking,
          auctionId: setup.id,
          idempotencyKey: `floor-${round}`,
        });
      // Whichever is written first usually arrives first: vary it, so both sides win rounds.
      let bid: BidDecision;
      let floor: FloorActionResult;
      if (r.next() < 0.5) [bid, floor] = await Promise.all([sendBid(), sendFloor()]);
      else [floor, bid] = await Promise.all([sendFloor(), sendBid()]);
      const accepted = [bid.outcome, floor.outcome].filter((o) => o === 'accepted');
      expect(accepted, `round ${round}`).toHaveLength(1);
      const [winner, loser] = bid.outcome === 'accepted' ? [bid, floor] : [floor, bid];
      expect(loser.reason, `round ${round}`).toBe('OUTBID');
      expect(winner.price).toBe(asking);
      expect(Math.abs(winner.seq - loser.seq)).toBe(1);
      wins[bid.outcome === 'accepted' ? 'internet' : 'floor'] += 1;
      leader = bid.outcome === 'accepted' ? bidderId : `paddle:${paddle}`;
      // The later of the two saw the winner's price: its answer carries the next asking price.
      asking = winner.seq > loser.seq ? winner.asking : loser.asking;
      expect(asking).toBeGreaterThan(winner.price);
    }
    const snap = await internet.snapshot(setup.id);
    expect(snap).toMatchObject({ bidCount: ROUNDS, leaderId: leader, asking, lastSeq: 2 * ROUNDS + 1 });
    expect(wins.internet + wins.floor).toBe(ROUNDS);
    expect(wins.internet).toBeGreaterThan(0);
    expect(wins.floor).toBeGreaterThan(0);

    // The stream is a serial history: replaying it through the pure functions gives the same answers.
    const events = await internet.decisions(setup.id, '0', 10_000);
    expect(events).toHaveLength(2 * ROUNDS + 1);
    const state = initialState(setup);
    for (const e of events) {
      if (e.type === 'floor') {
        expect(decideFloor(setup, state, e.action, e.result.decidedAt)).toEqual(e.result);
      } else if (e.type === 'bid') {
        const d = e.decision;
        const req = {
          auctionId: setup.id,
          bidderId: d.bidderId,
          amount: d.amount,
          max: e.max,
          idempotencyKey: e.idempotencyKey,
          source: e.source,
        };
        expect(decide(setup, state, req, d.decidedAt, LIMIT)).toEqual(d);
      }
    }
    expect(state).toMatchObject({ price: snap?.price, leaderId: snap?.leaderId, seq: 2 * ROUNDS + 1 });
  }, 60_000);
});
