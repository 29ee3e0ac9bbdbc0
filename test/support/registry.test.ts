import { describe, expect, it } from 'vitest';
import { beginTest, closeAll, stillOpen, track, tracked } from './registry.ts';

describe('the registry of what tests open', () => {
  it('closes what is still open newest first, and forgets it', async () => {
    const closed: string[] = [];
    for (const name of ['first', 'second', 'third']) track(`order ${name}`, () => void closed.push(name));
    expect(stillOpen()).toEqual(expect.arrayContaining(['order first', 'order second', 'order third']));
    expect(await closeAll('test')).toEqual([]);
    beginTest();
    expect(closed).toEqual(['third', 'second', 'first']);
    expect(stillOpen().filter((n) => n.startsWith('order '))).toEqual([]);
  });

  it('closes a resource once: closing it early takes it out of the registry', async () => {
    let closes = 0;
    const close = track('early', () => {
      closes++;
    });
    await close();
    await close();
    expect(stillOpen()).not.toContain('early');
    await closeAll('test');
    beginTest();
    expect(closes).toBe(1);
  });

  it('reports what throws or does not finish closing in time, and still closes the rest', async () => {
    let fineClosed = false;
    track('fine', () => {
      fineClosed = true;
    });
    track('hangs', () => new Promise(() => undefined));
    track('throws', () => {
      throw new Error('boom');
    });
    const refused = await closeAll('test', 50);
    beginTest();
    expect(refused).toEqual(['throws: boom', 'hangs: still closing after 50 ms']);
    expect(fineClosed).toBe(true);
    expect(stillOpen()).toEqual([]);
  });

  it("keeps what the file opened (outside a test) until the file's cleanup", async () => {
    await closeAll('test');
    // Between tests, as in beforeAll: file scope.
    let closed = false;
    track('file-wide', () => {
      closed = true;
    });
    beginTest();
    expect(await closeAll('test')).toEqual([]);
    beginTest();
    expect(closed).toBe(false);
    expect(await closeAll('file')).toEqual([]);
    expect(closed).toBe(true);
  });

  it("routes an object's own close through the registry", async () => {
    let closes = 0;
    const resource = tracked('object', {
      close: () => {
        closes++;
        return Promise.resolve();
      },
    });
    expect(stillOpen()).toContain('object');
    await resource.close();
    expect(stillOpen()).not.toContain('object');
    await closeAll('test');
    beginTest();
    expect(closes).toBe(1);
  });
});
