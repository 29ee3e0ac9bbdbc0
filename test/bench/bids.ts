/**
 * Bid benchmark: `npm run bench:bids [-- flags]`.
 *
 * Starts the deployed topology as child processes — a Mercure hub on the Redis transport and a
 * gateway in distributed mode (engine state in Redis, one Lua decision per bid, HTTP publish to
 * the hub) — seeds one hot timed auction with N eligible bidders, subscribes to the auction topic
 * from a worker thread, and drives bids through the gateway with autocannon. Each bid carries a
 * fresh Idempotency-Key and a rising amount from a rotating bidder.
 *
 * Prints ONE JSON line on stdout: decisions/s, gateway latency p50/p99, and bid→SSE delivery
 * p50/p99 as seen by the subscriber (send time of the bid to receipt of the update carrying its seq).
 *
 * Flags: --seconds S (10)  --connections C (64)  --bidders B (2000)  --rate R (bids/s offered; default: as fast as answered)
 *        --scenario rising|contested
 *        --topology split (default: gateway → bidding process → hub) | combined (engine inside the gateway)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { SignJWT } from 'jose';
import { RedisBiddingStore } from '../../bidding/index.ts';
import { freePort } from '../support/net.ts';
import { deleteByPrefix, seedHotAuction } from './hot-auction.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const now = (): number => performance.timeOrigin + performance.now();
const log = (m: string): void => void process.stderr.write(`[bench:bids] ${m}\n`);

const { values: flags } = parseArgs({
  options: {
    seconds: { type: 'string', default: process.env.BENCH_SECONDS ?? '10' },
    connections: { type: 'string', default: process.env.BENCH_CONNECTIONS ?? '64' },
    bidders: { type: 'string', default: process.env.BENCH_BIDDERS ?? '2000' },
    topology: { type: 'string', default: process.env.BENCH_TOPOLOGY ?? 'split' },
    scenario: { type: 'string', default: process.env.BENCH_SCENARIO ?? 'rising' },
    rate: { type: 'string', default: process.env.BENCH_RATE ?? '0' },
  },
});
const SECONDS = Number(flags.seconds);
/** Bids per second offered in total (0 = as fast as the gateway answers): latency below saturation. */
const RATE = Number(flags.rate);
const CONNECTIONS = Number(flags.connections);
const BIDDERS = Number(flags.bidders);
if (flags.topology !== 'split' && flags.topology !== 'combined')
  throw new Error(
    '--topology is split (gateway → bidding process → hub) or combined (engine inside the gateway)',
  );
const TOPOLOGY = flags.topology;
// rising: every bid a little above the last one sent (nearly all accepted: the most publishing work).
// contested: every bidder bids the asking price it last heard of (many equal bids race: one wins, the rest are OUTBID).
if (flags.scenario !== 'rising' && flags.scenario !== 'contested')
  throw new Error('--scenario is rising or contested');
const SCENARIO = flags.scenario;

const children: ChildProcess[] = [];
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
  return child;
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

