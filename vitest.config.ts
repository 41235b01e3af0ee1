import {defineConfig} from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    globals: false,
    // Integration tests start real Redis servers, HTTP sites and node processes; on a 2-core
    // machine running them all at once starves the processes under test.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
