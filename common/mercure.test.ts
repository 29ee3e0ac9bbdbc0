import { describe, expect, it } from 'vitest';
import { mercureLink } from './mercure.ts';

/**
 * The discovery header a resource with live updates carries (`Link: <hub>; rel="mercure"`), as
 * the gateway sets it for the hub's clients.
 */
describe('discovery: the Link header of a resource with live updates', () => {
  it('is <hub>; rel="mercure"', () => {
    expect(mercureLink('https://hub.example/.well-known/mercure')).toBe(
      '<https://hub.example/.well-known/mercure>; rel="mercure"',
    );
  });

  it('adds the last-event-id a client should resume from when one is named', () => {
    expect(mercureLink('https://hub.example/.well-known/mercure', 'urn:uuid:42')).toBe(
      '<https://hub.example/.well-known/mercure>; rel="mercure"; last-event-id="urn:uuid:42"',
    );
  });

  it('escapes quotes and backslashes in the id', () => {
    expect(mercureLink('https://h/', 'a"b\\c')).toBe(
      '<https://h/>; rel="mercure"; last-event-id="a\\"b\\\\c"',
    );
  });
});
