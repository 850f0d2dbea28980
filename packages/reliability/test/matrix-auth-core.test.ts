import { useEmulator } from '@rips-actions/action-testkit';
import { listGlobalClients, login, type LoginResult } from '@rips-actions/auth-core';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';

import {
  matrixRecorder,
  observeCore,
  startRecordingServer,
  type RecordingServer,
} from '../src/index.js';
import { TOKEN_TTL_SECONDS, USERS, userSecrets } from './fixtures.js';
import { LOGIN_EXPECTATIONS } from './login-expectations.js';
import { SECTION } from './layout.js';
import {
  assertObservation,
  countRequests,
  observeFromCore,
  toRow,
  withSideTask,
} from './matrix-support.js';
import { FAULT, SCENARIOS, type ScenarioContext } from './scenarios.js';

const emulator = useEmulator({ users: USERS, tokenTtlSeconds: TOKEN_TTL_SECONDS });
const EXPECTATIONS = LOGIN_EXPECTATIONS;
const recorder = matrixRecorder(inject('resultsDir'), SECTION.authCore, SCENARIOS.length);
let otherOrigin: RecordingServer;
let clientId: string;

beforeAll(async () => {
  otherOrigin = await startRecordingServer();
  const clients = await listGlobalClients({ apiUrl: emulator.url });
  clientId = clients['ci'] ?? '';
});

afterAll(async () => {
  await otherOrigin.close();
  await recorder.flush();
});

beforeEach(async () => {
  await emulator.control.clearFaults();
  await emulator.control.setClockOffset(0);
  await emulator.control.resetLimits();
});

describe('auth-core login under faults', () => {
  for (const scenario of SCENARIOS) {
    const expectation = EXPECTATIONS[scenario.fault];
    const test = expectation.bug === undefined ? it : it.fails;
    test(scenario.fault, async () => {
      const context: ScenarioContext = {
        emulator,
        readPath: '/status',
        firstPath: '/oauth/v2/auth/tokens',
        otherOrigin,
      };
      const arrangement = await scenario.arrange(context);
      await emulator.control.clearRequests();
      const redirectsBefore = otherOrigin.requests.length;

      const result = await withSideTask(arrangement, () =>
        observeCore<LoginResult>(({ logger, onSecret }) =>
          login({
            apiUrl: arrangement.apiUrl ?? emulator.url,
            grant: 'password',
            email: scenario.user.email,
            password: scenario.user.password,
            clientId,
            totpSecret: scenario.user.totpSecret,
            timeoutMs: (arrangement.timeoutSeconds ?? 10) * 1000,
            retries: 2,
            logger,
            onSecret,
          }),
        ),
      );
      const observation = observeFromCore(
        result,
        await countRequests(emulator),
        userSecrets(scenario.user),
      );
      recorder.section.rows.push(toRow(scenario, 'auth-core', expectation, observation));

      assertObservation(expectation, observation);
      expect(otherOrigin.requests.length, 'requests at the other origin').toBe(redirectsBefore);
      if (scenario.fault === FAULT.clockAhead || scenario.fault === FAULT.clockBehind) {
        // expires_in counts from the client's receipt, so the expiry is on the client's clock.
        const expiresAt = result.value?.expiresAt?.getTime() ?? 0;
        expect(Math.abs(expiresAt - (Date.now() + TOKEN_TTL_SECONDS * 1000))).toBeLessThan(5000);
        expect(result.value?.mfaToken).toMatch(/^[0-9a-f]{40}$/);
      }
    });
  }
});
