import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { AppError, errorBody } from '../../common/errors.ts';
import { mercureLink } from '../../common/mercure.ts';
import { humanText } from '../../common/human-text.ts';
import { formatAmount, MAX_MINOR, parseAmount } from '../../common/money.ts';
import type { Topics } from '../../common/topics.ts';
import {
  paddleOf,
  stateVersionOf,
  type AuctionMeta,
  type BidderMasks,
  type AuctionSnapshot,
  type AuctionStatus,
  type BiddingService,
  type FloorAction,
  type FloorActionName,
  type FloorActionResult,
  type FloorRejectReason,
  type LeaderKind,
} from '../../bidding/index.ts';
import { requireRole, type AuthVariables } from '../auth.ts';
import { parseJson, readBodyText } from '../middleware/body.ts';
import { idempotencyKey } from '../middleware/idempotency-key.ts';

/**
 * The auctioneer's floor console: one POST per button (open, floor bid, fair warning, hammer…),
 * each decided atomically by the engine with the internet bids, and GET for the console's state.
 * Mounted at /v1/auctions/:id/floor; auctioneer or admin only.
 */
export interface FloorRoutesDeps {
  engine: BiddingService;
  topics: Topics;
  /** Public URL of the hub, for the console's subscription. */
  hubUrl: string;
  masks: BidderMasks;
}

type Env = { Variables: AuthVariables & { requestId: string } };

/** A live lot as the floor console shows it: money as decimal strings, the leader with their paddle. */
export interface FloorLot {
  auctionId: string;
  saleId: string;
  currency: string;
  /** The seq of the newest event of the lot this state reflects. */
  seq: number;
  /** Orders states of one seq, as on the public updates (PublicAuctionView.stateVersion). */
  stateVersion: number;
  status: AuctionStatus;
  price: string;
  asking: string;
  /** The increment set for this lot; null when the increment table applies. */
  step: string | null;
  bidCount: number;
  leader: {
    kind: LeaderKind;
    /** What the room and the phones see: `Paddle 112` or `Bidder 3F2A9C`. */
    display: string;
    paddle: string | null;
    /** Internet and absentee bidders (staff only). */
    bidderId: string | null;
  } | null;
  /** Seq of the standing bid: what POST …/floor/reject names. 0 when there is none. */
  standingSeq: number;
  /** The hold message while on hold. */
  message: string | null;
  reserveMet: boolean;
  undoAvailable: boolean;
}

/** What was decided: the action, its seq in the lot's event stream, and what an undo reverted. */
export interface FloorActionInfo {
  name: FloorActionName;
  seq: number;
  previousStatus: AuctionStatus | null;
  undone: { action: FloorActionName; seq: number } | null;
  decidedAt: string;
}

const FLOOR_REJECTION_STATUS: Record<FloorRejectReason, 400 | 404 | 409 | 422> = {
  UNKNOWN_AUCTION: 404,
  NOT_LIVE: 409,
  INVALID_REQUEST: 400,
  NOT_STARTED: 409,
  CLOSED: 409,
  ON_HOLD: 409,
  INVALID_TRANSITION: 409,
  TOO_LOW: 409,
  TOO_HIGH: 409,
  OUTBID: 409,
  ALREADY_LEADING: 409,
  NOTHING_TO_OVERRULE: 409,
  NOTHING_TO_REJECT: 409,
  NOT_LATEST_BID: 409,
  NOTHING_TO_UNDO: 409,
  UNDO_WINDOW_CLOSED: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
};

const amount = (field: string): z.ZodString =>
  z.string({ error: `${field} is required, as a decimal string like "250.00"` });
const paddle = z
  .string({ error: 'paddle is required, e.g. "112"' })
  .regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,15}$/, 'paddle must be 1–16 letters, digits or dashes, e.g. "112"');
const noBody = z.strictObject({});

/** Statuses in which a lot is still being sold: the next lot may not open until it is finished. */
const IN_PROGRESS: readonly AuctionStatus[] = ['open', 'fair_warning', 'on_hold'];

