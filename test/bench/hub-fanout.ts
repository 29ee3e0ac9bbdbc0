/**
 * Hub fan-out benchmark: `npm run bench:hub [-- flags]`.
 *
 * Starts the hub (`node --import tsx hub/main.ts`) as a child process on a free loopback port,
 * connects N SSE subscribers to ONE topic over raw node:http (one socket each, no keep-alive
 * pooling), measures the hub's RSS per idle subscriber, then publishes at a fixed rate and
 * records publish → receive latency for every delivery. Prints exactly one JSON line on stdout;
 * progress and diagnostics go to stderr.
 *
 * Flags (environment fallback in brackets):
 *   --subscribers N      [BENCH_SUBSCRIBERS]  default 2000
 *   --rate R             [BENCH_RATE]         updates per second, default 20
 *   --seconds S          [BENCH_SECONDS]      publishing duration, default 10
 *   --transport T        [BENCH_TRANSPORT]    memory | redis, default memory
 *   --redis-url URL      [REDIS_URL]          default redis://127.0.0.1:6379 (a random key prefix is added)
 *   --subscriptions B    [MERCURE_SUBSCRIPTIONS] the hub's subscription API/events (on|off); default: the hub's default
 *   --batch B            [BENCH_BATCH]        subscribers connecting at once, default 100
 *   --payload-bytes P    [BENCH_PAYLOAD_BYTES] padding added to each update's data, default 0
 *   --drain-seconds D    time allowed after the last publish for deliveries to arrive, default 5
 *   --warmup-updates W   [BENCH_WARMUP_UPDATES] unmeasured updates sent first on the same schedule
 *                        (JIT warm-up of hub and client), default 10; 0 measures a cold hub
 *   --hub-node-arg A     extra Node flag for the hub child, repeatable (e.g. --hub-node-arg=--cpu-prof)
 *                        [BENCH_HUB_NODE_ARGS, space-separated]
 *   --assert             also exit 4 when a target is missed (p99 < 50 ms, < 12 KiB RSS per idle subscriber)
 *
 * Memory: hub_rss_per_idle_subscriber_kib is (RSS idle with N − RSS before any) / N. It includes
 * one-off growth (V8's young generation grows to 2 × 16 MiB semi-spaces under the connection burst),
 * so it shrinks as N grows; hub_rss_marginal_kib_per_subscriber is the slope from N/2 to N.
 *
 * Exit codes: 0 ok; 1 the benchmark could not run (message on stderr, no JSON);
 * 3 deliveries were lost or streams ended early (JSON still printed); 4 a target was missed (--assert).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import http from 'node:http';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { SignJWT } from 'jose';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { freePort } from '../support/net.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MERCURE_PATH = '/.well-known/mercure';
const TOPIC = 'https://bench.gavel.invalid/lots/fanout';
const CONNECT_TIMEOUT_MS = 30_000;
const HUB_START_TIMEOUT_MS = 30_000;
const IDLE_MS = 2_000;
const TARGET_P99_MS = 50;
const TARGET_RSS_KIB = 12;
const HUB_RUN_FLAG = '--max-semi-space-size=2';

class BenchError extends Error {
  override name = 'BenchError';
}

const log = (msg: string): void => {
  process.stderr.write(`[bench] ${msg}\n`);
};

/** Wall-clock milliseconds with sub-millisecond resolution, comparable inside this process. */
const nowMs = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const round = (v: number, digits = 2): number => Math.round(v * 10 ** digits) / 10 ** digits;

// ---------------------------------------------------------------------------------------------
// Options

interface Options {
  subscribers: number;
  rate: number;
  seconds: number;
  transport: 'memory' | 'redis';
  redisUrl: string;
  subscriptions: boolean | undefined;
  batch: number;
  payloadBytes: number;
  drainSeconds: number;
  warmupUpdates: number;
  hubNodeArgs: string[];
  assert: boolean;
}

