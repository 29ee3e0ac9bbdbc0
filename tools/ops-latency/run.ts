/**
 * One latency check against a running deployment, through its public origin only: live subscribers
 * on the lot's topic (hub cookie from POST /v1/hub-token, as the pages do), bids at the offered rate
 * with autocannon (a fresh Idempotency-Key each, amounts rising from the asking price, the bidders in
 * turn), then bid answer times and bid→screen times (a bid's send → the first state at or past its
 * seq on each subscriber).
 */
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import type { SnapshotResponse } from '../../common/contracts/snapshot.ts';
import type { OpsLatencyOptions } from './flags.ts';
import { DEFAULT_PER_BIDDER_RATE } from './flags.ts';
import { preciseNow, screenDelays, summarise, TimedSubscriber } from './screen-timer.ts';
import { bidderOf, cancelThrowawaySale, createThrowawaySale, type ThrowawaySale } from './throwaway-sale.ts';

export interface OpsLatencyReport {
  check: 'ops-latency';
  url: string;
  lot: string;
  /** The throw-away sale, when the check made one: its id and its status after (cancelled). */
  throwawaySale: { id: string; status: string; createdBidders: string[] } | null;
  seconds: number;
  offeredRate: number;
  connections: number;
  bidders: number;
  subscribers: number;
  bids: {
    sent: number;
    answered: number;
    accepted: number;
    /** The engine's or the gateway's refusals by code (OUTBID, TOO_LOW, RATE_LIMITED…): not errors. */
    refused: Record<string, number>;
    /** 5xx answers, unreadable answers, refused tokens, timeouts and connection errors, by kind. */
    errors: Record<string, number>;
  };
  /** Sent → answered, every answered bid. */
  bidMs: { p50: number; p99: number; max: number };
  /** Sent → first state at or past the bid on a subscriber, for each accepted bid that moved the price and each subscriber. */
  bidToScreenMs: { samples: number; p50: number; p99: number; max: number; missing: number };
  budgetMs: number;
  verdict: 'ok' | 'over budget' | 'errors' | 'nothing measured';
  /** Why, when the verdict is not ok. */
  reasons: string[];
}

interface BidAnswer {
  bid?: { seq: number; outcome: string; kind: string | null; price: string; asking: string };
  error?: {
    code: string;
    message?: string;
    details?: { bid?: { seq: number; price: string; asking: string } };
  };
}

const toMinor = (decimal: string): number => Math.round(Number(decimal) * 100);
const decimal = (minor: number): string => (minor / 100).toFixed(2);

/** JSON from a request that must succeed, or an Error naming the answer. */
async function getJson<T>(
  url: string,
  init: RequestInit = {},
): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
  const text = await res.text();
  let body: T;
  try {
    body = JSON.parse(text) as T;
  } catch {
    throw new Error(`${init.method ?? 'GET'} ${url} → ${res.status}, not JSON: ${text.slice(0, 200)}`);
  }
  return { status: res.status, body, headers: res.headers };
}

async function snapshot(url: string, lot: string): Promise<SnapshotResponse> {
  const { status, body } = await getJson<SnapshotResponse & BidAnswer>(
    `${url}/v1/auctions/${encodeURIComponent(lot)}`,
  );
  if (status !== 200)
    throw new Error(`lot ${lot}: GET /v1/auctions/${lot} → ${status} ${body.error?.code ?? ''}`.trim());
  return body;
}

/** Waits (polling the public snapshot) until the lot is open: the back office's clock opens a new sale. */
async function waitOpen(url: string, lot: string, timeoutMs: number): Promise<SnapshotResponse> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const snap = await snapshot(url, lot).catch(() => undefined);
    if (snap?.auction.status === 'open') return snap;
    if (Date.now() > deadline)
      throw new Error(
        `lot ${lot} did not open within ${timeoutMs / 1000} s (status ${snap?.auction.status ?? 'unknown'})`,
      );
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A subscriber on the lot's topics, authorised as the pages are: the hub cookie, or the token in the URL for a hub on another origin. */
async function subscribe(
  opts: OpsLatencyOptions,
  snap: SnapshotResponse,
  token: string,
): Promise<TimedSubscriber> {
  const { status, body, headers } = await getJson<{ token?: string; error?: { code: string } }>(
    `${opts.url}/v1/hub-token`,
    {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
    },
  );
  if (status !== 200 || body.token === undefined)
    throw new Error(
      `POST /v1/hub-token → ${status} ${body.error?.code ?? ''}: the gateway refused the token`,
    );
  const cookie = headers
    .getSetCookie()
    .find((c) => c.startsWith('mercureAuthorization='))
    ?.split(';')[0];
  const hub = new URL(snap.hub.url, opts.url);
  for (const t of snap.hub.topics) hub.searchParams.append('topic', t);
  if (cookie === undefined) hub.searchParams.set('authorization', body.token);
  return TimedSubscriber.open(hub.toString(), cookie === undefined ? {} : { Cookie: cookie });
}