function floorLot(masks: BidderMasks, s: AuctionSnapshot): FloorLot {
  const money = (v: number): string => formatAmount(v, s.currency);
  return {
    auctionId: s.id,
    saleId: s.saleId,
    currency: s.currency,
    seq: s.lastSeq,
    stateVersion: stateVersionOf(s.status),
    status: s.status,
    price: money(s.price),
    asking: money(s.asking),
    step: s.incrementOverride > 0 ? money(s.incrementOverride) : null,
    bidCount: s.bidCount,
    leader: leaderOf(masks, s.saleId, s.leaderId, s.leaderKind),
    standingSeq: s.standingSeq,
    message: s.message ?? null,
    reserveMet: s.reserveMet,
    undoAvailable: s.undoAvailable,
  };
}

function floorLotOfResult(
  masks: BidderMasks,
  r: FloorActionResult,
  status: AuctionStatus,
  meta: AuctionMeta,
): FloorLot {
  const money = (v: number): string => formatAmount(v, meta.currency);
  return {
    auctionId: r.auctionId,
    saleId: meta.saleId,
    currency: meta.currency,
    seq: r.seq,
    stateVersion: stateVersionOf(status),
    status,
    price: money(r.price),
    asking: money(r.asking),
    step: r.step > 0 ? money(r.step) : null,
    bidCount: r.bidCount,
    leader: leaderOf(masks, meta.saleId, r.leaderId, r.leaderKind),
    standingSeq: r.standingSeq,
    message: r.message ?? null,
    reserveMet: r.reserveMet,
    // As the store decides it (floor.ts): an applied action can be undone, except an undo and `superseded`.
    undoAvailable: r.action !== 'undo' && r.action !== 'superseded',
  };
}

function leaderOf(
  masks: BidderMasks,
  saleId: string,
  leaderId: string | undefined,
  kind: LeaderKind | undefined,
): FloorLot['leader'] {
  if (leaderId === undefined) return null;
  const k = kind ?? 'bid';
  const paddleNo = paddleOf(leaderId, k) ?? null;
  return {
    kind: k,
    display: masks.leader(saleId, leaderId, k) ?? '',
    paddle: paddleNo,
    bidderId: paddleNo === null ? leaderId : null,
  };
}

function actionInfo(r: FloorActionResult): FloorActionInfo {
  return {
    name: r.action,
    seq: r.seq,
    previousStatus: r.previousStatus ?? null,
    undone: r.undone ?? null,
    decidedAt: new Date(r.decidedAt).toISOString(),
  };
}

const LABEL: Record<FloorActionName, string> = {
  open: 'open',
  set_asking: 'set the asking price',
  set_increment: 'set the increment',
  floor_bid: 'take a floor bid',
  overrule: 'overrule',
  reject_bid: 'reject the bid',
  fair_warning: 'call fair warning',
  resume: 'resume',
  hold: 'hold',
  resume_from_hold: 'resume from hold',
  hammer: 'hammer',
  pass: 'pass',
  withdraw: 'withdraw',
  undo: 'undo',
  superseded: 'move to the next lot',
};

