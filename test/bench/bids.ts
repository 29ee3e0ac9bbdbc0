/**
 * Bid benchmark: `npm run bench:bids [-- flags]`.
 *
 * Starts the deployed topology as child processes — a Mercure hub on the Redis transport and a
 * gateway in distributed mode (engine state in Redis, one Lua decision per bid, HTTP publish to
 * the hub) — seeds one hot timed auction with N eligible bidders, and drives bids through the
 * gateway over HTTP with autocannon. Each bid carries a fresh Idempotency-Key and a rising amount
 * from a rotating bidder (every accepted bid outbids the previous leader: one public state and one
 * private outbid notice to publish per bid, the most publishing work). Two real SSE subscribers,
 * each on its own worker thread so autocannon's work does not delay their receipt timestamps:
 * one on the auction's public topic, one (with a subscriber JWT) on the private topics of the
 * first 20 bidders.
 *
 * A warm-up (--warmup, 2 s) drives the same load first and is not counted: JIT, keep-alive
 * connections, and the gateway's verified-token cache (every bidder has bid once) are then in the
 * state a hot auction runs in, not its first seconds.
 *
 * Prints ONE JSON line on stdout: decisions/s; gateway latency p50/p99; bid→push and decision→push
 * p50/p99 (send time of the bid, or its decision time from the 201, to the first public update the
 * subscriber receives at or past its seq — states are coalesced under load); outbid notice latency
 * for the sampled bidders (decision of the outbidding bid → the bidder's first notice at or past
 * it); hub publishes per decision; and the CPU each process used while bids were driven (from
 * /proc and Redis INFO), as cores and as µs per decision — the load generator's own share is
 * `bench`, and `system` is everything else. On a shared 2-core machine bids/s moves with whatever
 * else runs; CPU per decision is the steadier figure.
 *
 * Flags: --seconds S (10)  --warmup S (2)  --connections C (64)  --bidders B (2000)
 *        --rate R (bids/s offered; default: as fast as answered)  --scenario rising|contested
 *        --topology split (default: gateway → bidding process → hub) | combined (engine inside the gateway)
 *        --publish stream (default: the engine appends to the hubs' Redis stream) | http (a Mercure
 *          publish request per update, with a publisher JWT)
 * Env: BENCH_<HUB|GATEWAY|BIDDING>_NODE_ARGS adds Node flags to one child (e.g. --cpu-prof);
 *      BENCH_HUB_TRANSPORT=memory runs the hub on its memory transport.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { SignJWT } from 'jose';
import { RedisBiddingStore } from '../../bidding/index.ts';
import { UserTokens } from '../../common/auth.ts';
import {
  percentile,
  preciseNow as now,
  screenDelays,
  TimedSubscriber,
  type Arrival,
} from '../../tools/ops-latency/screen-timer.ts';
import { freePort } from '../support/net.ts';
import { deleteByPrefix, seedHotAuction } from './hot-auction.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const log = (m: string): void => void process.stderr.write(`[bench:bids] ${m}\n`);

const { values: flags } = parseArgs({
  options: {
    seconds: { type: 'string', default: process.env.BENCH_SECONDS ?? '10' },
    warmup: { type: 'string', default: process.env.BENCH_WARMUP ?? '2' },
    connections: { type: 'string', default: process.env.BENCH_CONNECTIONS ?? '64' },
    bidders: { type: 'string', default: process.env.BENCH_BIDDERS ?? '2000' },
    topology: { type: 'string', default: process.env.BENCH_TOPOLOGY ?? 'split' },
    scenario: { type: 'string', default: process.env.BENCH_SCENARIO ?? 'rising' },
    rate: { type: 'string', default: process.env.BENCH_RATE ?? '0' },
    publish: { type: 'string', default: process.env.BENCH_PUBLISH ?? 'stream' },
  },
});
const SECONDS = Number(flags.seconds);
/** Seconds of the same load driven before the measured window, and not counted. */
const WARMUP = Number(flags.warmup);
/** Bids per second offered in total (0 = as fast as the gateway answers): latency below saturation. */
const RATE = Number(flags.rate);
const CONNECTIONS = Number(flags.connections);
const BIDDERS = Number(flags.bidders);
/** Bidders b0… whose private topics a subscriber follows, to time outbid notices. */
const NOTICE_SAMPLE = 20;
if (flags.topology !== 'split' && flags.topology !== 'combined')
  throw new Error(
    '--topology is split (gateway → bidding process → hub) or combined (engine inside the gateway)',
  );
