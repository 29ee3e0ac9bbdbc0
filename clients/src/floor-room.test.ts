import { describe, expect, it } from 'vitest';
import type { FloorLot, MissedBid } from '../../common/contracts/index.ts';
import {
  audienceText,
  audienceTitle,
  lastMessageText,
  leaderPaddleText,
  messageCounter,
  missedBidText,
  onlinePaddleOf,
  QUICK_MESSAGES,
} from './floor-room.ts';
import { hammerLabel, viewOfFloorLot } from './floor-lot.ts';

const floorLot = (leader: FloorLot['leader'], seq = 4): FloorLot => ({
  auctionId: 'l1',
  saleId: 's',
  currency: 'EUR',
  seq,
  stateVersion: 0,
  status: 'open',
  price: '1000.00',
  asking: '1100.00',
  step: null,
  bidCount: 1,
  leader,
  standingSeq: 4,
  message: null,
  reserveMet: true,
  undoAvailable: false,
  undoAction: null,
  commission: null,
});

const missed = (over: Partial<MissedBid> = {}): MissedBid => ({
  auctionId: 'l1',
  saleId: 's',
  currency: 'EUR',
  amount: '18500.00',
  paddle: '1042',
  bidder: 'Bidder 3F2A9C',
  closedBy: 'hammer',
  status: 'sold',
  lateByMs: 412,
  at: '2026-12-07T19:02:03.000Z',
  ...over,
});

describe('the console room', () => {
  it('counts signed-in bidders online, and says what the figure covers', () => {
    expect(audienceText(undefined)).toBe('— online');
    const a = { saleId: 's', bidders: 3, connections: 5, countedAt: '2026-12-07T19:00:00Z' };
    expect(audienceText(a)).toBe('3 online');
    expect(audienceTitle(a)).toBe('3 bidders signed in and following this sale; 5 connections in all');
    expect(audienceTitle({ ...a, bidders: 1, connections: 1 })).toBe(
      '1 bidder signed in and following this sale; 1 connection in all',
    );
  });

  it('names the internet leader by paddle, only for the state on screen, never a floor bidder twice', () => {
    const internet = floorLot({
      kind: 'bid',
      display: 'Bidder 3F2A9C',
      paddle: null,
      bidderId: 'alice',
      onlinePaddle: '1042',
    });
    expect(leaderPaddleText(internet, viewOfFloorLot(internet))).toBe('Internet bidder · paddle 1042');
    // The hammer names the paddle the clerk calls.
    expect(hammerLabel(viewOfFloorLot(internet), onlinePaddleOf(internet, viewOfFloorLot(internet)))).toBe(
      'Hammer — sold to paddle 1042 for EUR 1,000.00',
    );
    expect(hammerLabel(viewOfFloorLot(internet))).toBe('Hammer — sold to Bidder 3F2A9C for EUR 1,000.00');
    // A newer update than the floor state: the leader may have changed, say nothing until it is fetched.
    expect(leaderPaddleText(internet, { ...viewOfFloorLot(internet), seq: 5 })).toBe('');
    const unregistered = floorLot({
      kind: 'bid',
      display: 'Bidder 1',
      paddle: null,
      bidderId: 'x',
      onlinePaddle: null,
    });
    expect(leaderPaddleText(unregistered, viewOfFloorLot(unregistered))).toBe(
      'Internet bidder · no paddle on file',
    );
    const absentee = floorLot({
      kind: 'absentee',
      display: 'A',
      paddle: null,
      bidderId: 'b',
      onlinePaddle: '7',
    });
    expect(leaderPaddleText(absentee, viewOfFloorLot(absentee))).toBe('Absentee · paddle 7');
    const room = floorLot({ kind: 'floor', display: 'Paddle 14', paddle: '14', bidderId: null });
    expect(leaderPaddleText(room, viewOfFloorLot(room))).toBe('');
    const none = floorLot(null);
    expect(leaderPaddleText(none, viewOfFloorLot(none))).toBe('');
    expect(leaderPaddleText(undefined, viewOfFloorLot(internet))).toBe('');
  });

  it('counts the message’s characters and refuses empty or over-long text', () => {
    expect(messageCounter('')).toEqual({ label: '0 / 280', sendable: false, over: false });
    expect(messageCounter('   ')).toMatchObject({ sendable: false });
    expect(messageCounter('Pausing briefly')).toEqual({ label: '15 / 280', sendable: true, over: false });
    expect(messageCounter('x'.repeat(280))).toMatchObject({ sendable: true, over: false });
    expect(messageCounter('x'.repeat(281))).toEqual({ label: '281 / 280', sendable: false, over: true });
    // Characters, not UTF-16 units: an emoji is one.
    expect(messageCounter('🔨').label).toBe('1 / 280');
    expect(QUICK_MESSAGES).toContain('Bidding is with the room');
  });

  it('shows the last message sent with its time', () => {
    expect(lastMessageText(null)).toBe('No message sent yet');
    expect(
      lastMessageText(
        { id: 'm', saleId: 's', lotId: null, text: 'Pausing briefly', sentAt: '2026-12-07T19:02:03.000Z' },
        'UTC',
      ),
    ).toBe('Last sent 19:02: Pausing briefly');
  });

  it('words the missed-bid warning for the auctioneer', () => {
    expect(missedBidText(missed())).toBe(
      'Missed bid: EUR 18,500.00 from paddle 1042 arrived 0.4 s after the hammer',
    );
    expect(missedBidText(missed({ paddle: null, lateByMs: 2_960, closedBy: 'pass' }))).toBe(
      'Missed bid: EUR 18,500.00 from Bidder 3F2A9C arrived 3.0 s after the pass',
    );
    expect(missedBidText(missed({ paddle: null, bidder: '', lateByMs: 40, closedBy: 'withdraw' }))).toBe(
      'Missed bid: EUR 18,500.00 from an internet bidder arrived 0.0 s after the withdrawal',
    );
  });
});