function parseOptions(argv: string[], env: NodeJS.ProcessEnv): Options {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      options: {
        subscribers: { type: 'string' },
        rate: { type: 'string' },
        seconds: { type: 'string' },
        transport: { type: 'string' },
        'redis-url': { type: 'string' },
        subscriptions: { type: 'string' },
        batch: { type: 'string' },
        'payload-bytes': { type: 'string' },
        'drain-seconds': { type: 'string' },
        'warmup-updates': { type: 'string' },
        'hub-node-arg': { type: 'string', multiple: true },
        assert: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (err) {
    throw new BenchError(err instanceof Error ? err.message : String(err));
  }
  if (parsed.help === true) {
    const src = readFileSync(fileURLToPath(import.meta.url), 'utf8');
    process.stderr.write(`${/\/\*\*([\s\S]*?)\*\//.exec(src)?.[1]?.replace(/^ \* ?/gm, '') ?? ''}\n`);
    process.exit(0);
  }
  const num = (
    name: string,
    flag: string | undefined,
    envName: string,
    fallback: number,
    min: number,
  ): number => {
    const raw = flag ?? env[envName];
    if (raw === undefined || raw === '') return fallback;
    const v = Number(raw);
    if (!Number.isFinite(v) || v < min)
      throw new BenchError(`--${name} must be a number ≥ ${min}, got "${raw}"`);
    return v;
  };
  const transport = parsed.transport ?? env.BENCH_TRANSPORT ?? 'memory';
  if (transport !== 'memory' && transport !== 'redis')
    throw new BenchError(`--transport must be memory or redis, got "${transport}"`);
  const subsRaw = parsed.subscriptions ?? env.MERCURE_SUBSCRIPTIONS;
  let subscriptions: boolean | undefined;
  if (subsRaw !== undefined && subsRaw !== '') {
    const s = subsRaw.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(s)) subscriptions = true;
    else if (['0', 'false', 'no', 'off'].includes(s)) subscriptions = false;
    else throw new BenchError(`--subscriptions must be on or off, got "${subsRaw}"`);
  }
  const envNodeArgs = (env.BENCH_HUB_NODE_ARGS ?? '').split(/\s+/).filter((a) => a !== '');
  return {
    subscribers: Math.trunc(num('subscribers', parsed.subscribers, 'BENCH_SUBSCRIBERS', 2000, 1)),
    rate: num('rate', parsed.rate, 'BENCH_RATE', 20, 0.01),
    seconds: num('seconds', parsed.seconds, 'BENCH_SECONDS', 10, 0.1),
    transport,
    redisUrl: parsed['redis-url'] ?? env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    subscriptions,
    batch: Math.trunc(num('batch', parsed.batch, 'BENCH_BATCH', 100, 1)),
    payloadBytes: Math.trunc(num('payload-bytes', parsed['payload-bytes'], 'BENCH_PAYLOAD_BYTES', 0, 0)),
    drainSeconds: num('drain-seconds', parsed['drain-seconds'], 'BENCH_DRAIN_SECONDS', 5, 0),
    warmupUpdates: Math.trunc(num('warmup-updates', parsed['warmup-updates'], 'BENCH_WARMUP_UPDATES', 10, 0)),
    hubNodeArgs: [...envNodeArgs, ...(parsed['hub-node-arg'] ?? [])],
    assert: parsed.assert === true,
  };
}

// ---------------------------------------------------------------------------------------------
// File descriptors

