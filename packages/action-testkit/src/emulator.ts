import { startEmulator, type Emulator, type EmulatorOptions } from '@rips-actions/rips-emulator';
import { afterAll, beforeAll } from 'vitest';

/** Options of {@link startTestEmulator}: the emulator's own, without `control`, which is always on. */
export type TestEmulatorOptions = Omit<EmulatorOptions, 'control'>;

// The emulator's default scrypt cost (N = 32768) makes every plain-auth request spend a slow
// hash, which adds up across a test file. Tests that measure that cost pass `scryptCost`.
const TEST_SCRYPT_COST = 1024;

/**
 * Starts a RIPS emulator on 127.0.0.1 with its control API enabled and a
 * cheap password hash.
 *
 * @example
 * ```ts
 * const emulator = await startTestEmulator({ tokenTtlSeconds: 60 });
 * try {
 *   const run = await runAction({ action, inputs: { 'api-url': emulator.url } });
 * } finally {
 *   await emulator.close();
 * }
 * ```
 */
export function startTestEmulator(options: TestEmulatorOptions = {}): Promise<Emulator> {
  return startEmulator({
    host: '127.0.0.1',
    scryptCost: TEST_SCRYPT_COST,
    ...options,
    control: true,
  });
}

/**
 * Starts one emulator for the current test file in `beforeAll` and closes
 * it in `afterAll`. The returned object forwards to the running emulator,
 * so read its properties only inside tests and hooks.
 *
 * @example
 * ```ts
 * const emulator = useEmulator();
 *
 * it('signs in with a password', async () => {
 *   const run = await runAction({ action, inputs: { 'api-url': emulator.url } });
 *   expect(run.exitCode).toBe(0);
 * });
 * ```
 */
export function useEmulator(options: TestEmulatorOptions = {}): Emulator {
  let running: Emulator | undefined;
  beforeAll(async () => {
    running = await startTestEmulator(options);
  });
  afterAll(async () => {
    await running?.close();
    running = undefined;
  });
  return new Proxy({} as Emulator, {
    get(_target, property) {
      if (running === undefined) {
        // Promise checks and inspection read these before any test runs.
        if (property === 'then' || typeof property === 'symbol') {
          return undefined;
        }
        throw new Error(
          `useEmulator: read "${String(property)}" outside a test; the emulator runs only ` +
            'between beforeAll and afterAll.',
        );
      }
      const value: unknown = Reflect.get(running, property);
      return typeof value === 'function' ? value.bind(running) : value;
    },
  });
}