const TOPOLOGY = flags.topology;
if (flags.publish !== 'stream' && flags.publish !== 'http')
  throw new Error("--publish is stream (into the hubs' Redis stream) or http (Mercure publish requests)");
const PUBLISH = flags.publish;
// rising: every bid a little above the last one sent (nearly all accepted: the most publishing work).
// contested: every bidder bids the asking price it last heard of (many equal bids race: one wins, the rest are OUTBID).
if (flags.scenario !== 'rising' && flags.scenario !== 'contested')
  throw new Error('--scenario is rising or contested');
const SCENARIO = flags.scenario;

const children: ChildProcess[] = [];
const childNames = new Map<ChildProcess, string>();
function start(name: string, script: string, env: Record<string, string>): ChildProcess {
  // BENCH_<NAME>_NODE_ARGS adds Node flags to one child, e.g. BENCH_GATEWAY_NODE_ARGS=--cpu-prof.
  const extra = (process.env[`BENCH_${name.toUpperCase()}_NODE_ARGS`] ?? '')
    .split(' ')
    .filter((a) => a !== '');
  const child = spawn(process.execPath, [...extra, '--import', 'tsx', script], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.on('data', (d: Buffer) => process.stderr.write(`[${name}] ${d.toString()}`));
  children.push(child);
  childNames.set(child, name);
  return child;
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); NaN elsewhere. */
function cpuSecondsOf(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th, in ticks of 1/100 s.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** Redis's own CPU seconds (INFO cpu): the server is shared, so this includes anything else using it. */
async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string): number => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1]);
  return field('used_cpu_user') + field('used_cpu_sys');
}

/** Updates the hub took from its transport (its Prometheus counter, on its metrics listener): published over HTTP or appended to its stream. */
async function hubPublished(metricsOrigin: string): Promise<number> {
  const text = await (await fetch(`${metricsOrigin}/metrics`)).text();
  return Number(/^mercure_updates_dispatched_total (\d+)/m.exec(text)?.[1] ?? NaN);
}

/** CPU seconds per process: each child, this process (load generator + subscriber thread) and Redis. */
async function cpuSnapshot(redis: Redis): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const c of children) out[childNames.get(c)!] = cpuSecondsOf(c.pid);
  const own = process.cpuUsage();
  out.bench = (own.user + own.system) / 1e6;
  out.redis = await redisCpuSeconds(redis);
  return out;
}

