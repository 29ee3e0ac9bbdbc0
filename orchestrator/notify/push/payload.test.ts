import { describe, expect, it } from 'vitest';
import { pushMessageSchema } from '../../../common/contracts/push.ts';
import type { Notification } from '../outbox.ts';
import { lotUrl, pushMessageFor } from './payload.ts';

const at = Date.parse('2026-12-07T18:00:00Z');
const event = (type: string, payload: Record<string, unknown>): Notification => ({
  id: 1,
  topic: 'https://gavel.local/bidders/b1',
  type,
  payload,
  createdAt: at,
  attempts: 0,
  correlationId: undefined,
});
const lot = { lotId: 'lot-1', saleId: 'sale 1', lotNumber: 12, title: 'Silver Jug', bidderId: 'b1' };

describe('what a browser is pushed', () => {
  it('outbid: the lot, the new public price, the way back to the lot', () => {
    const m = pushMessageFor(event('lot.outbid', { ...lot, currency: 'EUR', price: '1200.00', seq: 9 }))!;
    expect(m).toEqual({
      kind: 'outbid',
      title: 'You have been outbid on lot 12',
      body: 'Lot 12: Silver Jug. The price is now EUR 1,200.00. Bid again before it closes.',
      url: '/bid?sale=sale%201#lot=lot-1',
      tag: 'outbid:lot-1',
      lotId: 'lot-1',
      saleId: 'sale 1',
      at: '2026-12-07T18:00:00.000Z',
    });
    expect(pushMessageSchema.safeParse(m).success).toBe(true);
  });

  it('closing soon, coming up and won', () => {
    expect(
      pushMessageFor(event('lot.closing_soon', { ...lot, endsAt: '2026-12-07T18:05:00Z' })),
    ).toMatchObject({
      kind: 'closing_soon',
      title: 'Lot 12 closes soon',
      body: 'Lot 12: Silver Jug closes at 18:05 UTC; a late bid extends it.',
    });
    expect(pushMessageFor(event('lot.coming_up', lot))).toMatchObject({
      kind: 'coming_up',
      title: 'Lot 12 is coming up',
    });
    const won = pushMessageFor(
      event('lot.won', {
        ...lot,
        currency: 'JPY',
        hammer: '150000',
        premium: '37500',
        tax: '0',
        total: '187500',
      }),
    )!;
    expect(won).toMatchObject({ kind: 'won', title: 'You won lot 12', tag: 'won:lot-1' });
    expect(won.body).toBe('Lot 12: Silver Jug, hammer JPY 150,000. The invoice is in your account.');
    // The invoice stays in the account: only the public hammer travels through the push service.
    expect(won.body).not.toContain('187,500');
  });

  it('pushes nothing for other events, the sale-wide copy, or a payload without its lot', () => {
    expect(pushMessageFor(event('lot.lost', { ...lot, outcome: 'sold', hammer: '10.00' }))).toBeUndefined();
    expect(pushMessageFor(event('lot.extended', lot))).toBeUndefined();
    const { bidderId: _, ...saleWide } = lot;
    expect(pushMessageFor(event('lot.closing_soon', saleWide))).toBeUndefined();
    expect(pushMessageFor(event('lot.won', { bidderId: 'b1' }))).toBeUndefined();
  });

  it('never carries a maximum or anything else it was not built from', () => {
    const m = pushMessageFor(
      event('lot.outbid', { ...lot, currency: 'EUR', price: '1200.00', max: '9999.00', leader: 'b2' }),
    )!;
    expect(JSON.stringify(m)).not.toMatch(/9999|9,999|b2/);
    expect(Object.keys(m).sort()).toEqual(['at', 'body', 'kind', 'lotId', 'saleId', 'tag', 'title', 'url']);
  });

  it('a bad amount is left out rather than shown wrong', () => {
    expect(pushMessageFor(event('lot.outbid', { ...lot, currency: 'EUR', price: '12.345' }))!.body).toBe(
      'Lot 12: Silver Jug. Bid again before it closes.',
    );
    expect(lotUrl('s/1', 'l#2')).toBe('/bid?sale=s%2F1#lot=l%232');
  });
});
