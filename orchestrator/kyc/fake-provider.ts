/**
 * A local, real-HTTP KYC vendor that speaks our provider contract, for tests and for the embedded
 * demo (auto-verify). It records what it receives, answers starts idempotently, and sends signed
 * result webhooks with retries, recording every attempt.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import type { Logger } from '../../common/logger.ts';
import type { KycApplicant } from './provider.ts';
import { KYC_SIGNATURE_HEADER, signKycWebhook, type KycEvent, type KycResult } from './webhook.ts';

export type FakeDecision = KycResult | 'manual';

export interface FakeKycProviderOptions {
  apiKey: string;
  webhookSecret: string;
  host?: string;
  /** 0 (default) = any free port. */
  port?: number;
  /** What happens after a start: a result sent automatically, or `manual` (call `complete()`). Default verified. */
  decide?: (applicant: KycApplicant) => FakeDecision;
  /** Pause before an automatic result is sent, ms. Default 0. */
  delayMs?: number;
  /** Pause before answering `POST /v1/checks`, ms (to make a caller time out). Default 0. */
  responseDelayMs?: number;
  /** Delivery attempts per webhook (at least 3). Default 5. */
  maxAttempts?: number;
  /** Pause before the first retry, doubled for each next one, ms. Default 200. */
  backoffMs?: number;
  /** The fake's clock (completedAt of results), ms since the epoch. */
  now?: () => number;
  logger?: Logger;
}

export interface FakeReceivedRequest {
  method: string;
  path: string;
  headers: Record<string, string | undefined>;
  rawBody: string;
  body: unknown;
  /** What the fake answered. */
  status: number;
  at: number;
}

export interface FakeCheck {
  providerRef: string;
  reference: string;
  idempotencyKey: string;
  applicant: KycApplicant;
  callbackUrl: string;
  createdAt: number;
  /** The last result sent, if any. */
  result?: KycResult;
}

export interface FakeDeliveryAttempt {
  eventId: string;
  providerRef: string;
  url: string;
  attempt: number;
  /** HTTP status received; undefined when the request failed (`error`). */
  status?: number;
  responseBody?: string;
  error?: string;
  at: number;
}

export interface FakeDelivery {
  eventId: string;
  delivered: boolean;
  attempts: number;
  lastStatus?: number;
  event: KycEvent;
}

export interface SendOptions {
  /** Sign with this secret instead of the configured one (tests of a bad signature). */
  secret?: string;
  /** Use this timestamp for the signature, unix seconds (tests of a stale one). */
  signedAt?: number;
  /** Override the attempt count for this delivery. */
  maxAttempts?: number;
}

export interface CompleteOptions extends SendOptions {
  reason?: string;
  /** The result's time; default the fake's clock. */
  completedAt?: Date;
  eventId?: string;
}

const startBody = z.object({
  reference: z.string().min(1).max(200),
  applicant: z.object({
    id: z.string().min(1),
    name: z.string().min(1),
    email: z.string().optional(),
    country: z.string().optional(),
  }),
  callbackUrl: z.url(),
});

const MAX_BODY = 64 * 1024;

export class FakeKycProvider {
  readonly #opts: FakeKycProviderOptions;
  readonly #server: Server;
  #url = '';
  readonly #requests: FakeReceivedRequest[] = [];
  readonly #attempts: FakeDeliveryAttempt[] = [];
  readonly #checks = new Map<string, FakeCheck>();
  readonly #byKey = new Map<string, { providerRef: string; rawBody: string }>();
  readonly #events = new Map<string, { event: KycEvent; body: string; callbackUrl: string }>();
  readonly #pending = new Set<Promise<unknown>>();
  readonly #timers = new Map<NodeJS.Timeout, () => void>();
  #refusals: { status: number; code: string; message: string }[] = [];
  #stopped = false;