function openFileLimit(pid: number | 'self'): { soft: number; hard: number } | undefined {
  try {
    const line = readFileSync(`/proc/${pid}/limits`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const m = line === undefined ? null : /Max open files\s+(\S+)\s+(\S+)/.exec(line);
    if (m === null) return undefined;
    const val = (s: string | undefined): number => (s === 'unlimited' ? Infinity : Number(s));
    return { soft: val(m[1]), hard: val(m[2]) };
  } catch {
    return undefined; // not Linux: the EMFILE handler below still explains the problem
  }
}

function fdAdvice(needed: number): string {
  return (
    `raise the open-file limit in this shell before running the bench, e.g. \`ulimit -n ${needed}\` ` +
    `(the hub child inherits it; beyond the hard limit use /etc/security/limits.conf or systemd LimitNOFILE), ` +
    `or run fewer subscribers with --subscribers`
  );
}

function checkFdLimit(subscribers: number): void {
  const limit = openFileLimit('self');
  // Each subscriber holds one socket in the bench and one in the hub; both processes have the same limit.
  const needed = subscribers + 256;
  if (limit === undefined || limit.soft >= needed) return;
  throw new BenchError(
    `the open-file limit (ulimit -n) is ${limit.soft} (hard ${limit.hard}), but ${subscribers} subscribers ` +
      `need about ${needed} file descriptors in the bench and in the hub: ${fdAdvice(needed)}`,
  );
}

// ---------------------------------------------------------------------------------------------
// Hub child process

interface HubProcess {
  child: ChildProcess;
  url: string;
  /** The hub's metrics listener (loopback, its own port). */
  metricsUrl: string;
  pid: number;
  /** Rejects as soon as the hub exits on its own. */
  exited: Promise<never>;
  stop(): Promise<void>;
}

function getJson(url: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

async function startHub(opts: Options, env: Record<string, string>): Promise<HubProcess> {
  const port = await freePort();
  const metricsPort = await freePort();
  // The same young-generation size as `npm run hub` (see package.json): part of how the hub is run.
  const args = [HUB_RUN_FLAG, ...opts.hubNodeArgs, '--import', 'tsx', 'hub/main.ts'];
  log(`starting hub: node ${args.join(' ')} (PORT=${port}, transport ${env.MERCURE_TRANSPORT_URL})`);
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
      MERCURE_METRICS_PORT: String(metricsPort),
      // Every benchmark subscriber connects from this one address.
      MERCURE_MAX_CONNECTIONS_PER_IP: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  const relay = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line === '') continue;
      tail.push(line);
      if (tail.length > 20) tail.shift();
      process.stderr.write(`[hub] ${line}\n`);
    }
  };
  child.stdout?.on('data', relay);
  child.stderr?.on('data', relay);
  let stopping = false;
  const exited = new Promise<never>((_, reject) => {
    child.once('exit', (code, signal) => {
      if (stopping) return;
      reject(
        new BenchError(
          `the hub exited unexpectedly (code ${code}, signal ${signal})` +
            (tail.length > 0 ? `; its last output:\n  ${tail.join('\n  ')}` : ''),
        ),
      );
    });
    child.once('error', (err) => reject(new BenchError(`could not start the hub: ${err.message}`)));
  });
  exited.catch(() => undefined); // observed by whoever races against it
  const url = `http://127.0.0.1:${port}`;
  const hub: HubProcess = {
    child,
    url,
    metricsUrl: `http://127.0.0.1:${metricsPort}`,
    pid: child.pid ?? -1,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      stopping = true;
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const t = setTimeout(() => {
        log('hub did not stop within 10 s of SIGTERM: killing it');
        child.kill('SIGKILL');
      }, 10_000);
      await gone;
      clearTimeout(t);
    },
  };
  if (child.pid === undefined) {
    await exited;
  }
  const deadline = Date.now() + HUB_START_TIMEOUT_MS;
  let lastErr = '';
  for (;;) {
    const probe = getJson(`${url}/healthz`, 1000).then(
      (r) => (r.status === 200 ? true : ((lastErr = `status ${r.status}: ${r.body}`), false)),
      (err: unknown) => ((lastErr = err instanceof Error ? err.message : String(err)), false),
    );
    if (await Promise.race([probe, exited])) break;
    if (Date.now() > deadline) {
      await hub.stop();
      throw new BenchError(
        `the hub did not answer /healthz within ${HUB_START_TIMEOUT_MS / 1000} s (${lastErr})`,
      );
    }
    await sleep(100);
  }
  log(`hub ready at ${url} (pid ${hub.pid})`);
  return hub;
}

interface MemSample {
  rssKib: number;
  anonKib: number;
  fileKib: number;
  heapUsed?: number | undefined;
  heapTotal?: number | undefined;
  external?: number | undefined;
}

