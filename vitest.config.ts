import { defineConfig } from 'vitest/config';

// Tests that start workers oversubscribe CI's two cores: run files one at a
// time, and give runs room; every run is bounded by forks, steps or time.
// `npm test` runs test/*.test.ts; the slow group (test/slow/, million-fork
// and soak runs) runs with `npm run test:slow` (VITEST_SLOW=1).
export default defineConfig({
  test: {
    include: process.env.VITEST_SLOW ? ['test/slow/**/*.test.ts'] : ['test/*.test.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
