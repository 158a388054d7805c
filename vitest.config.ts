import { defineConfig } from 'vitest/config';

// Tests that start workers oversubscribe CI's two cores: run files one at a
// time, and give runs room; every run is bounded by forks, steps or time.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
