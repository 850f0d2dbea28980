import {
  expectNoLeaks,
  hostileCredential,
  LONG_CREDENTIAL_LENGTH,
  runAction,
  startTestEmulator,
  useEmulator,
  type ActionRun,
  type Secret,
} from '@rips-actions/action-testkit';
import { login } from '@rips-actions/auth-core';
import type { Emulator, UserSeed } from '@rips-actions/rips-emulator';
import fc from 'fast-check';
import { afterAll, describe, expect, inject, it } from 'vitest';

import { noteRecorder, observeCore } from '../src/index.js';
import { CI_USER, LOGIN_ACTION, MFA_USER, REQUEST_ACTION } from './fixtures.js';
import { SECTION } from './layout.js';
import { failureMessage, observeFromCore } from './matrix-support.js';

// Each bundle run starts Node.js and often an emulator, 0.2 to 0.5 s on a 2-core machine, so
// the properties that run a bundle stay at 10 to 15 runs. The seed is fixed so that a failure
// can be replayed. Bundles run with debug logging on (RUNNER_DEBUG=1), so the scan covers
// debug lines too.
const SEED = 20_261_204;
const EMAIL = 'hostile@example.com';

const sharedEmulator = useEmulator({ users: [CI_USER, MFA_USER] });
const recorder = noteRecorder(
  inject('resultsDir'),
  SECTION.leaks,
  'Secret-leak hunting with hostile credentials (bundles with RUNNER_DEBUG=1)',
  7,
);

afterAll(async () => {
  await recorder.flush();
});

/** Starts an emulator whose only user has `password`, runs `body`, and closes it. */
async function withUser<T>(seed: UserSeed, body: (emulator: Emulator) => Promise<T>): Promise<T> {
  const emulator = await startTestEmulator({ users: [seed] });
  try {
    return await body(emulator);
  } finally {
    await emulator.close();
  }
}

/** Returns the given secrets plus every value of 8 or more characters that the run masked. */
function withMasks(run: ActionRun, secrets: Secret[]): Secret[] {
  const masked = run.masks
    .filter((value) => value.length >= 8)
    .map((value, index) => ({ label: `masked value ${index + 1}`, value }));
  return [...secrets, ...masked];
}

/**
 * Runs a property and records one line for the report: the number of runs and whether every
 * run held, or the first line of the counterexample report.
 */
async function checkProperty(
  title: string,
  property: fc.IAsyncPropertyWithHooks<[string]>,
  numRuns: number,
): Promise<void> {
  try {
    await fc.assert(property, { numRuns, seed: SEED, endOnFailure: true });
    recorder.section.items.push(`- ${title}: ${numRuns} runs, no secret form in any output.`);
  } catch (error: unknown) {
    const first = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    recorder.section.items.push(`- ${title}: FAILED (${first}).`);
    throw error;
  }
}

