/** The flags of `npm run ops:latency`, checked: every refusal names the flag and what to pass. */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

export const USAGE = `usage: npm run ops:latency -- --url <public origin> --token <bidder token> [--token <another>…]
         [--lot <auction id> | --admin-url <orchestrator origin> --admin-token <admin token>]
         [--rate N] [--seconds S] [--budget-ms MS] [--subscribers N] [--connections N]
         [--tokens-file FILE] [--timeout-ms MS]`;

export interface OpsLatencyOptions {
  /** The deployment's public origin (the proxy): the API and the hub. */
  url: string;
  /** Bidder tokens, used in turn (two or more: each bid outbids the last, so each moves the price). */
  tokens: string[];
  /** The lot to bid on; undefined: a throw-away sale made through the admin API. */
  lot: string | undefined;
  /** The admin API's origin and an admin token: for the throw-away sale. */
  admin: { url: string; token: string } | undefined;
  /** Bids per second offered in total (autocannon's overallRate). */
  rate: number;
  seconds: number;
  /** Over this bid→screen p99 the check fails. */
  budgetMs: number;
  subscribers: number;
  connections: number;
  /** A bid not answered by then is an error (a timeout). */
  timeoutMs: number;
}

/** Bad flags: the message says what to pass; the command exits 2. */
export class UsageError extends Error {}

/** The gateways' default per-bidder bid rate (RATE_LIMIT_PER_SECOND, docs/configuration.md). */
export const DEFAULT_PER_BIDDER_RATE = 5;

function integer(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max)
    throw new UsageError(`--${name}: a whole number from ${min} to ${max}, got "${raw}"`);
  return Number(raw);
}

function origin(name: string, raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new UsageError(`--${name}: an http(s) origin such as https://bids.example.com, got "${raw}"`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new UsageError(`--${name}: an http(s) origin such as https://bids.example.com, got "${raw}"`);
  if ((u.pathname !== '/' && u.pathname !== '') || u.search !== '' || u.hash !== '')
    throw new UsageError(`--${name}: only the origin (scheme, host, port), no path or query, got "${raw}"`);
  return u.origin;
}

const looksLikeJwt = (t: string): boolean => /^[\w-]+\.[\w-]+\.[\w-]+$/.test(t);

/** Parses and checks `argv` (without node and the script); `env` for GAVEL_ADMIN_TOKEN. */
export function parseFlags(argv: string[], env: NodeJS.ProcessEnv = process.env): OpsLatencyOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        url: { type: 'string' },
        token: { type: 'string', multiple: true },
        'tokens-file': { type: 'string' },
        lot: { type: 'string' },
        'admin-url': { type: 'string' },
        'admin-token': { type: 'string' },
        rate: { type: 'string' },
        seconds: { type: 'string' },
        'budget-ms': { type: 'string' },
        subscribers: { type: 'string' },
        connections: { type: 'string' },
        'timeout-ms': { type: 'string' },
      },
    }));
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (values.url === undefined)
    throw new UsageError("--url: pass the deployment's public origin, e.g. --url https://bids.example.com");
  const url = origin('url', values.url);
  const tokens = [...(values.token ?? [])];
  if (values['tokens-file'] !== undefined) {
    let text: string;
    try {
      text = readFileSync(values['tokens-file'], 'utf8');
    } catch (err) {
      throw new UsageError(`--tokens-file: cannot read ${values['tokens-file']}: ${(err as Error).message}`);
    }
    tokens.push(
      ...text
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l !== '' && !l.startsWith('#')),
    );
  }
  if (tokens.length === 0)
    throw new UsageError(
      '--token: pass a bidder token (twice, or --tokens-file with one a line, for two bidders)',
    );
  const bad = tokens.findIndex((t) => !looksLikeJwt(t));
  if (bad >= 0)
    throw new UsageError(`--token: token ${bad + 1} is not a JWT (three base64url parts joined by dots)`);

  const adminToken = values['admin-token'] ?? env.GAVEL_ADMIN_TOKEN;
  let admin: OpsLatencyOptions['admin'];
  const lot = values.lot;
  if (lot !== undefined) {
    if (lot.trim() === '') throw new UsageError('--lot: an auction id, got an empty string');
    if (values['admin-url'] !== undefined)
      throw new UsageError(
        '--lot and --admin-url: pass one — a lot to bid on, or the admin API for a throw-away sale',
      );
  } else {
    if (values['admin-url'] === undefined || adminToken === undefined)
      throw new UsageError(
        '--lot: pass the auction id of an open timed lot, or --admin-url <orchestrator origin> and --admin-token <admin token> (or GAVEL_ADMIN_TOKEN) for a throw-away sale',
      );
    if (!looksLikeJwt(adminToken))
      throw new UsageError('--admin-token: not a JWT (three base64url parts joined by dots)');
    admin = { url: origin('admin-url', values['admin-url']), token: adminToken };
  }
  // Under the gateways' per-bidder limit by default: 4 bids/s a bidder, at most 20 in all.
  const rate = integer('rate', values.rate, Math.min(20, 4 * tokens.length), 1, 10_000);
  const seconds = integer('seconds', values.seconds, 10, 1, 3600);
  const budgetMs = integer('budget-ms', values['budget-ms'], 200, 0, 600_000);
  const subscribers = integer('subscribers', values.subscribers, 2, 1, 1000);
  const connections = integer('connections', values.connections, Math.min(rate, 4), 1, 1000);
  const timeoutMs = integer('timeout-ms', values['timeout-ms'], 10_000, 100, 600_000);
  if (connections > rate)
    throw new UsageError(
      `--connections: at most --rate (${rate}), got ${connections}: each connection sends at least one bid a second`,
    );
  return { url, tokens, lot, admin, rate, seconds, budgetMs, subscribers, connections, timeoutMs };
}
