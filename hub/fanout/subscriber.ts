import { randomUUID } from 'node:crypto';
import { SUBSCRIPTION_TOPIC_PREFIX } from '../core/subscriptions.ts';
import { matchAny, mayMatchUnder } from '../core/topic-selector.ts';
import type { Update } from '../core/update.ts';

/** Where a subscriber's bytes go: a Node `ServerResponse` satisfies it. */
export interface SubscriberSink {
  write(chunk: Buffer): boolean;
  readonly writableLength: number;
  end(): void;
  destroy(): void;
}

export interface SubscriberInit {
  selectors: string[];
  /** `mercure.subscribe` selectors from the JWT; undefined = anonymous or no claim (public updates only). */
  claims: string[] | undefined;
  payload: unknown;
  sink: SubscriberSink;
}

/** One open subscription on this instance: what it asked for, what it may read, and where its bytes go. */
export class Subscriber {
  readonly id = `urn:uuid:${randomUUID()}`;
  readonly selectors: string[];
  readonly claims: string[] | undefined;
  readonly payload: unknown;
  readonly sink: SubscriberSink;
  /** Live updates that arrive while history is being replayed; null once live. */
  pending: Update[] | null = [];
  deadline = Infinity;
  closed = false;
  /** Bytes of the replay still buffered for this subscriber; they don't count against the live bound (see Hub.send). */
  replayBacklog = 0;
  /** Whether its claims may cover some subscription event (those are only ever matched for such subscribers). */
  readonly mayWatch: boolean;

  constructor(init: SubscriberInit) {
    this.selectors = init.selectors;
    this.claims = init.claims;
    this.payload = init.payload;
    this.sink = init.sink;
    this.mayWatch = init.claims?.some((c) => mayMatchUnder(c, SUBSCRIPTION_TOPIC_PREFIX)) ?? false;
  }

  canReceive(u: Update): boolean {
    // Claims first: they come from a signed token, while the selectors are whatever the client
    // sent, so a private update is never matched against a selector of someone who may not read it.
    if (u.private && (this.claims === undefined || !matchAny(this.claims, u.topics))) return false;
    return matchAny(this.selectors, u.topics);
  }
}
