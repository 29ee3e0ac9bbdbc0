import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'test/artifacts/**'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // Suites share one Redis and one PostgreSQL but isolate by key prefix / schema,
    // so files may run in parallel; two cores means two workers.
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