function readStatus(pid: number): MemSample {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch (err) {
    throw new BenchError(
      `cannot read /proc/${pid}/status (Linux only): ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const field = (name: string): number =>
    Number(new RegExp(`^${name}:\\s+(\\d+)\\s+kB`, 'm').exec(text)?.[1] ?? NaN);
  return { rssKib: field('VmRSS'), anonKib: field('RssAnon'), fileKib: field('RssFile') };
}

/** RSS from /proc, then (after reading it, so the scrape does not skew it) the hub's own heap metrics. */
async function sampleMemory(hub: HubProcess): Promise<MemSample> {
  const sample = readStatus(hub.pid);
  try {
    const { body } = await getJson(`${hub.metricsUrl}/metrics`, 5000);
    const metric = (name: string): number | undefined => {
      const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(body);
      return m === null ? undefined : Number(m[1]);
    };
    sample.heapUsed = metric('nodejs_heap_size_used_bytes');
    sample.heapTotal = metric('nodejs_heap_size_total_bytes');
    sample.external = metric('nodejs_external_memory_bytes');
  } catch {
    // metrics are diagnostics only
  }
  return sample;
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command name: state is field 3, utime 14 and stime 15 (1-based in proc(5)).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** Busy CPU seconds of the whole machine (all cores), from /proc/stat. */
function machineBusySeconds(): number {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal: busy = all but idle and iowait.
    const busy =
      (cpu[0] ?? 0) + (cpu[1] ?? 0) + (cpu[2] ?? 0) + (cpu[5] ?? 0) + (cpu[6] ?? 0) + (cpu[7] ?? 0);
    return busy / 100;
  } catch {
    return NaN;
  }
}

interface Usage {
  report(): string;
}

/** Starts measuring CPU: the hub's, this process's, everything else's (other work skews the figures) and loop delay. */
function startUsage(hubPid: number): Usage {
  const t0 = nowMs();
  const hub0 = cpuSeconds(hubPid);
  const self0 = process.cpuUsage();
  const machine0 = machineBusySeconds();
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  return {
    report() {
      loop.disable();
      const wall = (nowMs() - t0) / 1000;
      const hub = cpuSeconds(hubPid) - hub0;
      const su = process.cpuUsage(self0);
      const self = (su.user + su.system) / 1e6;
      const other = Math.max(0, machineBusySeconds() - machine0 - hub - self);
      const pct = (s: number): number => Math.round((100 * s) / wall);
      return (
        `CPU over ${round(wall, 1)} s (% of one core): hub ${pct(hub)}%, bench client ${pct(self)}%, ` +
        `other processes ${pct(other)}% (of ${availableParallelism()} cores); client event-loop delay ` +
        `p99 ${round(loop.percentile(99) / 1e6, 1)} ms, max ${round(loop.max / 1e6, 1)} ms` +
        (other / wall > 0.2 ? ' — WARNING: other work competed for the CPU; latency figures are skewed' : '')
      );
    },
  };
}

const mib = (kib: number): number => round(kib / 1024, 1);
const fmtMem = (s: MemSample): string =>
  `rss ${mib(s.rssKib)} MiB (anon ${mib(s.anonKib)}, file ${mib(s.fileKib)})` +
  (s.heapUsed === undefined
    ? ''
    : `, heap used ${round((s.heapUsed ?? 0) / 2 ** 20, 1)} / total ${round((s.heapTotal ?? 0) / 2 ** 20, 1)} MiB, external ${round((s.external ?? 0) / 2 ** 20, 1)} MiB`);

// ---------------------------------------------------------------------------------------------
// Latency histogram: 10 µs buckets up to 10 s, exact maximum.

class Latency {
  private static readonly BUCKET_MS = 0.01;
  private readonly buckets = new Uint32Array(1_000_001);
  /** Worst latency per update (by sequence number), to tell a slow start from a steady tail. */
  readonly worstBySeq: Float64Array;
  count = 0;
  max = 0;

  constructor(updates = 0) {
    this.worstBySeq = new Float64Array(updates);
  }

  record(ms: number, seq: number): void {
    const v = ms < 0 ? 0 : ms;
    if (seq < this.worstBySeq.length && v > this.worstBySeq[seq]!) this.worstBySeq[seq] = v;
    const i = Math.min(this.buckets.length - 1, Math.floor(v / Latency.BUCKET_MS));
    this.buckets[i]!++;
    this.count++;
    if (v > this.max) this.max = v;
  }

  percentile(p: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.max(1, Math.ceil(p * this.count));
    let seen = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      seen += this.buckets[i]!;
      if (seen >= rank) return Math.min(this.max, (i + 1) * Latency.BUCKET_MS);
    }
    return this.max;
  }
}

// ---------------------------------------------------------------------------------------------
// Subscribers

interface Payload {
  s: number;
  t: number;
}

/** What every subscriber shares: the latency histogram and the running totals. */
interface Tally {
  latency: Latency;
  updates: number;
  received: number;
  lastReceiveMs: number;
}

class BenchSubscriber {
  /** Distinct measured updates received. */
  received = 0;
  duplicates = 0;
  /** Updates that arrived after a higher sequence number (concurrent publishes may be reordered). */
  reordered = 0;
  warmup = 0;
  foreign = 0;
  maxSeq = -1;
  /** FNV-1a over the sequence numbers in arrival order: every subscriber must see the hub's one order. */
  orderHash = 0x811c9dc5;
  connected = false;
  ended = false;
  closing = false;
  req: http.ClientRequest | undefined;
  readonly index: number;
  private readonly tally: Tally;
  private readonly seen: Uint8Array;

  constructor(index: number, tally: Tally) {
    this.index = index;
    this.tally = tally;
    this.seen = new Uint8Array(Math.ceil(tally.updates / 8));
  }

  /** Resolves when the response head (200, text/event-stream) has arrived. */
  connect(url: string, agent: http.Agent, onEnd: (sub: BenchSubscriber, why: string) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      const req = http.get(url, { agent, headers: { Accept: 'text/event-stream' } });
      this.req = req;
      const timer = setTimeout(() => {
        req.destroy();
        reject(
          new BenchError(`subscriber #${this.index} not connected after ${CONNECT_TIMEOUT_MS / 1000} s`),
        );
      }, CONNECT_TIMEOUT_MS);
      req.on('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        if (!this.connected) {
          if (err.code === 'EMFILE' || err.code === 'ENFILE')
            reject(
              new BenchError(
                `subscriber #${this.index}: too many open files (${err.code}): ${fdAdvice(this.index + 1024)}`,
              ),
            );
          else
            reject(new BenchError(`subscriber #${this.index} could not connect: ${err.code ?? err.message}`));
        } else if (!this.closing && !this.ended) {
          this.ended = true;
          onEnd(this, err.code ?? err.message);
        }
      });
      req.on('response', (res) => {
        clearTimeout(timer);
        const type = res.headers['content-type'] ?? '';
        if (res.statusCode !== 200 || !type.startsWith('text/event-stream')) {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () =>
            reject(
              new BenchError(
                `subscriber #${this.index}: hub answered ${res.statusCode} ${type}: ${body.slice(0, 300)}`,
              ),
            ),
          );
          return;
        }
        this.connected = true;
        const parser = createParser({ onEvent: (ev) => this.onEvent(ev) });
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => parser.feed(chunk));
        res.on('close', () => {
          if (this.closing || this.ended) return;
          this.ended = true;
          onEnd(this, 'stream closed by the hub');
        });
        resolve();
      });
    });
  }

  private onEvent(ev: EventSourceMessage): void {
    const at = nowMs();
    let p: Payload;
    try {
      p = JSON.parse(ev.data) as Payload;
    } catch {
      this.foreign++;
      return;
    }
    if (typeof p.s !== 'number' || typeof p.t !== 'number') {
      this.foreign++;
      return;
    }
    const seq = p.s;
    if (seq < 0) {
      this.warmup++;
      return;
    }
    if (seq >= this.tally.updates || !Number.isInteger(seq)) {
      this.foreign++;
      return;
    }
    const bit = 1 << (seq & 7);
    if ((this.seen[seq >> 3]! & bit) !== 0) {
      this.duplicates++;
      return;
    }
    this.seen[seq >> 3]! |= bit;
    if (seq < this.maxSeq) this.reordered++;
    else this.maxSeq = seq;
    this.orderHash = Math.imul(this.orderHash ^ seq, 0x01000193) >>> 0;
    this.received++;
    this.tally.received++;
    this.tally.lastReceiveMs = at;
    this.tally.latency.record(at - p.t, seq);
  }

  close(): void {
    this.closing = true;
    this.req?.destroy();
  }
}

