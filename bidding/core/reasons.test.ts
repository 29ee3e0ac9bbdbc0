import { BID_REJECT_REASONS } from '../../common/contracts/bids.ts';
import { FLOOR_REJECT_REASONS } from '../../common/contracts/floor.ts';
import { describe, expect, it } from 'vitest';
import { isErrorCode } from '../../common/error-codes.ts';
import { parseReason, UnknownReasonError } from './reasons.ts';
import { RESTATE_REJECT_REASONS } from './types.ts';

describe('refusal reasons read back from Lua', () => {
  it('are the known codes, and none for an empty or absent field', () => {
    expect(parseReason(BID_REJECT_REASONS, 'bid', 'OUTBID')).toBe('OUTBID');
    expect(parseReason(FLOOR_REJECT_REASONS, 'floor action', 'UNDO_WINDOW_CLOSED')).toBe(
      'UNDO_WINDOW_CLOSED',
    );
    expect(parseReason(RESTATE_REJECT_REASONS, 'restate', 'NOT_TIMED')).toBe('NOT_TIMED');
    expect(parseReason(BID_REJECT_REASONS, 'bid', '')).toBeUndefined();
    expect(parseReason(BID_REJECT_REASONS, 'bid', undefined)).toBeUndefined();
  });

  it('throw, naming the reason, when the code does not know it', () => {
    expect(() => parseReason(BID_REJECT_REASONS, 'bid', 'NOT_LIVE')).toThrow(UnknownReasonError);
    expect(() => parseReason(BID_REJECT_REASONS, 'bid', 'SOMETHING_NEW')).toThrow(
      /unknown bid refusal reason "SOMETHING_NEW"/,
    );
    expect(() => parseReason(RESTATE_REJECT_REASONS, 'restate', 'outbid')).toThrow(UnknownReasonError);
  });

  it('are catalogue codes, so each has an HTTP status; a catalogued code of another kind is named so', () => {
    for (const reason of [...BID_REJECT_REASONS, ...FLOOR_REJECT_REASONS, ...RESTATE_REJECT_REASONS])
      expect(isErrorCode(reason), reason).toBe(true);
    expect(() => parseReason(BID_REJECT_REASONS, 'bid', 'NOT_LIVE')).toThrow(
      /"NOT_LIVE", an error code but not a bid refusal/,
    );
    expect(() => parseReason(BID_REJECT_REASONS, 'bid', 'SOMETHING_NEW')).not.toThrow(/an error code/);
  });
});
