import {
  expectNoLeaks,
  runAction,
  useEmulator,
  type ActionRun,
} from '@rips-actions/action-testkit';
import { listGlobalClients } from '@rips-actions/auth-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { noteRecorder } from '../src/index.js';
import { LOGIN_ACTION, MFA_USER, setServerPhase, userSecrets } from './fixtures.js';
import { failureMessage } from './matrix-support.js';
import { SECTION } from './layout.js';

const JOBS = 4;
const STEP_MS = 30_000;
/**
 * Start phase in the TOTP step. The jobs' first codes reach the API 0.3 to 3 s later, still in
 * the same step, so every run has the same race. Later phases would let the first codes straddle
 * a step boundary, and earlier ones would lengthen each wait for the next step.
 */
const START_PHASE_MS = 24_000;
/** Jobs that succeed must do so within two time steps of the start. */
const SUCCESS_BOUND_MS = 2 * STEP_MS + 5000;
/** Every job must end, one way or the other, within this bound. */
const END_BOUND_MS = 80_000;

const emulator = useEmulator({ users: [MFA_USER] });
const recorder = noteRecorder(
  inject('resultsDir'),
  SECTION.parallel,
  `Parallel jobs sharing one TOTP secret (${JOBS} rips-login processes)`,
  2,
);

afterAll(async () => {
  await recorder.flush();
});

function describeRun(run: ActionRun, index: number): string {
  const seconds = (run.durationMs / 1000).toFixed(1);
  if (!run.failed) return `- job ${index + 1}: signed in after ${seconds} s.`;
  return `- job ${index + 1}: failed after ${seconds} s: "${failureMessage(run) ?? 'no message'}"`;
}

let runs: ActionRun[] = [];
let rateLimitAnswers = 0;

beforeAll(async () => {
  const clients = await listGlobalClients({ apiUrl: emulator.url });
  await emulator.control.resetLimits();
  // The actions read the server's time from its Date header, so moving the emulator clock
  // moves the step boundaries that the jobs wait for.
  await setServerPhase(emulator, START_PHASE_MS);
  await emulator.control.clearRequests();

  runs = await Promise.all(
    Array.from({ length: JOBS }, () =>
      runAction({
        action: LOGIN_ACTION,
        inputs: {
          'api-url': emulator.url,
          email: MFA_USER.email,
          password: MFA_USER.password,
          'client-id': clients['ci'] ?? '',
          'totp-secret': MFA_USER.totpSecret,
        },
        timeoutMs: 110_000,
      }),
    ),
  );
  const log = await emulator.control.requests();
  const mfaAnswers = log.filter((entry) => entry.path === '/mfas/token');
  rateLimitAnswers = mfaAnswers.filter((entry) => entry.status === 429).length;
  const refused = mfaAnswers.filter((entry) => entry.status === 400).length;
  const succeeded = runs.filter((run) => !run.failed).length;
  recorder.section.items.push(
    `${succeeded} of ${JOBS} jobs signed in; the API answered ${mfaAnswers.length} MFA ` +
      `requests: ${refused} refused codes (400) and ${rateLimitAnswers} rate-limit answers ` +
      `(429). The jobs started ${START_PHASE_MS / 1000} s into a 30 s step.`,
    runs.map(describeRun).join('\n'),
  );
}, 120_000);

describe('parallel logins with one TOTP secret', () => {
  it('every job ends in time without leaks', () => {
    expect(runs).toHaveLength(JOBS);
    for (const run of runs) {
      expect(run.timedOut).toBe(false);
      expect(run.durationMs).toBeLessThanOrEqual(END_BOUND_MS);
      expectNoLeaks(run, userSecrets(MFA_USER));
      if (run.failed) {
        expect(run.outputs).toEqual({});
      } else {
        expect(run.outputs['mfa-token']).toMatch(/^[0-9a-f]{40}$/);
      }
    }
  });

  // A job that loses the race for a time step three times fails with MFA_CODE_REJECTED or
  // MFA_RATE_LIMITED. Its message must explain that codes are single-use and how to avoid the
  // race, instead of blaming the secret, which is right.
  it('all succeed in two steps, or failures explain single use', () => {
    const failed = runs.filter((run) => run.failed);
    if (failed.length === 0) {
      expect(rateLimitAnswers).toBe(0);
      for (const run of runs) expect(run.durationMs).toBeLessThanOrEqual(SUCCESS_BOUND_MS);
      return;
    }
    for (const run of failed) {
      expect(failureMessage(run)).toMatch(/single-use/);
      expect(failureMessage(run)).toMatch(/one job/);
    }
  });
});
