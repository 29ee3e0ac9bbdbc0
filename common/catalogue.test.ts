import { describe, expect, it } from 'vitest';
import { DeferredCatalogue, staticCatalogue } from './catalogue.ts';

describe('DeferredCatalogue', () => {
  it('holds reads until its source is known, then answers them and every later one from it', async () => {
    const deferred = new DeferredCatalogue();
    let answered = false;
    const early = deferred.sales().then((s) => {
      answered = true;
      return s;
    });
    // A read of a static catalogue settles within a few microtasks; the early read must still wait.
    await staticCatalogue([]).sales();
    await Promise.resolve();
    expect(answered).toBe(false);
    deferred.resolve(
      staticCatalogue([{ id: 's1', title: 'Sale', mode: 'timed', currency: 'EUR', lots: [] }]),
    );
    expect((await early).map((s) => s.id)).toEqual(['s1']);
    expect((await deferred.sale('s1'))?.title).toBe('Sale');
    expect(await deferred.sale('nope')).toBeUndefined();
  });
});
