/** The live sale room's rules without a browser: auto-follow, the call, results so far, messages, stale. */
import { describe, expect, it } from 'vitest';
import type {
  AuctionStatus,
  CatalogueLot,
  PublicAuctionView,
  SaleMessage,
} from '../../common/contracts/index.ts';
import { callOf, FAIR_WARNING_TEXT, isNewFairWarning } from './call.ts';
import { autoFollowOf, followMove, initialOnBlock, liveOnBlock } from './follow.ts';
import { MessageLog } from './sale-messages.ts';
import { saleResults } from './sale-results.ts';
import { endsSession, signInAgainHref, staleness, type LinkState } from './stale.ts';

const lot = (n: number): CatalogueLot => ({
  id: `live-${n}`,
  lotNumber: String(n),
  title: `Lot title ${n}`,
  description: '',
  estimateLow: '',
  estimateHigh: '',
});
const LOTS = [lot(1), lot(2), lot(3), lot(4)];
const statuses =
  (...s: AuctionStatus[]) =>
  (id: string): AuctionStatus | undefined =>
    s[Number(id.split('-')[1]) - 1];

const view = (over: Partial<PublicAuctionView> = {}): PublicAuctionView => ({
  auctionId: 'live-1',
  saleId: 'evening',
  mode: 'live',
  status: 'open',
  currency: 'EUR',
  price: '18000.00',
  bidCount: 3,
  leader: 'Paddle 12',
  leaderKind: 'floor',
  asking: '19000.00',
  endsAt: null,
  reserveMet: true,
  message: null,
  seq: 7,
  stateVersion: 0,
  ...over,
});

describe('the lot on the block', () => {
  it('is the lot being sold: taking bids, in fair warning or on hold; none between lots', () => {
    expect(liveOnBlock(LOTS, statuses('sold', 'open', 'scheduled', 'scheduled'))?.id).toBe('live-2');
    expect(liveOnBlock(LOTS, statuses('sold', 'fair_warning', 'scheduled'))?.id).toBe('live-2');
    expect(liveOnBlock(LOTS, statuses('sold', 'passed', 'on_hold'))?.id).toBe('live-3');
    expect(liveOnBlock(LOTS, statuses('sold', 'passed', 'scheduled'))).toBeUndefined();
  });

  it('on a page that starts between lots is the one just decided, until the next opens', () => {
    expect(initialOnBlock(LOTS, statuses('sold', 'passed', 'scheduled', 'scheduled'))).toBe('live-2');
    expect(initialOnBlock(LOTS, statuses('sold', 'open', 'scheduled', 'scheduled'))).toBe('live-2');
    expect(
      initialOnBlock(LOTS, statuses('scheduled', 'scheduled', 'scheduled', 'scheduled')),
    ).toBeUndefined();
    // A lot withdrawn ahead of the sale is not the one the auctioneer just sold.
    expect(
      initialOnBlock(LOTS, statuses('scheduled', 'withdrawn', 'scheduled', 'scheduled')),
    ).toBeUndefined();
  });
});

describe('auto-follow', () => {
  const base = { lastOnBlock: 'live-1', onBlock: 'live-2', viewing: 'live-1', autoFollow: true };

  it('takes a bidder who was following the sale to the next lot when it opens', () => {
    expect(followMove(base)).toEqual({ kind: 'go', lotId: 'live-2' });
  });

  it('offers the lot instead when auto-follow is off, in the sale room, or on another lot', () => {
    expect(followMove({ ...base, autoFollow: false })).toEqual({ kind: 'offer', lotId: 'live-2' });
    expect(followMove({ ...base, viewing: undefined })).toEqual({ kind: 'offer', lotId: 'live-2' });
    // The first lot opens while the bidder is in the sale room: still an offer, not a move.
    expect(followMove({ ...base, lastOnBlock: undefined, onBlock: 'live-1', viewing: undefined })).toEqual({
      kind: 'offer',
      lotId: 'live-1',
    });
    // Looking at lot 4 (perhaps leaving an absentee bid): never pulled away.
    expect(followMove({ ...base, viewing: 'live-4' })).toEqual({ kind: 'offer', lotId: 'live-2' });
    // The sale's first lot opens: nobody was following a lot yet.
    expect(followMove({ ...base, lastOnBlock: undefined, onBlock: 'live-1', viewing: 'live-3' })).toEqual({
      kind: 'offer',
      lotId: 'live-1',
    });
  });

  it('does nothing while the lot stays, between lots, or for a bidder already there', () => {
    expect(followMove({ ...base, onBlock: 'live-1' })).toEqual({ kind: 'stay' });
    expect(followMove({ ...base, onBlock: undefined })).toEqual({ kind: 'stay' });
    expect(followMove({ ...base, viewing: 'live-2' })).toEqual({ kind: 'stay' });
  });

  it('is on unless the bidder turned it off', () => {
    expect(autoFollowOf(null)).toBe(true);
    expect(autoFollowOf('on')).toBe(true);
    expect(autoFollowOf('off')).toBe(false);
  });
});

