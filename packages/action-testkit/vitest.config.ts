import { defineProject } from 'vitest/config';

// A config of its own lets `vitest run` work from this directory; the root config still picks
// this package up as one of its projects.
export default defineProject({
  test: {
    name: 'action-testkit',
    include: ['test/**/*.test.ts'],
  },
});