async function waitHealthy(url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not become healthy within 30 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function main(): Promise<void> {
  const prefix = `bench:${randomUUID().slice(0, 8)}`;
  const redis = new Redis('redis://127.0.0.1:6379');
  const publisherKey = randomBytes(32).toString('hex');
  const userKey = randomBytes(32).toString('hex');
  const gwPort = await freePort();
  const hubPort = await freePort();
  const hubMetricsPort = await freePort();
  const hubStream = `redis://127.0.0.1:6379?prefix=${encodeURIComponent(`${prefix}:{hub}`)}`;
  if (PUBLISH === 'stream' && process.env.BENCH_HUB_TRANSPORT === 'memory')
    throw new Error('--publish stream needs the Redis transport (unset BENCH_HUB_TRANSPORT)');
  const publishTo = PUBLISH === 'stream' ? hubStream : undefined;
  start('hub', 'hub/main.ts', {
    PORT: String(hubPort),
    HOST: '127.0.0.1',
    MERCURE_METRICS_PORT: String(hubMetricsPort),
    MERCURE_TRANSPORT_URL: process.env.BENCH_HUB_TRANSPORT === 'memory' ? 'memory://' : hubStream,
    MERCURE_PUBLISHER_JWT_KEY: publisherKey,
    MERCURE_ANONYMOUS: '1',
  });
  const hubUrl = `http://127.0.0.1:${hubPort}/.well-known/mercure`;
  await waitHealthy(`http://127.0.0.1:${hubPort}/healthz`);
  const common = {
    REDIS_URL: 'redis://127.0.0.1:6379',
    REDIS_PREFIX: prefix,
    MERCURE_PUBLISHER_JWT_KEY: publisherKey,
    GAVEL_MASK_KEY: randomBytes(32).toString('hex'),
  };
  const gatewayEnv: Record<string, string> = {
    ...common,
    GAVEL_MODE: 'distributed',
    PORT: String(gwPort),
    HUB_URL: hubUrl,
    ...(publishTo === undefined ? {} : { HUB_PUBLISH_URL: publishTo }),
    GATEWAY_JWT_KEY: userKey,
    GAVEL_DEMO: '0',
    // Any free port: a metrics listener of a gateway or engine already running may hold the default.
    GATEWAY_METRICS_PORT: '0',
  };
  if (TOPOLOGY === 'split') {
    const biddingPort = await freePort();
    const serviceToken = randomBytes(24).toString('hex');
    start('bidding', 'bidding/main.ts', {
      ...common,
      PORT: String(biddingPort),
      HUB_PUBLISH_URL: publishTo ?? hubUrl,
      BIDDING_SERVICE_TOKEN: serviceToken,
      BIDDING_METRICS_PORT: '0',
    });
    await waitHealthy(`http://127.0.0.1:${biddingPort}/healthz`);
    gatewayEnv.BIDDING_URL = `http://127.0.0.1:${biddingPort}`;
    gatewayEnv.BIDDING_SERVICE_TOKEN = serviceToken;
  }
  start('gateway', 'main.ts', gatewayEnv);
  const gw = `http://127.0.0.1:${gwPort}`;
  await waitHealthy(`${gw}/healthz`);
  log(`topology ${TOPOLOGY}, publish ${PUBLISH}: gateway ${gw}, hub ${hubUrl}`);

  // Seed one hot auction (the orchestrator's job in production): step 0.01 so every higher amount is valid.
  const store = new RedisBiddingStore({ redis, prefix });
  const auctionId = 'hot-lot';
  await seedHotAuction(store, redis, auctionId, BIDDERS);
  const userTokens = new UserTokens({ key: userKey, audience: 'api' });
  const tokens = await Promise.all(
    Array.from({ length: BIDDERS }, (_, i) =>
      userTokens.sign({ id: `b${i}`, role: 'bidder', name: undefined }, 3600),
    ),
  );

  // Subscribers, each on its own thread so autocannon's work does not delay receipt timestamps: the
  // auction's public topic, and the private topics of a sample of bidders (their outbid notices).
  const subscribe = (url: string, headers: Record<string, string>): Promise<TimedSubscriber> =>
    TimedSubscriber.open(url, headers);
  const worker = await subscribe(
    `${hubUrl}?topic=${encodeURIComponent(`https://gavel.local/auctions/${auctionId}`)}`,
    {},
  );
  const sampled = Array.from(
    { length: Math.min(NOTICE_SAMPLE, BIDDERS) },
    (_, i) => `https://gavel.local/bidders/b${i}`,
  );
  const noticeWorker = await subscribe(
    `${hubUrl}?${sampled.map((t) => `topic=${encodeURIComponent(t)}`).join('&')}`,
    {
      authorization: `Bearer ${await new SignJWT({ mercure: { subscribe: sampled } })
        .setProtectedHeader({ alg: 'HS256' })
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode(publisherKey))}`,
    },
  );

  let n = 0;
  let amount = 100;
  let asking = 100;
  const sentAt = new Map<string, number>();
  const seqSentAt = new Map<number, number>();
  // The server's decision time (Redis TIME, ms): with --rate, autocannon builds a request before it
  // waits for its slot, so send times overstate bid→push; decision→push is exact to a millisecond.
  const seqDecidedAt = new Map<number, number>();
  /** The bidder (index) of each accepted bid in the measured window. */
  const seqBidder = new Map<number, number>();
  const outcomes: Record<string, number> = {};
  const drive = (seconds: number, measured: boolean): Promise<autocannon.Result> =>
    autocannon({
      url: gw,
      connections: CONNECTIONS,
      duration: seconds,
      ...(RATE > 0 ? { overallRate: RATE } : {}),
      requests: [
        {
          method: 'POST',
          path: `/v1/auctions/${auctionId}/bids`,
          setupRequest: (req, ctx: object) => {
            const context = ctx as Record<string, unknown>;
            const i = n++;
            if (SCENARIO === 'rising') amount += 1 + (i % 3);
            else amount = asking;
            const k = `bench-${i}`;
            context.key = k;
            context.bidder = i % BIDDERS;
            if (measured) sentAt.set(k, now());
            return {
              ...req,
              headers: {
                'content-type': 'application/json',
                authorization: `Bearer ${tokens[i % BIDDERS]!}`,
                'idempotency-key': k,
              },
              body: JSON.stringify({ amount: (amount / 100).toFixed(2) }),
            };
          },
          onResponse: (status, body, ctx: object) => {
            const context = ctx as Record<string, unknown>;
            try {
              const parsed = JSON.parse(body) as {
                bid?: { seq: number; outcome: string; asking: string; decidedAt: string };
                error?: { code: string; details?: { bid?: { seq: number; asking: string } } };
              };
              const heard = parsed.bid?.asking ?? parsed.error?.details?.bid?.asking;
              if (heard !== undefined) asking = Math.max(asking, Math.round(Number(heard) * 100));
              if (!measured) return;
              const code = parsed.bid?.outcome ?? parsed.error?.code ?? String(status);
              outcomes[code] = (outcomes[code] ?? 0) + 1;
              const seq = parsed.bid?.seq;
              if (status === 201 && seq !== undefined) {
                seqSentAt.set(seq, sentAt.get(context.key as string) ?? NaN);
                seqDecidedAt.set(seq, Date.parse(parsed.bid!.decidedAt));
                seqBidder.set(seq, context.bidder as number);
              }
            } catch {
              if (measured) outcomes[`HTTP ${status}`] = (outcomes[`HTTP ${status}`] ?? 0) + 1;
            }
          },
        },
      ],
    });
  if (WARMUP > 0) {
    // The same bids, not counted: JIT-compiled code, open keep-alive connections (gateway → engine →
    // hub) and the gateway's verified-token cache (every bidder has sent a bid) — the steady state of
    // a hot auction rather than its first seconds. --warmup 0 measures from a cold start.
    log(`warming up for ${WARMUP} s`);
    await drive(WARMUP, false);
  }
  log(`driving ${SECONDS} s with ${CONNECTIONS} connections and ${BIDDERS} bidders`);
  const hubOrigin = `http://127.0.0.1:${hubMetricsPort}`;
  const publishedBefore = await hubPublished(hubOrigin);
  const cpuBefore = await cpuSnapshot(redis);
  const result = await drive(SECONDS, true);
  const cpuAfter = await cpuSnapshot(redis);
  await new Promise((r) => setTimeout(r, 1000));
  const hubPublishes = (await hubPublished(hubOrigin)) - publishedBefore;
  const collect = async (w: TimedSubscriber): Promise<[number, number, string | null][]> =>
    (await w.stop()).map((a: Arrival) => [a.seq, a.at, a.id]);
  const received = await collect(worker);
  const noticesReceived = await collect(noticeWorker);

  // Updates are coalesced under load (a newer state supersedes an older tick), so a bid is
  // "pushed" when the subscriber first sees a state whose seq is at or past the bid's own.
  const states = received.map(([seq, at]) => ({ seq, at }));
  const { delays: push, missing } = screenDelays(seqSentAt, states);
  const { delays: fromDecision } = screenDelays(seqDecidedAt, states);
  // Outbid notices for the sampled bidders: from the decision of the bid that took a sampled bidder's
  // lead to the first notice that bidder receives at or past it (notices are coalesced per bidder: a
  // newer one stands for an older one). The bidder is the last part of a notice's id.
  const acceptedSeqs = [...seqBidder.keys()].sort((a, b) => a - b);
  const noticesOf = new Map<number, [number, number][]>();
  for (const [seq, at, id] of noticesReceived) {
    const bidder = Number(/:b(\d+)$/.exec(id ?? '')?.[1] ?? NaN);
    if (!Number.isInteger(bidder)) continue;
    let list = noticesOf.get(bidder);
    if (list === undefined) noticesOf.set(bidder, (list = []));
    list.push([seq, at]);
  }
  const outbidNotice: number[] = [];
  let noticesMissing = 0;
  for (let i = 0; i + 1 < acceptedSeqs.length; i++) {
    const bidder = seqBidder.get(acceptedSeqs[i]!)!;
    const next = acceptedSeqs[i + 1]!;
    if (bidder >= NOTICE_SAMPLE || seqBidder.get(next) === bidder) continue;
    const decided = seqDecidedAt.get(next)!;
    let at = Infinity;
    for (const [seq, t] of noticesOf.get(bidder) ?? []) if (seq >= next) at = Math.min(at, t);
    if (Number.isFinite(at)) outbidNotice.push(at - decided);
    else noticesMissing++;
  }
  outbidNotice.sort((a, b) => a - b);
  push.sort((a, b) => a - b);
  fromDecision.sort((a, b) => a - b);
  const decisions = Object.entries(outcomes)
    .filter(([k]) => k !== 'RATE_LIMITED' && !k.startsWith('HTTP'))
    .reduce((s, [, v]) => s + v, 0);
  const accepted = outcomes.accepted ?? 0;
  const cpuUsed = Object.fromEntries(Object.keys(cpuAfter).map((k) => [k, cpuAfter[k]! - cpuBefore[k]!]));
  const systemCpu = Object.entries(cpuUsed)
    .filter(([k]) => k !== 'bench')
    .reduce((sum, [, v]) => sum + v, 0);
  const out = {
    bench: 'bids',
    topology: TOPOLOGY,
    publish: PUBLISH,
    scenario: SCENARIO,
    seconds: SECONDS,
    warmup_seconds: WARMUP,
    connections: CONNECTIONS,
    offered_rate: RATE > 0 ? RATE : 'max',
    bidders: BIDDERS,
    requests: result.requests.total,
    decisions_per_s: Math.round(decisions / SECONDS),
    accepted,
    outcomes,
    non2xx: result.non2xx,
    errors: result.errors,
    gateway_latency_ms: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
    bid_to_push_ms: {
      samples: push.length,
      p50: +percentile(push, 50).toFixed(2),
      p99: +percentile(push, 99).toFixed(2),
      max: +(push[push.length - 1] ?? NaN).toFixed(2),
    },
    decision_to_push_ms: {
      p50: +percentile(fromDecision, 50).toFixed(1),
      p99: +percentile(fromDecision, 99).toFixed(1),
      max: +(fromDecision[fromDecision.length - 1] ?? NaN).toFixed(1),
    },
    pushes_missing: missing,
    // Outbid notices on the first NOTICE_SAMPLE bidders' private topics: decision of the outbidding bid → receipt.
    outbid_notice_ms: {
      samples: outbidNotice.length,
      p50: +percentile(outbidNotice, 50).toFixed(1),
      p99: +percentile(outbidNotice, 99).toFixed(1),
      max: +(outbidNotice[outbidNotice.length - 1] ?? NaN).toFixed(1),
      missing: noticesMissing,
    },
    updates_received: received.length,
    // Updates the hub accepted (public states and private notices) per bid decided.
    hub_publishes_per_decision: +(hubPublishes / Math.max(1, decisions)).toFixed(2),
    // Share of one core each process used while bids were driven (2.0 would be both cores of this machine).
    cpu_cores: Object.fromEntries(Object.entries(cpuUsed).map(([k, v]) => [k, +(v / SECONDS).toFixed(2)])),
    // CPU per decision: what the system costs per bid, much steadier than bids/s on a shared machine.
    // system = gateway (+ bidding) + hub + Redis; bench = autocannon and the subscriber thread.
    cpu_us_per_decision: Object.fromEntries(
      Object.entries({ ...cpuUsed, system: systemCpu }).map(([k, v]) => [
        k,
        Math.round((v * 1e6) / Math.max(1, decisions)),
      ]),
    ),
    node: process.version,
  };
  console.log(JSON.stringify(out));
  await cleanup(redis, prefix);
}

async function cleanup(redis: Redis, prefix: string): Promise<void> {
  // Let the children finish their last writes before their keys are deleted.
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null) return resolve();
          const timer = setTimeout(() => (c.kill('SIGKILL'), resolve()), 5000);
          c.once('exit', () => (clearTimeout(timer), resolve()));
          c.kill('SIGTERM');
        }),
    ),
  );
  await deleteByPrefix(redis, prefix);
  redis.disconnect();
}

main().catch((err: unknown) => {
  log(`failed: ${err instanceof Error ? err.message : String(err)}`);
  for (const c of children) c.kill('SIGKILL');
  process.exit(1);
});
