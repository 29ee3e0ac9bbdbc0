import { describe, expect, it } from 'vitest';
import { Subscriber, type SubscriberSink } from './subscriber.ts';
import type { Update } from '../core/update.ts';

const sink: SubscriberSink = { write: () => true, writableLength: 0, end: () => {}, destroy: () => {} };
const update = (topics: string[], priv = false): Update => ({ id: 'u', topics, data: '', private: priv });

describe('Subscriber', () => {
  it('receives a public update when one of its selectors matches one of its topics', () => {
    const s = new Subscriber({
      selectors: ['https://h/books/{id}'],
      claims: undefined,
      payload: undefined,
      sink,
    });
    expect(s.canReceive(update(['https://h/books/1']))).toBe(true);
    expect(s.canReceive(update(['https://h/authors/1', 'https://h/books/2']))).toBe(true);
    expect(s.canReceive(update(['https://h/authors/1']))).toBe(false);
  });

  it('receives a private update only when its claims cover one of its topics, and its selectors too', () => {
    const anonymous = new Subscriber({ selectors: ['*'], claims: undefined, payload: undefined, sink });
    expect(anonymous.canReceive(update(['https://h/a'], true))).toBe(false);
    const claimed = new Subscriber({ selectors: ['*'], claims: ['https://h/a'], payload: undefined, sink });
    expect(claimed.canReceive(update(['https://h/a'], true))).toBe(true);
    expect(claimed.canReceive(update(['https://h/b'], true))).toBe(false);
    const narrow = new Subscriber({ selectors: ['https://h/b'], claims: ['*'], payload: undefined, sink });
    expect(narrow.canReceive(update(['https://h/a'], true))).toBe(false);
  });

  it('may watch subscription events only when its claims may reach the subscription topics', () => {
    const watch = (claims: string[] | undefined): boolean =>
      new Subscriber({ selectors: ['*'], claims, payload: undefined, sink }).mayWatch;
    expect(watch(undefined)).toBe(false);
    expect(watch(['https://h/{id}'])).toBe(false);
    expect(watch(['*'])).toBe(true);
    expect(watch(['/.well-known/mercure/subscriptions/{topic}/{subscriber}'])).toBe(true);
    expect(watch(['/.well-known/mercure/subscriptions/x/y'])).toBe(true);
  });

  it('gets an id of its own', () => {
    const a = new Subscriber({ selectors: ['*'], claims: undefined, payload: undefined, sink });
    const b = new Subscriber({ selectors: ['*'], claims: undefined, payload: undefined, sink });
    expect(a.id).toMatch(/^urn:uuid:/);
    expect(a.id).not.toBe(b.id);
  });
});