/** What a refused action means, and what the auctioneer can do about it. */
function refusalMessage(r: FloorActionResult, currency: string): string {
  const m = (v: number): string => `${formatAmount(v, currency)} ${currency}`;
  const status = r.status ?? 'unknown';
  switch (r.reason) {
    case 'NOT_LIVE':
      return 'this is a timed auction: it has no floor, and closes at its end time';
    case 'INVALID_REQUEST':
      return 'the engine refused the request as malformed; check the amount and the paddle';
    case 'NOT_STARTED':
      return 'the lot has not opened yet; open it first (POST …/floor/open)';
    case 'CLOSED':
      return `the lot is already finished (${status}); move on with POST …/floor/next, or undo if it was a mistake`;
    case 'ON_HOLD':
      return 'the lot is on hold; resume it first (POST …/floor/resume-from-hold)';
    case 'INVALID_TRANSITION':
      if (r.action === 'open') return `the lot is already ${status}`;
      if (r.action === 'fair_warning')
        return 'fair warning has already been called; hammer the lot, or resume to take more bids';
      if (r.action === 'resume') return 'the lot is open, not in fair warning: there is nothing to resume';
      if (r.action === 'resume_from_hold') return 'the lot is not on hold';
      return `cannot ${LABEL[r.action]} while the lot is ${status}`;
    case 'TOO_LOW':
      return r.action === 'set_asking'
        ? `the asking price must be above the standing bid of ${m(r.price)}`
        : `the floor bid is below the asking price of ${m(r.asking)}; take it at ${m(r.asking)}, or set a lower asking price first`;
    case 'TOO_HIGH':
      return r.action === 'set_increment'
        ? `with that increment the next asking price would be above ${m(MAX_MINOR)}, the largest amount a bid may have; set a smaller increment`
        : `that is above ${m(MAX_MINOR)}, the largest amount a bid may have`;
    case 'OUTBID':
      return r.priceChanged
        ? `an absentee maximum answered the floor bid: the price is now ${m(r.price)}; call ${m(r.asking)}`
        : `another bid at ${m(r.price)} was decided first; call ${m(r.asking)} and take the floor bid again`;
    case 'ALREADY_LEADING':
      return `that paddle already holds the standing bid at ${m(r.price)}; call ${m(r.asking)} to the room`;
    case 'NOTHING_TO_OVERRULE':
      return r.leaderId === undefined
        ? 'there is no standing bid to overrule'
        : 'only a standing internet bid can be overruled; the standing bid is not one';
    case 'NOTHING_TO_REJECT':
      return 'there is no standing bid to reject';
    case 'NOT_LATEST_BID':
      return `only the standing bid can be rejected: it is seq ${r.standingSeq}; refresh the console and try again`;
    case 'NOTHING_TO_UNDO':
      return 'nothing to undo: the last action was already undone, or a bid has changed the lot since';
    case 'UNDO_WINDOW_CLOSED':
      return 'the next lot has opened, so this lot can no longer be undone; correct it in the back office';
    case 'IDEMPOTENCY_KEY_REUSED':
      return 'this Idempotency-Key was already used for a different action on this lot; use a new key for a new action';
    case 'UNKNOWN_AUCTION':
    case undefined:
      return `no auction "${r.auctionId}"`;
  }
}

/** A JSON body, or none: the buttons without arguments (fair warning, hammer…) may send an empty body. */
async function readBody(c: Context): Promise<unknown> {
  const text = await readBodyText(c);
  if (text.trim() === '') return {};
  const type = c.req.header('content-type') ?? '';
  if (!type.toLowerCase().startsWith('application/json'))
    throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json');
  return parseJson(text);
}