describe("the auctioneer's call", () => {
  it('warns before the hammer, urgently', () => {
    expect(callOf(view({ status: 'fair_warning' }))).toEqual({
      kind: 'fair_warning',
      text: FAIR_WARNING_TEXT,
      urgent: true,
    });
    expect(FAIR_WARNING_TEXT).toBe('Fair warning — the hammer is about to fall');
  });

  it("shows the auctioneer's hold message, and the result", () => {
    expect(callOf(view({ status: 'on_hold', message: 'Telephone line check' }))?.text).toBe(
      'On hold — Telephone line check',
    );
    expect(callOf(view({ status: 'on_hold', message: null }))?.text).toBe('On hold');
    expect(callOf(view({ status: 'sold', price: '1250000.00' }))?.text).toBe('Sold for EUR 1,250,000.00');
    expect(callOf(view({ status: 'passed' }))?.kind).toBe('passed');
  });

  it('has nothing to say while the lot is simply open, nor on a timed lot', () => {
    expect(callOf(view())).toBeUndefined();
    expect(callOf(view({ status: 'scheduled' }))).toBeUndefined();
    expect(callOf(view({ mode: 'timed', status: 'closed' }))).toBeUndefined();
  });

  it('signals each fair warning once, however often its state arrives', () => {
    const fw = view({ status: 'fair_warning', seq: 9 });
    expect(isNewFairWarning(fw, new Map())).toBe(true);
    expect(isNewFairWarning(fw, new Map([['live-1', 9]]))).toBe(false);
    // Resumed, then a second fair warning: a new call.
    expect(isNewFairWarning(view({ status: 'fair_warning', seq: 11 }), new Map([['live-1', 9]]))).toBe(true);
    expect(isNewFairWarning(view(), new Map())).toBe(false);
  });
});

describe('results so far', () => {
  it('lists each decided lot in catalogue order: sold with the hammer price, passed, withdrawn', () => {
    const views: Record<string, Partial<PublicAuctionView>> = {
      'live-1': { status: 'sold', price: '1250000.00' },
      'live-2': { status: 'withdrawn' },
      'live-3': { status: 'passed' },
      'live-4': { status: 'open' },
    };
    const rows = saleResults(LOTS, (id) => view(views[id]), 'en-US');
    expect(rows.map((r) => [r.lotNumber, r.title, r.text])).toEqual([
      ['1', 'Lot title 1', 'Sold EUR 1,250,000.00'],
      ['2', 'Lot title 2', 'Withdrawn'],
      ['3', 'Lot title 3', 'Passed'],
    ]);
  });

  it('is empty before the first result, and leaves out lots not yet known', () => {
    expect(
      saleResults(LOTS, (id) => (id === 'live-1' ? view({ status: 'fair_warning' }) : undefined)),
    ).toEqual([]);
  });
});

describe("the auctioneer's messages", () => {
  const msg = (id: string, at: string, saleId = 'evening'): SaleMessage => ({
    id,
    saleId,
    lotId: null,
    text: `message ${id}`,
    sentAt: at,
  });

  it('shows the latest of the sale, each id once', () => {
    const log = new MessageLog();
    expect(log.accept(msg('a', '2026-12-07T18:00:00Z'))).toBe(true);
    expect(log.accept(msg('b', '2026-12-07T18:01:00Z'))).toBe(true);
    expect(log.current(['evening'])?.id).toBe('b');
    // A replay after a reconnect brings both again: nothing changes.
    expect(log.accept(msg('a', '2026-12-07T18:00:00Z'))).toBe(false);
    expect(log.accept(msg('b', '2026-12-07T18:01:00Z'))).toBe(false);
    expect(log.current(['evening'])?.id).toBe('b');
  });

  it('never lets an older message replace a newer one, nor bring back a dismissed one', () => {
    const log = new MessageLog();
    log.accept(msg('b', '2026-12-07T18:01:00Z'));
    expect(log.accept(msg('a', '2026-12-07T18:00:00Z'))).toBe(false);
    log.dismiss('evening');
    expect(log.current(['evening'])).toBeUndefined();
    expect(log.accept(msg('b', '2026-12-07T18:01:00Z'))).toBe(false);
    expect(log.current(['evening'])).toBeUndefined();
    // Ids kept from before a reload are not shown again.
    const reloaded = new MessageLog(log.ids());
    expect(reloaded.accept(msg('b', '2026-12-07T18:01:00Z'))).toBe(false);
  });

  it("shows a page only its sales' messages, the newest first", () => {
    const log = new MessageLog();
    log.accept(msg('x', '2026-12-07T18:05:00Z', 'other'));
    log.accept(msg('y', '2026-12-07T18:02:00Z'));
    expect(log.current(['evening'])?.id).toBe('y');
    expect(log.current(['evening', 'other'])?.id).toBe('x');
    expect(log.current([])).toBeUndefined();
  });
});

describe('stale is shown as stale', () => {
  it('marks everything but a live feed as not live, and bidding waits', () => {
    expect(staleness('live')).toEqual({ stale: false, label: '', buttonText: undefined });
    for (const link of ['connecting', 'reconnecting', 'offline'] as LinkState[]) {
      const s = staleness(link);
      expect(s.stale).toBe(true);
      expect(s.label).toMatch(/^Not live/);
      expect(s.buttonText).toBe('Waiting for connection…');
    }
    expect(staleness('signed_out').buttonText).toBe('Sign in to bid');
  });

  it('takes a refused session as the end of it, not a reason to retry', () => {
    expect(endsSession(401, 'UNAUTHENTICATED')).toBe(true);
    expect(endsSession(401, 'TOKEN_EXPIRED')).toBe(true);
    expect(endsSession(0, 'NETWORK')).toBe(false);
    expect(endsSession(503, 'ENGINE_UNAVAILABLE')).toBe(false);
    expect(endsSession(403, 'NOT_ELIGIBLE')).toBe(false);
  });

  it('sends the bidder back to this page after signing in', () => {
    expect(signInAgainHref({ pathname: '/bid', search: '?sale=evening', hash: '#lot=live-2' })).toBe(
      '/sign-in?next=%2Fbid%3Fsale%3Devening%23lot%3Dlive-2',
    );
  });
});
