import {defineConfig} from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    globals: false,
    // Integration tests start real Redis servers, HTTP sites and node processes; on a 2-core
    // machine running them all at once starves the processes under test.
    fileParallelism: false,
    // CI runs set CI=true; Ink then draws only the final frame (is-in-ci), which the dashboard
    // tests (and operators at a terminal) must not get. The product sets the same before it
    // loads Ink for a terminal (src/cli/main.ts preferInteractiveInk).
    env: {CI: 'false', CONTINUOUS_INTEGRATION: 'false'},
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
