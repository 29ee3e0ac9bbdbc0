import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { timedSetup } from '../test/support/bidding.ts';
import { startTestGavel } from '../test/support/gavel.ts';
import type { RunningGateway } from '../gateway/index.ts';
import { hiddenCharacter } from './human-text.ts';

const REFUSED: [string, string, string][] = [
  ['a right-to-left override', 'Lot withdrawn \u202E00.001 RUE', 'U+202E'],
  ['a left-to-right isolate', 'Back \u2066soon\u2069', 'U+2066'],
  ['a right-to-left mark', 'Back soon\u200F', 'U+200F'],
  ['a zero-width space', 'Back\u200Bsoon', 'U+200B'],
  ['a zero-width joiner', 'Back\u200Dsoon', 'U+200D'],
  ['a word joiner', 'Back\u2060soon', 'U+2060'],
  ['a byte-order mark', '\uFEFFBack soon', 'U+FEFF'],
  ['a soft hyphen', 'Back\u00ADsoon', 'U+00AD'],
  ['a tag character', 'Back soon\u{E0041}', 'U+E0041'],
  ['a Hangul filler', 'Back\u3164soon', 'U+3164'],
  ['a bell', 'Back soon\u0007', 'U+0007'],
  ['a C1 control', 'Back\u0085soon', 'U+0085'],
  ['a tab', 'Back\tsoon', 'U+0009'],
  ['a line break', 'Back\nsoon', 'U+000A'],
  ['a line separator', 'Back\u2028soon', 'U+2028'],
  ['a lone surrogate', 'Back \uD800soon', 'U+D800'],
  ['a private-use character', 'Back \uE000soon', 'U+E000'],
];

describe('hiddenCharacter', () => {
  it.each(REFUSED)('finds %s', (_what, text, code) => {
    expect(hiddenCharacter(text)).toBe(code);
  });
  it.each([
    'Short break, back at 14:00',
    'Pause — reprise à 14 h, Lot 12 “Vase”',
    'Перерыв до 14:00',
    'استراحة قصيرة',
    '休憩 14:00 まで',
    'Back soon 🙂 (₤ € ¥)',
    'a\u00A0b',
  ])('lets plain text through: %s', (text) => {
    expect(hiddenCharacter(text)).toBeUndefined();
  });
});

describe('hold messages on the floor (embedded gateway, real HTTP)', () => {
  let g: RunningGateway;
  let clerk: string;
  beforeAll(async () => {
    g = await startTestGavel();
    clerk = await g.tokens.sign({ id: 'clerk', role: 'auctioneer', name: 'Clerk' });
  }, 60_000);
  afterAll(() => g.close());

  const hold = async (id: string, message: string): Promise<{ status: number; body: unknown }> => {
    const res = await fetch(`${g.url}/v1/auctions/${id}/floor/hold`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${clerk}`,
        'Content-Type': 'application/json',
        'Idempotency-Key': randomUUID(),
      },
      body: JSON.stringify({ message }),
    });
    return { status: res.status, body: await res.json() };
  };

  it('refuses every hidden character with a 400 naming the field, and decides nothing', async () => {
    const id = `hold-${randomUUID().slice(0, 8)}`;
    await g.store!.configure(timedSetup(id, Date.now(), { mode: 'live', status: 'scheduled' }));
    for (const [what, text, code] of REFUSED) {
      const res = await hold(id, text);
      expect(res.status, what).toBe(400);
      expect(res.body, what).toMatchObject({
        error: { code: 'VALIDATION_FAILED', details: { issues: [{ path: 'message' }] } },
      });
      expect((res.body as { error: { message: string } }).error.message).toContain(code);
    }
    expect(await g.engine.decisions(id)).toEqual([]);
    const ok = await hold(id, '  Pause — reprise à 14 h 🙂 ');
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ lot: { status: 'on_hold', message: 'Pause — reprise à 14 h 🙂' } });
  }, 30_000);
});
