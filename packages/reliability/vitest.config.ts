import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'reliability',
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Most of the run is waiting (Retry-After, TOTP steps, deadlines), not CPU, so more files
    // run at once than the machine has cores.
    maxWorkers: 8,
    // Vitest runs projects with their own maxWorkers as a separate group, after the others.
    sequence: { groupOrder: 1 },
  },
});
