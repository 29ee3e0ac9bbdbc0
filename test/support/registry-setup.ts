/**
 * Vitest setup file (vitest.config.ts `setupFiles`): closes what each test opened after it, and
 * what the file opened after the file, through test/support/registry.ts. Its hooks are the
 * outermost, so a test file's own afterEach/afterAll run first and this only sweeps what is left.
 */
import { afterAll, afterEach, beforeEach } from 'vitest';
import { beginTest, closeAll } from './registry.ts';

function report(refused: string[], when: string): void {
  if (refused.length === 0) return;
  throw new Error(`${refused.length} resource(s) refused to close ${when}:\n  ${refused.join('\n  ')}`);
}

beforeEach((ctx) => {
  // Concurrent tests run interleaved: what they open stays the file's, closed after the file.
  if (ctx.task.concurrent !== true) beginTest();
});

afterEach(async () => {
  report(await closeAll('test'), 'after the test');
});

afterAll(async () => {
  report(await closeAll('file'), 'after the file');
});
