import { z } from 'zod';
import { AppError } from '../../../common/errors.ts';
import { humanText } from '../../../common/human-text.ts';
import { parseAmount } from '../../../common/money.ts';
import type { FloorAction } from '../../../bidding/index.ts';
import { readJsonOrEmpty } from '../../middleware/body.ts';
import { idempotencyKey } from '../../middleware/idempotency-key.ts';
import { answer, lotId, metaOf, type FloorApp, type FloorRoutesDeps } from './context.ts';

/* The console's buttons: one POST each, its body checked, its amounts read in the lot's currency. */

const amount = (field: string): z.ZodString =>
  z.string({ error: `${field} is required, as a decimal string like "250.00"` });
const paddle = z
  .string({ error: 'paddle is required, e.g. "112"' })
  .regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,15}$/, 'paddle must be 1–16 letters, digits or dashes, e.g. "112"');
const noBody = z.strictObject({});

const positive = (v: number, field: string): number => {
  if (v === 0) throw new AppError('BAD_AMOUNT', `${field} must be greater than zero`, { details: { field } });
  return v;
};

/** Registers every button but the next lot's on `app`, each decided atomically by the engine. */
export function buttonRoutes(app: FloorApp, deps: FloorRoutesDeps): void {
  const { engine } = deps;

  /** Registers one button: validate the body, parse amounts in the lot's currency, decide, answer. */
  const button = <S extends z.ZodType>(
    path: string,
    schema: S,
    build: (body: z.infer<S>, money: (value: string, field: string) => number) => FloorAction,
  ): void => {
    app.post(path, async (c) => {
      const auctionId = lotId(c);
      const key = idempotencyKey(c, 'action');
      const body = schema.parse(await readJsonOrEmpty(c));
      const meta = await metaOf(engine, auctionId);
      const money = (value: string, field: string): number => parseAmount(value, meta.currency, field);
      const action = build(body, money);
      const r = await engine.floorAction({
        ...action,
        auctionId,
        idempotencyKey: key,
        correlationId: c.get('requestId'),
      });
      return answer(deps, c, r, meta);
    });
  };

  button('/open', z.strictObject({ asking: amount('asking').optional() }), (b, money) => ({
    action: 'open',
    asking: b.asking === undefined ? undefined : positive(money(b.asking, 'asking'), 'asking'),
  }));
  button('/asking', z.strictObject({ amount: amount('amount') }), (b, money) => ({
    action: 'set_asking',
    amount: positive(money(b.amount, 'amount'), 'amount'),
  }));
  // "0" returns the lot to the increment table.
  button('/increment', z.strictObject({ step: amount('step') }), (b, money) => ({
    action: 'set_increment',
    step: money(b.step, 'step'),
  }));
  button('/floor-bid', z.strictObject({ paddle, amount: amount('amount') }), (b, money) => ({
    action: 'floor_bid',
    paddle: b.paddle,
    amount: positive(money(b.amount, 'amount'), 'amount'),
  }));
  button('/overrule', z.strictObject({ paddle }), (b) => ({ action: 'overrule', paddle: b.paddle }));
  button(
    '/reject',
    z.strictObject({
      seq: z.number({ error: 'seq is required: the standingSeq of the bid to reject' }).int().min(1),
    }),
    (b) => ({ action: 'reject_bid', seq: b.seq }),
  );
  button(
    '/hold',
    z.strictObject({
      message: humanText('message', 200, 'what the room and the phones are told'),
    }),
    (b) => ({ action: 'hold', message: b.message }),
  );
  button('/fair-warning', noBody, () => ({ action: 'fair_warning' }));
  button('/resume', noBody, () => ({ action: 'resume' }));
  button('/resume-from-hold', noBody, () => ({ action: 'resume_from_hold' }));
  button('/hammer', noBody, () => ({ action: 'hammer' }));
  button('/pass', noBody, () => ({ action: 'pass' }));
  button('/withdraw', noBody, () => ({ action: 'withdraw' }));
  button('/undo', noBody, () => ({ action: 'undo' }));
}