// ---------------------------------------------------------------------------------------------
// Publisher

function post(
  agent: http.Agent,
  url: string,
  token: string,
  body: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: 'POST',
      agent,
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/x-www-form-urlencoded',
        'Content-Length': Buffer.byteLength(body),
      },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.end(body);
  });
}

// ---------------------------------------------------------------------------------------------
// Main

const cleanups: (() => Promise<void>)[] = [];

async function runCleanups(): Promise<void> {
  while (cleanups.length > 0) {
    const fn = cleanups.pop()!;
    try {
      await fn();
    } catch (err) {
      log(`cleanup failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

/** Races a step against the hub exiting and a time budget. */
async function step<T>(hub: HubProcess, what: string, timeoutMs: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new BenchError(`${what} did not finish within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([work, hub.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2), process.env);
  checkFdLimit(opts.subscribers);
  const updates = Math.max(1, Math.round(opts.rate * opts.seconds));
  const expected = opts.subscribers * updates;

  const key = randomBytes(32).toString('hex');
  const env: Record<string, string> = {
    MERCURE_ANONYMOUS: '1',
    MERCURE_PUBLISHER_JWT_KEY: key,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  };
  if (opts.subscriptions !== undefined) env.MERCURE_SUBSCRIPTIONS = opts.subscriptions ? '1' : '0';
  let prefix: string | undefined;
  if (opts.transport === 'redis') {
    prefix = `gavel:{bench-${randomBytes(6).toString('hex')}}`;
    env.MERCURE_TRANSPORT_URL = `${opts.redisUrl}${opts.redisUrl.includes('?') ? '&' : '?'}prefix=${prefix}`;
    const redisUrl = opts.redisUrl;
    const keyPrefix = prefix;
    cleanups.push(async () => {
      const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
      redis.on('error', () => undefined);
      try {
        await redis.connect();
        let cursor = '0';
        let deleted = 0;
        // SCAN patterns treat only * ? [ ] \ as special: escape them in the prefix.
        const pattern = `${keyPrefix.replace(/[*?[\]\\]/g, '\\$&')}:*`;
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
          cursor = next;
          if (keys.length > 0) deleted += await redis.del(...keys);
        } while (cursor !== '0');
        log(`deleted ${deleted} Redis keys under ${keyPrefix}`);
      } catch (err) {
        throw new Error(
          `could not delete the Redis keys under ${keyPrefix} (delete them by hand): ${err instanceof Error ? err.message : String(err)}`,
          { cause: err },
        );
      } finally {
        redis.disconnect();
      }
    });
  } else {
    env.MERCURE_TRANSPORT_URL = 'memory://';
  }

  const hub = await startHub(opts, env);
  cleanups.push(() => hub.stop());
  const hubLimit = openFileLimit(hub.pid);
  if (hubLimit !== undefined && hubLimit.soft < opts.subscribers + 64)
    throw new BenchError(
      `the hub's open-file limit is ${hubLimit.soft}, too low for ${opts.subscribers} subscribers: ${fdAdvice(opts.subscribers + 256)}`,
    );

  const token = await new SignJWT({ mercure: { publish: ['*'] } })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt()
    .sign(new TextEncoder().encode(key));
  const publishAgent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const streamAgent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  cleanups.push(() => {
    publishAgent.destroy();
    streamAgent.destroy();
    return Promise.resolve();
  });
  const publishUrl = `${hub.url}${MERCURE_PATH}`;
  const subscribeUrl = `${hub.url}${MERCURE_PATH}?topic=${encodeURIComponent(TOPIC)}`;
  const pad = opts.payloadBytes > 0 ? 'x'.repeat(opts.payloadBytes) : undefined;
  const publishOne = async (topic: string, seq: number): Promise<{ status: number; text: string }> => {
    const t = nowMs();
    const data = JSON.stringify(pad === undefined ? { s: seq, t } : { s: seq, t, pad });
    return post(publishAgent, publishUrl, token, new URLSearchParams({ topic, data }).toString());
  };

  // Warm-up: one publish and one short-lived subscriber exercise both code paths before measuring.
  const warm = await step(hub, 'warm-up publish', 10_000, publishOne(`${TOPIC}/warmup`, -1));
  if (warm.status !== 200) throw new BenchError(`warm-up publish refused: ${warm.status} ${warm.text}`);
  {
    const w = new BenchSubscriber(-1, { latency: new Latency(), updates: 0, received: 0, lastReceiveMs: 0 });
    const warmUrl = `${publishUrl}?topic=${encodeURIComponent(`${TOPIC}/warmup`)}`;
    await step(
      hub,
      'warm-up subscriber',
      CONNECT_TIMEOUT_MS,
      w.connect(warmUrl, streamAgent, () => undefined),
    );
    w.close();
  }
  await sleep(1000);
  const before = await sampleMemory(hub);
  log(`hub before subscribers: ${fmtMem(before)}`);

  // Connect in batches so the hub's accept queue is never flooded.
  const tally: Tally = { latency: new Latency(updates), updates, received: 0, lastReceiveMs: 0 };
  const subs: BenchSubscriber[] = [];
  const ended: { sub: BenchSubscriber; why: string }[] = [];
  const onEnd = (sub: BenchSubscriber, why: string): void => {
    ended.push({ sub, why });
  };
  cleanups.push(() => {
    for (const s of subs) s.close();
    return Promise.resolve();
  });
  // Half-way, a second sample: the slope from there to N leaves out one-off growth (V8's young
  // generation expanding, allocator arenas) that the first connections pay for, so it shows the
  // steady cost of one more subscriber.
  const half = opts.subscribers >= 200 ? Math.round(opts.subscribers / 2 / opts.batch) * opts.batch : 0;
  let mid: { sample: MemSample; count: number } | undefined;
  const connectStart = nowMs();
  for (let i = 0; i < opts.subscribers; i += opts.batch) {
    if (half > 0 && i === half && mid === undefined) {
      await sleep(IDLE_MS / 2);
      mid = { sample: await sampleMemory(hub), count: subs.length };
    }
    const batch: Promise<void>[] = [];
    for (let j = i; j < Math.min(opts.subscribers, i + opts.batch); j++) {
      const sub = new BenchSubscriber(j, tally);
      subs.push(sub);
      batch.push(sub.connect(subscribeUrl, streamAgent, onEnd));
    }
    await step(hub, 'connecting subscribers', CONNECT_TIMEOUT_MS + 5000, Promise.all(batch));
    if (subs.length % Math.max(opts.batch, 500) === 0 || subs.length === opts.subscribers)
      log(`connected ${subs.length}/${opts.subscribers}`);
  }
  const connectMs = nowMs() - connectStart - (mid === undefined ? 0 : IDLE_MS / 2);
  log(
    `all ${opts.subscribers} subscribers connected in ${round(connectMs / 1000, 2)} s; idling ${IDLE_MS / 1000} s`,
  );
  await sleep(IDLE_MS);
  if (ended.length > 0)
    throw new BenchError(
      `${ended.length} streams ended while idle (first: #${ended[0]!.sub.index}: ${ended[0]!.why})`,
    );
  const idle = await sampleMemory(hub);
  const perSubKib = (idle.rssKib - before.rssKib) / opts.subscribers;
  const marginalKib =
    mid === undefined ? undefined : (idle.rssKib - mid.sample.rssKib) / (opts.subscribers - mid.count);
  log(
    `hub idle with ${opts.subscribers} subscribers: ${fmtMem(idle)} → ${round(perSubKib)} KiB RSS per subscriber` +
      (mid === undefined
        ? ''
        : ` (marginal, from ${mid.count} to ${opts.subscribers} subscribers: ${round(marginalKib ?? NaN)} KiB)`),
  );
  if (idle.heapUsed !== undefined && before.heapUsed !== undefined) {
    const per = (a: number | undefined, b: number | undefined): number =>
      round(((a ?? 0) - (b ?? 0)) / 1024 / opts.subscribers);
    log(
      `  per subscriber: RssAnon ${round((idle.anonKib - before.anonKib) / opts.subscribers)} KiB; V8 heap total ` +
        `${per(idle.heapTotal, before.heapTotal)} KiB (heap used ${per(idle.heapUsed, before.heapUsed)} KiB, ` +
        `garbage included), external ${per(idle.external, before.external)} KiB`,
    );
  }

  // Publish at a fixed rate: each update has a target time; a late one is sent at once, never skipped.
  // Warm-up updates (negative sequence numbers) go first, on the same schedule, and are not measured.
  const interval = 1000 / opts.rate;
  const total = opts.warmupUpdates + updates;
  const inflight: Promise<void>[] = [];
  const publishErrors: string[] = [];
  let maxLagMs = 0;
  const scheduleStart = nowMs() + 50;
  const publishStart = scheduleStart + opts.warmupUpdates * interval;
  let usage: Usage | undefined;
  if (opts.warmupUpdates > 0) log(`${opts.warmupUpdates} warm-up updates (not measured)`);
  log(
    `publishing ${updates} updates at ${opts.rate}/s to ${opts.subscribers} subscribers (${expected} deliveries)`,
  );
  const publishing = (async () => {
    for (let k = 0; k < total; k++) {
      const seq = k - opts.warmupUpdates;
      const target = scheduleStart + k * interval;
      const wait = target - nowMs();
      if (wait > 0) await sleep(wait);
      if (seq === 0) usage = startUsage(hub.pid);
      if (seq >= 0) maxLagMs = Math.max(maxLagMs, nowMs() - target);
      inflight.push(
        publishOne(TOPIC, seq).then(
          (r) => {
            if (r.status !== 200) publishErrors.push(`update ${seq}: ${r.status} ${r.text.slice(0, 200)}`);
          },
          (err: unknown) => {
            publishErrors.push(`update ${seq}: ${err instanceof Error ? err.message : String(err)}`);
          },
        ),
      );
      if (seq > 0 && seq % Math.max(1, Math.round(opts.rate * 2)) === 0)
        log(`published ${seq}/${updates}, received ${tally.received}/${seq * opts.subscribers}`);
    }
    await Promise.all(inflight);
  })();
  await step(hub, 'publishing', (opts.seconds + opts.warmupUpdates / opts.rate + 30) * 1000, publishing);
  const publishEnd = nowMs();
  if (publishErrors.length > 0)
    throw new BenchError(`${publishErrors.length} publishes failed; first: ${publishErrors[0]}`);
  log(`publishing done (max schedule lag ${round(maxLagMs)} ms); draining up to ${opts.drainSeconds} s`);
  const drainDeadline = publishEnd + opts.drainSeconds * 1000;
  while (tally.received < expected && nowMs() < drainDeadline && ended.length < subs.length) {
    await step(hub, 'draining', opts.drainSeconds * 1000 + 5000, sleep(20));
  }
  if (usage !== undefined) log(usage.report());
  const latency = tally.latency;
  const worstBySeq = [...latency.worstBySeq];
  const worst = worstBySeq
    .map((ms, seq) => ({ seq, ms }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 5)
    .map((w) => `#${w.seq} ${round(w.ms, 1)} ms`);
  const sortedWorst = worstBySeq.sort((a, b) => a - b);
  log(
    `slowest fan-outs (publish → last subscriber): ${worst.join(', ')}; median update's fan-out ` +
      `${round(sortedWorst[Math.floor(sortedWorst.length / 2)] ?? 0, 1)} ms`,
  );
  const after = await sampleMemory(hub);
  log(`hub after the run: ${fmtMem(after)}`);

  const received = tally.received;
  const spanS = Math.max(1e-3, ((tally.lastReceiveMs || publishEnd) - publishStart) / 1000);
  const result = {
    bench: 'hub-fanout',
    subscribers: opts.subscribers,
    updates,
    deliveries_expected: expected,
    deliveries_received: received,
    deliveries_per_s: Math.round(received / spanS),
    latency_ms: {
      p50: round(latency.percentile(0.5)),
      p99: round(latency.percentile(0.99)),
      max: round(latency.max),
    },
    hub_rss_per_idle_subscriber_kib: round(perSubKib),
    hub_rss_marginal_kib_per_subscriber: marginalKib === undefined ? null : round(marginalKib),
    hub_rss_mb: { before: mib(before.rssKib), idle: mib(idle.rssKib), after: mib(after.rssKib) },
    transport: opts.transport,
    node: process.version,
    rate: opts.rate,
    seconds: opts.seconds,
    warmup_updates: opts.warmupUpdates,
    subscriptions: opts.subscriptions ?? 'hub default',
  };

  // Close our streams, then stop the hub (and clean Redis) before reporting.
  for (const s of subs) s.close();
  await runCleanups();

  let code = 0;
  if (received < expected || ended.length > 0) {
    const short = subs
      .map((s) => updates - s.received)
      .filter((m) => m > 0)
      .sort((a, b) => a - b);
    const byCount = new Map<number, number>();
    for (const m of short) byCount.set(m, (byCount.get(m) ?? 0) + 1);
    const dist = [...byCount.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 10)
      .map(([m, n]) => `${n} missing ${m}`)
      .join(', ');
    log(
      `MISSING deliveries: ${expected - received} of ${expected}; ${short.length}/${subs.length} subscribers short ` +
        `(per short subscriber: min ${short[0] ?? 0}, median ${short[Math.floor(short.length / 2)] ?? 0}, ` +
        `max ${short[short.length - 1] ?? 0}; most common: ${dist || 'none'})`,
    );
    const worstSubs = subs
      .filter((s) => s.received < updates)
      .sort((a, b) => a.received - b.received)
      .slice(0, 5);
    for (const w of worstSubs)
      log(
        `  subscriber #${w.index}: missing ${updates - w.received}, highest seq ${w.maxSeq}, ended ${w.ended}`,
      );
    if (ended.length > 0) log(`  ${ended.length} streams ended early; first: ${ended[0]!.why}`);
    code = 3;
  }
  const dup = subs.reduce((a, s) => a + s.duplicates, 0);
  const reordered = subs.reduce((a, s) => a + s.reordered, 0);
  const orders = new Set(subs.filter((s) => s.received === updates).map((s) => s.orderHash));
  if (reordered > 0)
    log(
      `note: ${reordered} deliveries arrived after a later sequence number (concurrent publishes overtook)`,
    );
  if (dup > 0 || orders.size > 1) {
    log(
      `ANOMALIES: ${dup} duplicate deliveries; ${orders.size} distinct delivery orders among complete subscribers`,
    );
    code = 3;
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
  if (opts.assert && code === 0) {
    const missed: string[] = [];
    if (!(result.latency_ms.p99 < TARGET_P99_MS))
      missed.push(`p99 ${result.latency_ms.p99} ms ≥ ${TARGET_P99_MS} ms`);
    if (!(result.hub_rss_per_idle_subscriber_kib < TARGET_RSS_KIB))
      missed.push(
        `${result.hub_rss_per_idle_subscriber_kib} KiB per idle subscriber ≥ ${TARGET_RSS_KIB} KiB`,
      );
    if (missed.length > 0) {
      log(`TARGETS MISSED: ${missed.join('; ')}`);
      code = 4;
    }
  }
  return code;
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    log(`${signal}: stopping the hub`);
    void runCleanups().finally(() => process.exit(130));
  });
}

main().then(
  (code) => {
    process.exitCode = code;
    // Nothing should be left, but never hang on a stray handle.
    setTimeout(() => process.exit(code), 2000).unref();
  },
  async (err: unknown) => {
    if (err instanceof BenchError) log(`FAILED: ${err.message}`);
    else log(`FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    await runCleanups();
    process.exit(1);
  },
);