describe('hostile credentials leak nowhere', () => {
  it('auth-core login with a hostile password', async () => {
    await checkProperty(
      'auth-core `login`, correct hostile password, logs and error text',
      fc.asyncProperty(hostileCredential(), async (password) => {
        await withUser({ email: EMAIL, password }, async (emulator) => {
          const result = await observeCore(({ logger, onSecret }) =>
            login({ apiUrl: emulator.url, email: EMAIL, password, logger, onSecret }),
          );
          const observation = observeFromCore(result, 0, [{ label: 'password', value: password }]);
          expect(result.message).toBeUndefined();
          expect(result.ok).toBe(true);
          expect(observation.leaks).toEqual([]);
        });
      }),
      40,
    );
  });

  it('rips-login signs in with a hostile password', async () => {
    await checkProperty(
      'rips-login bundle, correct hostile password (password grant)',
      fc.asyncProperty(hostileCredential(), async (password) => {
        await withUser({ email: EMAIL, password }, async (emulator) => {
          const run = await runAction({
            action: LOGIN_ACTION,
            debug: true,
            inputs: { 'api-url': emulator.url, email: EMAIL, password, 'export-env': 'true' },
          });
          expect(failureMessage(run)).toBeUndefined();
          expect(run.exitCode).toBe(0);
          expect(run.outputs['user-email']).toBe(EMAIL);
          expectNoLeaks(run, withMasks(run, [{ label: 'password', value: password }]));
        });
      }),
      15,
    );
  });

  it('rips-login rejects a wrong hostile password', async () => {
    await checkProperty(
      'rips-login bundle, wrong hostile password (error path)',
      fc.asyncProperty(hostileCredential(), async (password) => {
        const run = await runAction({
          action: LOGIN_ACTION,
          debug: true,
          inputs: { 'api-url': sharedEmulator.url, email: CI_USER.email, password },
        });
        expect(failureMessage(run)).toMatch(/the API rejected the e-mail or password/);
        expect(run.outputs).toEqual({});
        expectNoLeaks(run, withMasks(run, [{ label: 'password', value: password }]));
      }),
      10,
    );
  });

  it('rips-login rejects a hostile TOTP secret', async () => {
    await checkProperty(
      'rips-login bundle, hostile value as totp-secret (validation error path)',
      fc.asyncProperty(hostileCredential(), async (totpSecret) => {
        const run = await runAction({
          action: LOGIN_ACTION,
          debug: true,
          inputs: {
            'api-url': sharedEmulator.url,
            email: MFA_USER.email,
            password: MFA_USER.password,
            'totp-secret': totpSecret,
          },
        });
        // Most values fail validation with a message that names totp-secret. Values that pass it
        // but that otplib refuses fail later with otplib's message, a known bug that
        // test/totp-secret-validation.test.ts covers. Either way the step fails without outputs.
        expect(run.failed).toBe(true);
        expect(failureMessage(run)).toBeDefined();
        expect(run.outputs).toEqual({});
        expectNoLeaks(
          run,
          withMasks(run, [
            { label: 'TOTP secret', value: totpSecret },
            { label: 'password', value: MFA_USER.password },
          ]),
        );
      }),
      10,
    );
  });

  it('rips-request sends a hostile password as plain headers', async () => {
    await checkProperty(
      'rips-request bundle, hostile password with plain header authentication ' +
        '(10 KiB values get 431 from the server, because they travel as headers)',
      fc.asyncProperty(hostileCredential(), async (password) => {
        await withUser({ email: EMAIL, password }, async (emulator) => {
          const run = await runAction({
            action: REQUEST_ACTION,
            debug: true,
            inputs: { 'api-url': emulator.url, path: '/status', email: EMAIL, password },
          });
          expectNoLeaks(run, withMasks(run, [{ label: 'password', value: password }]));
          if (password.length >= LONG_CREDENTIAL_LENGTH) {
            // Plain authentication sends the password as headers, raw and base64 (about
            // 24 KiB for 10 KiB of ASCII), above the 16 KiB header limit of Node.js servers.
            expect(failureMessage(run)).toMatch(
              /returned status 431 \(Request Header Fields Too Large\)/,
            );
            expect(run.outputs).toEqual({});
            return;
          }
          expect(failureMessage(run)).toBeUndefined();
          expect(run.outputs['status']).toBe('200');
        });
      }),
      10,
    );
  });

  it('rips-login rejects a hostile refresh token', async () => {
    await checkProperty(
      'rips-login bundle, hostile value as refresh-token (refresh grant, error path)',
      fc.asyncProperty(hostileCredential(), async (refreshToken) => {
        const run = await runAction({
          action: LOGIN_ACTION,
          debug: true,
          inputs: {
            'api-url': sharedEmulator.url,
            grant: 'refresh',
            'refresh-token': refreshToken,
          },
        });
        expect(run.failed).toBe(true);
        expect(failureMessage(run)).toMatch(/refresh token/);
        expect(run.outputs).toEqual({});
        expectNoLeaks(run, withMasks(run, [{ label: 'refresh token', value: refreshToken }]));
      }),
      10,
    );
  });

  it('rips-request rejects a hostile access token', async () => {
    await checkProperty(
      'rips-request bundle, hostile value as access-token (error path)',
      fc.asyncProperty(hostileCredential(), async (accessToken) => {
        const run = await runAction({
          action: REQUEST_ACTION,
          debug: true,
          inputs: {
            'api-url': sharedEmulator.url,
            path: '/applications',
            'access-token': accessToken,
          },
        });
        expect(run.failed).toBe(true);
        expect(failureMessage(run)).toMatch(/access-token: |rejected the credentials/);
        expect(run.outputs).toEqual({});
        expectNoLeaks(run, withMasks(run, [{ label: 'access token', value: accessToken }]));
      }),
      10,
    );
  });
});
