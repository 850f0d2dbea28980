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
/** Start phase in the TOTP step: late, so that the wait for each next step is short. */
const START_PHASE_MS = 27_000;
/** A job that succeeds must do so within two time steps. */
const SUCCESS_BOUND_MS = 2 * STEP_MS + 5000;
/** A job that fails must give up within this bound. */
const FAILURE_BOUND_MS = 75_000;

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
  it('every job ends within its bound without leaks', () => {
    expect(runs).toHaveLength(JOBS);
    for (const run of runs) {
      expect(run.timedOut).toBe(false);
      expectNoLeaks(run, userSecrets(MFA_USER));
      if (run.failed) {
        expect(run.outputs).toEqual({});
        expect(run.durationMs).toBeLessThanOrEqual(FAILURE_BOUND_MS);
      } else {
        expect(run.durationMs).toBeLessThanOrEqual(SUCCESS_BOUND_MS);
        expect(run.outputs['mfa-token']).toMatch(/^[0-9a-f]{40}$/);
      }
    }
  });

  // NOTE: auth-core and rips-login bug. The job that loses the race for a time step three times
  // fails with MfaCodeRejectedError, whose message blames the secret ("check that the secret
  // belongs to this account") although the codes were right and other jobs had used their
  // steps. rips-login adds its single-use hint only to MFA_RATE_LIMITED. The jobs also reach
  // the rate limit on the way, so neither outcome that a shared secret allows happens.
  it.fails('all succeed, or the failures explain single use', () => {
    const succeeded = runs.filter((run) => !run.failed).length;
    if (succeeded === JOBS) {
      expect(rateLimitAnswers).toBe(0);
      return;
    }
    for (const run of runs.filter((failed) => failed.failed)) {
      expect(failureMessage(run)).toMatch(/single-use/);
      expect(failureMessage(run)).toMatch(/one job/);
    }
  });
});