export function floorRoutes(deps: FloorRoutesDeps): Hono<Env> {
  const app = new Hono<Env>();
  const { engine, topics } = deps;
  app.use('*', requireRole('auctioneer', 'admin'));

  const lotId = (c: Context<Env>): string => c.req.param('id') ?? '';
  const metaOf = async (auctionId: string): Promise<AuctionMeta> => {
    const meta = await engine.auctionMeta(auctionId);
    if (meta === undefined) throw new AppError(404, 'UNKNOWN_AUCTION', `no auction "${auctionId}"`);
    return meta;
  };

  /** 200 with the lot's new state, or the refusal with its reason code and the lot as it stands. */
  const answer = async (
    c: Context<Env>,
    r: FloorActionResult,
    meta: AuctionMeta,
    about = '',
  ): Promise<Response> => {
    if (r.replayed) c.header('Idempotent-Replayed', 'true');
    if (r.outcome === 'accepted' && r.status !== undefined)
      return c.json({ action: actionInfo(r), lot: floorLotOfResult(deps.masks, r, r.status, meta) }, 200);
    const reason = r.reason ?? 'UNKNOWN_AUCTION';
    // The lot as it stands now (a refused action changed nothing, unless an absentee answered a floor bid).
    const snap = reason === 'UNKNOWN_AUCTION' ? undefined : (await engine.snapshot(r.auctionId))?.snapshot;
    const details =
      snap === undefined ? undefined : { action: actionInfo(r), lot: floorLot(deps.masks, snap) };
    return c.json(
      errorBody(reason, `${about}${refusalMessage(r, meta.currency)}`, details),
      FLOOR_REJECTION_STATUS[reason],
    );
  };

  /** Registers one button: validate the body, parse amounts in the lot's currency, decide, answer. */
  const button = <S extends z.ZodType>(
    path: string,
    schema: S,
    build: (body: z.infer<S>, money: (value: string, field: string) => number) => FloorAction,
  ): void => {
    app.post(path, async (c) => {
      const auctionId = lotId(c);
      const key = idempotencyKey(c, 'action');
      const body = schema.parse(await readBody(c));
      const meta = await metaOf(auctionId);
      const money = (value: string, field: string): number => parseAmount(value, meta.currency, field);
      const action = build(body, money);
      const r = await engine.floorAction({
        ...action,
        auctionId,
        idempotencyKey: key,
        correlationId: c.get('requestId'),
      });
      return answer(c, r, meta);
    });
  };

  const positive = (v: number, field: string): number => {
    if (v === 0)
      throw new AppError(400, 'BAD_AMOUNT', `${field} must be greater than zero`, { details: { field } });
    return v;
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

  /**
   * The next lot: `superseded` to this lot (closes its undo window), then `open` to the next —
   * two store calls, not atomic across the two lots. That is acceptable because one auctioneer
   * drives one sale, from one console that waits for this answer: nobody else acts on either lot
   * in between. Both calls carry the request's Idempotency-Key (keys are per lot), so a retry
   * replays whichever already happened and completes the other. This lot is superseded first, so
   * a key already used on it refuses the request before anything changes; if the next lot then
   * refuses to open (not scheduled any more), this lot's undo window has closed anyway — the
   * auctioneer was moving on.
   */
  app.post('/next', async (c) => {
    const auctionId = lotId(c);
    const key = idempotencyKey(c, 'action');
    const body = z
      .strictObject({ nextAuctionId: z.string({ error: 'nextAuctionId is required' }).min(1).max(200) })
      .parse(await readBody(c));
    const nextId = body.nextAuctionId;
    if (nextId === auctionId)
      throw new AppError(400, 'SAME_LOT', 'nextAuctionId names this lot; give the lot that follows it');
    const meta = await metaOf(auctionId);
    const nextMeta = await metaOf(nextId);
    if (meta.mode !== 'live' || nextMeta.mode !== 'live')
      throw new AppError(409, 'NOT_LIVE', 'both lots must be live lots: a timed auction has no floor');
    if (nextMeta.saleId !== meta.saleId)
      throw new AppError(
        409,
        'DIFFERENT_SALE',
        `lot "${nextId}" is in sale "${nextMeta.saleId}", not in this lot's sale "${meta.saleId}"`,
      );
    const current = (await engine.snapshot(auctionId))?.snapshot;
    if (current !== undefined && IN_PROGRESS.includes(current.status))
      throw new AppError(
        409,
        'LOT_IN_PROGRESS',
        `this lot is still ${current.status}; hammer, pass or withdraw it before opening the next`,
        { details: { lot: floorLot(deps.masks, current) } },
      );
    const correlationId = c.get('requestId');
    const prev = await engine.floorAction({
      action: 'superseded',
      auctionId,
      idempotencyKey: key,
      correlationId,
    });
    if (prev.outcome !== 'accepted' || prev.status === undefined) return answer(c, prev, meta);
    const opened = await engine.floorAction({
      action: 'open',
      auctionId: nextId,
      idempotencyKey: key,
      correlationId,
    });
    if (opened.outcome !== 'accepted' || opened.status === undefined)
      return answer(c, opened, nextMeta, `the next lot "${nextId}" did not open: `);
    if (opened.replayed) c.header('Idempotent-Replayed', 'true');
    return c.json(
      {
        action: actionInfo(opened),
        lot: floorLotOfResult(deps.masks, opened, opened.status, nextMeta),
        previous: { action: actionInfo(prev), lot: floorLotOfResult(deps.masks, prev, prev.status, meta) },
      },
      200,
    );
  });

  app.get('/', async (c) => {
    const auctionId = lotId(c);
    const s = (await engine.snapshot(auctionId))?.snapshot;
    if (s === undefined) throw new AppError(404, 'UNKNOWN_AUCTION', `no auction "${auctionId}"`);
    if (s.mode !== 'live')
      throw new AppError(
        409,
        'NOT_LIVE',
        'this is a timed auction: it has no floor, and closes at its end time',
      );
    const lastEventId = s.publishedEventId ?? 'earliest';
    // The console subscribes from exactly this state (updates with seq ≤ lot.seq are already in it).
    c.header('Link', mercureLink(deps.hubUrl, lastEventId));
    c.header('Cache-Control', 'no-store');
    return c.json({
      lot: floorLot(deps.masks, s),
      hub: { url: deps.hubUrl, topics: [topics.auction(s.id), topics.sale(s.saleId)], lastEventId },
    });
  });

  return app;
}