/** The subscriber runs on its own thread so autocannon's work does not delay receipt timestamps. */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { performance } = require('node:perf_hooks');
const received = [];
const req = http.get(workerData.url, { headers: { Accept: 'text/event-stream' } }, (res) => {
  res.setEncoding('utf8');
  let buf = '';
  parentPort.postMessage({ type: 'open', status: res.statusCode });
  res.on('data', (chunk) => {
    const at = performance.timeOrigin + performance.now();
    buf += chunk;
    let i;
    while ((i = buf.indexOf('\\n\\n')) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      for (const line of block.split('\\n')) {
        if (line.startsWith('data: ')) {
          try { received.push([JSON.parse(line.slice(6)).seq, at]); } catch {}
        }
      }
    }
  });
});
parentPort.on('message', (m) => { if (m === 'stop') { req.destroy(); parentPort.postMessage({ type: 'done', received }); } });
`;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main(): Promise<void> {
  const prefix = `bench:${randomUUID().slice(0, 8)}`;
  const redis = new Redis('redis://127.0.0.1:6379');
  const publisherKey = randomBytes(32).toString('hex');
  const userKey = randomBytes(32).toString('hex');
  const gwPort = await freePort();
  const hubPort = await freePort();
  start('hub', 'hub/main.ts', {
    PORT: String(hubPort),
    HOST: '127.0.0.1',
    MERCURE_TRANSPORT_URL:
      process.env.BENCH_HUB_TRANSPORT === 'memory'
        ? 'memory://'
        : `redis://127.0.0.1:6379?prefix=${encodeURIComponent(`${prefix}:{hub}`)}`,
    MERCURE_PUBLISHER_JWT_KEY: publisherKey,
    MERCURE_ANONYMOUS: '1',
  });
  const hubUrl = `http://127.0.0.1:${hubPort}/.well-known/mercure`;
  await waitHealthy(`http://127.0.0.1:${hubPort}/healthz`);
  const common = {
    REDIS_URL: 'redis://127.0.0.1:6379',
    REDIS_PREFIX: prefix,
    MERCURE_PUBLISHER_JWT_KEY: publisherKey,
  };
  const gatewayEnv: Record<string, string> = {
    ...common,
    GAVEL_MODE: 'distributed',
    PORT: String(gwPort),
    HUB_URL: hubUrl,
    GATEWAY_JWT_KEY: userKey,
    GAVEL_DEMO: '0',
  };
  if (TOPOLOGY === 'split') {
    const biddingPort = await freePort();
    const serviceToken = randomBytes(24).toString('hex');
    start('bidding', 'bidding/main.ts', {
      ...common,
      PORT: String(biddingPort),
      HUB_PUBLISH_URL: hubUrl,
      BIDDING_SERVICE_TOKEN: serviceToken,
    });
    await waitHealthy(`http://127.0.0.1:${biddingPort}/healthz`);
    gatewayEnv.BIDDING_URL = `http://127.0.0.1:${biddingPort}`;
    gatewayEnv.BIDDING_SERVICE_TOKEN = serviceToken;
  }
  start('gateway', 'main.ts', gatewayEnv);
  const gw = `http://127.0.0.1:${gwPort}`;
  await waitHealthy(`${gw}/healthz`);
  log(`topology ${TOPOLOGY}: gateway ${gw}, hub ${hubUrl}`);

  // Seed one hot auction (the orchestrator's job in production): step 0.01 so every higher amount is valid.
  const store = new RedisBiddingStore({ redis, prefix });
  const auctionId = 'hot-lot';
  await seedHotAuction(store, redis, auctionId, BIDDERS);
  const key = new TextEncoder().encode(userKey);
  const tokens = await Promise.all(
    Array.from({ length: BIDDERS }, (_, i) =>
      new SignJWT({ role: 'bidder' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(`b${i}`)
        .setExpirationTime('1h')
        .sign(key),
    ),
  );

  const worker = new Worker(WORKER, {
    eval: true,
    workerData: { url: `${hubUrl}?topic=${encodeURIComponent(`https://gavel.local/auctions/${auctionId}`)}` },
  });
  await new Promise<void>((resolve, reject) => {
    worker.once('message', (m: { type: string; status: number }) =>
      m.status === 200 ? resolve() : reject(new Error(`subscriber got HTTP ${m.status}`)),
    );
  });

  let n = 0;
  let amount = 100;
  let asking = 100;
  const sentAt = new Map<string, number>();
  const seqSentAt = new Map<number, number>();
  // The server's decision time (Redis TIME, ms): with --rate, autocannon builds a request before it
  // waits for its slot, so send times overstate bid→push; decision→push is exact to a millisecond.
  const seqDecidedAt = new Map<number, number>();
  const outcomes: Record<string, number> = {};
  log(`driving ${SECONDS} s with ${CONNECTIONS} connections and ${BIDDERS} bidders`);
  const result = await autocannon({
    url: gw,
    connections: CONNECTIONS,
    duration: SECONDS,
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
          sentAt.set(k, now());
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
            const code = parsed.bid?.outcome ?? parsed.error?.code ?? String(status);
            outcomes[code] = (outcomes[code] ?? 0) + 1;
            const seq = parsed.bid?.seq;
            if (status === 201 && seq !== undefined) {
              seqSentAt.set(seq, sentAt.get(context.key as string) ?? NaN);
              seqDecidedAt.set(seq, Date.parse(parsed.bid!.decidedAt));
            }
          } catch {
            outcomes[`HTTP ${status}`] = (outcomes[`HTTP ${status}`] ?? 0) + 1;
          }
        },
      },
    ],
  });
  await new Promise((r) => setTimeout(r, 1000));
  const received = await new Promise<[number, number][]>((resolve) => {
    worker.once('message', (m: { type: string; received: [number, number][] }) => resolve(m.received));
    worker.postMessage('stop');
  });
  await worker.terminate();

  // Updates are coalesced under load (a newer state supersedes an older tick), so a bid is
  // "pushed" when the subscriber first sees a state whose seq is at or past the bid's own.
  received.sort((a, b) => a[0] - b[0]);
  const push: number[] = [];
  const fromDecision: number[] = [];
  let missing = 0;
  for (const [seq, sent] of seqSentAt) {
    let lo = 0;
    let hi = received.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (received[mid]![0] < seq) lo = mid + 1;
      else hi = mid;
    }
    // The first state at or past this seq may not be the earliest received one: take the earliest arrival among them.
    let at = Infinity;
    for (let i = lo; i < received.length && i < lo + 64; i++) at = Math.min(at, received[i]![1]);
    if (Number.isFinite(at) && Number.isFinite(sent)) {
      push.push(at - sent);
      const decided = seqDecidedAt.get(seq);
      if (decided !== undefined) fromDecision.push(at - decided);
    } else missing++;
  }
  push.sort((a, b) => a - b);
  fromDecision.sort((a, b) => a - b);
  const decisions = Object.entries(outcomes)
    .filter(([k]) => k !== 'RATE_LIMITED' && !k.startsWith('HTTP'))
    .reduce((s, [, v]) => s + v, 0);
  const accepted = outcomes.accepted ?? 0;
  const out = {
    bench: 'bids',
    topology: TOPOLOGY,
    scenario: SCENARIO,
    seconds: SECONDS,
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
    updates_received: received.length,
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