export async function runOpsLatency(
  opts: OpsLatencyOptions,
  log: (line: string) => void,
): Promise<OpsLatencyReport> {
  let sale: ThrowawaySale | undefined;
  let saleStatus = '';
  const subscribers: TimedSubscriber[] = [];
  try {
    if (opts.admin !== undefined) {
      log(`creating a throw-away sale through ${opts.admin.url}/admin/v1`);
      sale = await createThrowawaySale(opts.admin.url, opts.admin.token, opts.tokens.map(bidderOf));
      log(`sale ${sale.saleId}, lot ${sale.lotId}: waiting for it to open`);
    }
    const lot = sale?.lotId ?? opts.lot!;
    const snap = sale === undefined ? await snapshot(opts.url, lot) : await waitOpen(opts.url, lot, 60_000);
    if (snap.auction.status !== 'open' || snap.auction.mode !== 'timed')
      throw new Error(
        `lot ${lot} is a ${snap.auction.mode} lot, ${snap.auction.status}: name an open timed lot`,
      );
    if (opts.tokens.length === 1)
      log(
        'one bidder token: after its first bid each bid only raises its own maximum; pass two for bids that move the price',
      );
    if (opts.rate > DEFAULT_PER_BIDDER_RATE * opts.tokens.length)
      log(
        `--rate ${opts.rate} is over ${DEFAULT_PER_BIDDER_RATE} bids/s a bidder (the gateways' default limit): expect RATE_LIMITED refusals`,
      );

    log(`opening ${opts.subscribers} subscriber(s) on ${snap.hub.url}`);
    for (let i = 0; i < opts.subscribers; i++)
      subscribers.push(await subscribe(opts, snap, opts.tokens[i % opts.tokens.length]!));

    // One bid first (not counted): the asking price and the step (asking − price) as they stand.
    let asking = toMinor(snap.auction.asking);
    let step = 100;
    const first = await placeOne(opts, lot, opts.tokens[0]!, asking);
    const heard = first.body.bid ?? first.body.error?.details?.bid;
    if (heard === undefined)
      throw new Error(
        `the first bid got ${first.status} ${first.body.error?.code ?? ''}: ${first.body.error?.message ?? 'no decision'}`,
      );
    asking = toMinor(heard.asking);
    step = Math.max(1, asking - toMinor(heard.price));
    let amount = asking - step;

    log(
      `bidding ${opts.seconds} s at ${opts.rate} bids/s on ${lot} (${opts.tokens.length} bidder(s), ${opts.connections} connection(s))`,
    );
    let n = 0;
    const sentAt = new Map<string, number>();
    const bidMs: number[] = [];
    /** seq → send time, for each accepted bid that moved the price (a public state at its seq). */
    const moved = new Map<number, number>();
    let lastSeq = -1;
    const refused: Record<string, number> = {};
    const errors: Record<string, number> = {};
    const count = (m: Record<string, number>, k: string): void => void (m[k] = (m[k] ?? 0) + 1);
    let accepted = 0;
    let answered = 0;
    const result = await autocannon({
      url: opts.url,
      connections: opts.connections,
      overallRate: opts.rate,
      duration: opts.seconds,
      timeout: Math.ceil(opts.timeoutMs / 1000),
      requests: [
        {
          method: 'POST',
          path: `/v1/auctions/${encodeURIComponent(lot)}/bids`,
          setupRequest: (req, ctx: object) => {
            const context = ctx as { key?: string };
            // Rising: at the asking price heard, and above the last amount sent.
            amount = Math.max(asking, amount + step);
            const key = `ops-latency-${randomUUID()}`;
            context.key = key;
            sentAt.set(key, preciseNow());
            return {
              ...req,
              headers: {
                'content-type': 'application/json',
                authorization: `Bearer ${opts.tokens[n++ % opts.tokens.length]!}`,
                'idempotency-key': key,
              },
              body: JSON.stringify({ amount: decimal(amount) }),
            };
          },
          onResponse: (status, body, ctx: object) => {
            const at = preciseNow();
            const key = (ctx as { key?: string }).key ?? '';
            const sent = sentAt.get(key) ?? NaN;
            sentAt.delete(key);
            answered++;
            if (Number.isFinite(sent)) bidMs.push(at - sent);
            let parsed: BidAnswer;
            try {
              parsed = JSON.parse(body) as BidAnswer;
            } catch {
              count(errors, `HTTP ${status} (not JSON)`);
              return;
            }
            const news = parsed.bid?.asking ?? parsed.error?.details?.bid?.asking;
            if (news !== undefined) asking = Math.max(asking, toMinor(news));
            if (status === 201 && parsed.bid !== undefined) {
              accepted++;
              lastSeq = Math.max(lastSeq, parsed.bid.seq);
              if (parsed.bid.kind === 'bid') moved.set(parsed.bid.seq, sent);
            } else if (status >= 500 || status === 401 || status === 403) {
              count(errors, `HTTP ${status} ${parsed.error?.code ?? ''}`.trim());
            } else count(refused, parsed.error?.code ?? `HTTP ${status}`);
          },
        },
      ],
    });
    if (result.timeouts > 0) errors.timeout = result.timeouts;
    if (result.errors - result.timeouts > 0) errors.connection = result.errors - result.timeouts;

    // Every subscriber has the newest accepted state (or 10 s passed): nothing more is on its way.
    if (lastSeq >= 0) await Promise.all(subscribers.map((s) => s.seen(lastSeq, 10_000)));
    const arrivals = await Promise.all(subscribers.splice(0).map((s) => s.stop()));
    const delays: number[] = [];
    let missing = 0;
    for (const list of arrivals) {
      const states = list.filter((a) => a.event === 'auction' && a.auctionId === lot);
      const r = screenDelays(moved, states);
      delays.push(...r.delays);
      missing += r.missing;
    }
    if (sale !== undefined && opts.admin !== undefined) {
      saleStatus = await cancelThrowawaySale(opts.admin.url, opts.admin.token, sale.saleId);
      log(`sale ${sale.saleId} cancelled`);
    }
    const screen = summarise(delays);
    const errorCount = Object.values(errors).reduce((s, v) => s + v, 0);
    const reasons: string[] = [];
    if (errorCount > 0) reasons.push(`${errorCount} bid(s) failed: ${JSON.stringify(errors)}`);
    if (missing > 0) reasons.push(`${missing} accepted bid(s) never reached a screen`);
    if (delays.length === 0) reasons.push('no accepted bid moved the price: nothing to time');
    else if (screen.p99 > opts.budgetMs)
      reasons.push(`bid→screen p99 ${screen.p99} ms is over the budget of ${opts.budgetMs} ms`);
    const verdict: OpsLatencyReport['verdict'] =
      errorCount > 0 || missing > 0
        ? 'errors'
        : delays.length === 0
          ? 'nothing measured'
          : screen.p99 > opts.budgetMs
            ? 'over budget'
            : 'ok';
    return {
      check: 'ops-latency',
      url: opts.url,
      lot,
      throwawaySale:
        sale === undefined
          ? null
          : { id: sale.saleId, status: saleStatus, createdBidders: sale.createdBidders },
      seconds: opts.seconds,
      offeredRate: opts.rate,
      connections: opts.connections,
      bidders: opts.tokens.length,
      subscribers: opts.subscribers,
      bids: { sent: result.requests.sent, answered, accepted, refused, errors },
      bidMs: summarise(bidMs),
      bidToScreenMs: { samples: delays.length, ...screen, missing },
      budgetMs: opts.budgetMs,
      verdict,
      reasons,
    };
  } finally {
    await Promise.all(subscribers.map((s) => s.stop().catch(() => [])));
    if (sale !== undefined && saleStatus === '' && opts.admin !== undefined) {
      // The run failed midway: the sale is cancelled all the same.
      await cancelThrowawaySale(opts.admin.url, opts.admin.token, sale.saleId).then(
        () => log(`sale ${sale!.saleId} cancelled`),
        (err: unknown) =>
          log(`could not cancel sale ${sale!.saleId}: ${err instanceof Error ? err.message : String(err)}`),
      );
    }
  }
}

async function placeOne(
  opts: OpsLatencyOptions,
  lot: string,
  token: string,
  amount: number,
): Promise<{ status: number; body: BidAnswer }> {
  const { status, body } = await getJson<BidAnswer>(
    `${opts.url}/v1/auctions/${encodeURIComponent(lot)}/bids`,
    {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/json',
        'Idempotency-Key': `ops-latency-${randomUUID()}`,
      },
      body: JSON.stringify({ amount: decimal(amount) }),
    },
  );
  return { status, body };
}
