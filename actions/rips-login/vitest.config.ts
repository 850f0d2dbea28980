import { defineProject } from 'vitest/config';

// A config of its own lets `vitest run` work from this directory; the root config still picks
// this action up as one of its projects.
export default defineProject({
  test: {
    name: 'rips-login',
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