  private constructor(opts: FakeKycProviderOptions) {
    this.#opts = opts;
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((err: unknown) => {
        opts.logger?.error({ err }, 'fake kyc provider: request failed');
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
  }

  /** Starts listening; `url` is then the base URL to configure as KYC_PROVIDER_URL. */
  static async start(opts: FakeKycProviderOptions): Promise<FakeKycProvider> {
    const fake = new FakeKycProvider(opts);
    await new Promise<void>((resolve, reject) => {
      fake.#server.once('error', reject);
      fake.#server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
    });
    const { address, port } = fake.#server.address() as AddressInfo;
    fake.#url = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
    return fake;
  }

  get url(): string {
    return this.#url;
  }

  /** Every request received, in order (`POST /v1/checks` and anything else). */
  get requests(): readonly FakeReceivedRequest[] {
    return [...this.#requests];
  }

  /** Every webhook delivery attempt, in order. */
  get deliveries(): readonly FakeDeliveryAttempt[] {
    return [...this.#attempts];
  }

  checks(): FakeCheck[] {
    return [...this.#checks.values()].map((c) => ({ ...c }));
  }

  check(providerRef: string): FakeCheck | undefined {
    const c = this.#checks.get(providerRef);
    return c === undefined ? undefined : { ...c };
  }

  /** The next `count` starts are answered `status` with the vendor error body (e.g. 422 or 503). */
  refuseNextStarts(status: number, count = 1, message = 'refused by the fake provider'): void {
    for (let i = 0; i < count; i++) this.#refusals.push({ status, code: `HTTP_${status}`, message });
  }

  /** Sends a result for `providerRef` now (a `manual` check, or a second result); resolves when delivered or given up. */
  complete(providerRef: string, result: KycResult, opts: CompleteOptions = {}): Promise<FakeDelivery> {
    const check = this.#checks.get(providerRef);
    if (check === undefined) return Promise.reject(new Error(`fake kyc provider: no check ${providerRef}`));
    const completedAt = opts.completedAt ?? new Date(this.#now());
    const event: KycEvent = {
      id: opts.eventId ?? `evt_${randomUUID()}`,
      type: 'check.completed',
      data: {
        providerRef,
        reference: check.reference,
        result,
        ...(opts.reason === undefined ? {} : { reason: opts.reason }),
        completedAt: completedAt.toISOString(),
      },
    };
    check.result = result;
    const body = JSON.stringify(event);
    this.#events.set(event.id, { event, body, callbackUrl: check.callbackUrl });
    return this.#track(this.#deliver(event, body, check.callbackUrl, opts));
  }

  /** Delivers an event already sent once more, byte for byte (a provider's duplicate), freshly signed. */
  resend(eventId: string, opts: SendOptions = {}): Promise<FakeDelivery> {
    const sent = this.#events.get(eventId);
    if (sent === undefined) return Promise.reject(new Error(`fake kyc provider: no event ${eventId}`));
    return this.#track(this.#deliver(sent.event, sent.body, sent.callbackUrl, opts));
  }

  /** The events sent so far, oldest first. */
  events(): KycEvent[] {
    return [...this.#events.values()].map((e) => e.event);
  }

  /** Resolves when every automatic and manual delivery under way has finished. */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  /** Stops listening and abandons deliveries still waiting to retry. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    // Sleeping deliveries wake up, see the fake stopped and give up.
    for (const [t, wake] of this.#timers) {
      clearTimeout(t);
      wake();
    }
    this.#timers.clear();
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  #now(): number {
    return (this.#opts.now ?? Date.now)();
  }

  #track<T>(p: Promise<T>): Promise<T> {
    this.#pending.add(p);
    const done = (): void => {
      this.#pending.delete(p);
    };
    p.then(done, done);
    return p;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawBody = await readBody(req);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const headers: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    const record: FakeReceivedRequest = {
      method: req.method ?? 'GET',
      path,
      headers,
      rawBody: rawBody ?? '',
      body: safeJson(rawBody ?? ''),
      status: 0,
      at: Date.now(),
    };
    this.#requests.push(record);
    const send = (status: number, body: unknown): void => {
      record.status = status;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const fail = (status: number, code: string, message: string): void =>
      send(status, { error: { code, message } });

    if (this.#opts.responseDelayMs !== undefined && this.#opts.responseDelayMs > 0) {
      await this.#sleep(this.#opts.responseDelayMs);
    }
    if (req.method !== 'POST' || path !== '/v1/checks') return fail(404, 'NOT_FOUND', 'POST /v1/checks');
    if (rawBody === undefined) return fail(413, 'BODY_TOO_LARGE', `at most ${MAX_BODY} bytes`);
    if (headers.authorization !== `Bearer ${this.#opts.apiKey}`) {
      return fail(401, 'UNAUTHORIZED', 'missing or invalid API key');
    }
    const refusal = this.#refusals.shift();
    if (refusal !== undefined) return fail(refusal.status, refusal.code, refusal.message);
    const key = headers['idempotency-key'];
    if (key === undefined || key === '')
      return fail(400, 'IDEMPOTENCY_KEY_REQUIRED', 'send an Idempotency-Key');
    const parsed = startBody.safeParse(record.body);
    if (!parsed.success) {
      return fail(
        400,
        'INVALID_REQUEST',
        parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
      );
    }
    const prior = this.#byKey.get(key);
    if (prior !== undefined) {
      if (prior.rawBody !== rawBody) {
        return fail(422, 'IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used with a different request');
      }
      return send(200, this.#startAnswer(prior.providerRef));
    }
    const providerRef = `chk_${randomUUID()}`;
    const check: FakeCheck = {
      providerRef,
      reference: parsed.data.reference,
      idempotencyKey: key,
      applicant: parsed.data.applicant,
      callbackUrl: parsed.data.callbackUrl,
      createdAt: Date.now(),
    };
    this.#checks.set(providerRef, check);
    this.#byKey.set(key, { providerRef, rawBody });
    send(201, this.#startAnswer(providerRef));

    const decision = (this.#opts.decide ?? (() => 'verified'))(check.applicant);
    if (decision === 'manual') return;
    // After the answer has been written: the result may still reach the caller before the answer does.
    const auto = async (): Promise<void> => {
      await this.#sleep(this.#opts.delayMs ?? 0);
      if (this.#stopped) return;
      await this.complete(
        providerRef,
        decision,
        decision === 'rejected' ? { reason: 'identity could not be confirmed' } : {},
      );
    };
    void this.#track(auto());
  }

  #startAnswer(providerRef: string): Record<string, string> {
    return { providerRef, status: 'pending', verificationUrl: `${this.#url}/verify/${providerRef}` };
  }

  async #deliver(event: KycEvent, body: string, url: string, opts: SendOptions): Promise<FakeDelivery> {
    const max = Math.max(opts.maxAttempts ?? this.#opts.maxAttempts ?? 5, 1);
    let lastStatus: number | undefined;
    let made = 0;
    for (let attempt = 1; attempt <= max; attempt++) {
      if (this.#stopped) break;
      made = attempt;
      const t = opts.signedAt ?? Math.floor(this.#now() / 1000);
      const entry: FakeDeliveryAttempt = {
        eventId: event.id,
        providerRef: event.data.providerRef,
        url,
        attempt,
        at: Date.now(),
      };
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            [KYC_SIGNATURE_HEADER]: signKycWebhook(opts.secret ?? this.#opts.webhookSecret, body, t),
          },
          body,
          signal: AbortSignal.timeout(5_000),
        });
        entry.status = res.status;
        entry.responseBody = await res.text();
        lastStatus = res.status;
      } catch (err) {
        entry.error = err instanceof Error ? err.message : String(err);
      }
      this.#attempts.push(entry);
      if (entry.status !== undefined && entry.status >= 200 && entry.status < 300) {
        return { eventId: event.id, delivered: true, attempts: attempt, lastStatus: entry.status, event };
      }
      this.#opts.logger?.debug({ ...entry }, 'fake kyc provider: webhook not accepted');
      if (attempt < max) await this.#sleep((this.#opts.backoffMs ?? 200) * 2 ** (attempt - 1));
    }
    return {
      eventId: event.id,
      delivered: false,
      attempts: made,
      ...(lastStatus === undefined ? {} : { lastStatus }),
      event,
    };
  }

  #sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.#timers.delete(t);
        resolve();
      }, ms);
      this.#timers.set(t, resolve);
    });
  }
}

/** The body as text, or undefined past the limit. */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) over = true;
      else chunks.push(chunk);
    });
    req.once('end', () => resolve(over ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
