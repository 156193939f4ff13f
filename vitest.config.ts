import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    benchmark: { include: ['test/bench/**/*.bench.ts'] },
    testTimeout: 20_000,
    // 2-core machines: property and scenario tests are CPU-bound, one worker per core is plenty.
    maxWorkers: 2,
  },
});
