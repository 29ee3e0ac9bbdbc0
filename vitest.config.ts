import { defineConfig } from 'vitest/config';

/**
 * Three tiers, told apart by file name:
 * - unit (`*.test.ts`): no services at all — pure code, handlers through `app.request()`, PGlite in memory;
 * - integration (`*.int.test.ts`): real Redis and PostgreSQL on 127.0.0.1, sockets, child processes;
 * - end to end (`*.e2e.test.ts`): Debian's Chromium driving the pages.
 * `npm test` runs all three; `npm run test:unit|test:int|test:e2e` one of them.
 */
const exclude = ['node_modules/**', 'test/artifacts/**'];

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // Suites share one Redis and one PostgreSQL but isolate by key prefix / schema,
    // so files may run in parallel; two cores means two workers.
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
    // Closes every server, stream and child process a test left open (test/support/registry.ts).
    setupFiles: ['test/support/registry-setup.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['**/*.test.ts'],
          exclude: [...exclude, '**/*.int.test.ts', '**/*.e2e.test.ts'],
        },
      },
      { extends: true, test: { name: 'integration', include: ['**/*.int.test.ts'], exclude } },
      { extends: true, test: { name: 'e2e', include: ['**/*.e2e.test.ts'], exclude } },
    ],
  },
});
