import { fileURLToPath } from 'node:url';

import {
  expectNoLeaks,
  runAction,
  useEmulator,
  type ActionRun,
  type Secret,
} from '@rips-actions/action-testkit';
import { DEMO_EMAIL, DEMO_PASSWORD, DEMO_TOTP_SECRET } from '@rips-actions/rips-emulator';
import { describe, expect, it } from 'vitest';

import { ACTION_DIR, CI_USER, errorsOf, USERS } from './helpers.js';

// These tests chain the committed bundles of both actions as steps of one job: the outputs or
// exported variables of rips-login become the inputs or environment of rips-request.
const LOGIN_DIR = fileURLToPath(new URL('../../rips-login', import.meta.url));

const emulator = useEmulator({ users: USERS });

/** Secrets given to or produced by the steps of a job, labelled for the leak scan. */
function jobSecrets(...runs: ActionRun[]): Secret[] {
  const secrets: Secret[] = [
    { label: 'demo password', value: DEMO_PASSWORD },
    { label: 'ci password', value: CI_USER.password },
    { label: 'TOTP secret', value: DEMO_TOTP_SECRET },
  ];
  for (const [index, run] of runs.entries()) {
    for (const name of ['access-token', 'refresh-token', 'mfa-token']) {
      const value = run.outputs[name];
      if (value !== undefined && value !== '') {
        secrets.push({ label: `step ${index + 1} ${name}`, value });
      }
    }
  }
  return secrets;
}

/** Carries the variables a step exported into the environment of the next, as the runner does. */
function carry(
  env: Record<string, string | undefined>,
  run: ActionRun,
): Record<string, string | undefined> {
  return { ...env, ...run.exportedEnv };
}

describe('rips-login then rips-request', () => {
  it('chains login outputs and variables', async () => {
    const login = await runAction({
      action: LOGIN_DIR,
      inputs: {
        'api-url': emulator.url,
        email: DEMO_EMAIL,
        password: DEMO_PASSWORD,
        'totp-secret': DEMO_TOTP_SECRET,
        'export-env': true,
      },
    });
    expect(errorsOf(login)).toEqual([]);
    expect(login.outputs['auth-method']).toBe('password');

    const withOutputs = await runAction({
      action: ACTION_DIR,
      inputs: {
        'api-url': emulator.url,
        'access-token': login.outputs['access-token'] ?? '',
        'refresh-token': login.outputs['refresh-token'] ?? '',
        'mfa-token': login.outputs['mfa-token'] ?? '',
        'client-id': login.outputs['client-id'] ?? '',
        path: '/status',
      },
    });
    expect(errorsOf(withOutputs)).toEqual([]);
    expect(JSON.parse(withOutputs.outputs['body'] ?? '{}')).toMatchObject({
      user: { email: DEMO_EMAIL, mfa: { enabled: true } },
    });

    const env = carry({}, login);
    const created = await runAction({
      action: ACTION_DIR,
      inputs: { method: 'POST', path: '/applications', body: '{"application":{"name":"job"}}' },
      env,
    });
    expect(errorsOf(created)).toEqual([]);
    expect(created.outputs['status']).toBe('200');

    // The token expires between steps: the request step refreshes it and exports the new pair,
    // so that the next step does not send the spent refresh token.
    await emulator.control.expireUser(DEMO_EMAIL);
    const refreshed = await runAction({
      action: ACTION_DIR,
      inputs: { path: '/applications' },
      env,
    });
    expect(errorsOf(refreshed)).toEqual([]);
    expect(refreshed.outputs['refreshed']).toBe('true');
    expect(refreshed.exportedEnv['RIPS_REFRESH_TOKEN']).not.toBe(env['RIPS_REFRESH_TOKEN']);

    await emulator.control.expireUser(DEMO_EMAIL);
    const next = await runAction({
      action: ACTION_DIR,
      inputs: { path: '/applications' },
      env: carry(env, refreshed),
    });
    expect(errorsOf(next)).toEqual([]);
    expect(next.outputs['refreshed']).toBe('true');
    expect(JSON.parse(next.outputs['body'] ?? '[]')).toEqual([
      expect.objectContaining({ name: 'job' }),
    ]);

    const secrets = jobSecrets(login, withOutputs, created, refreshed, next);
    for (const run of [login, withOutputs, created, refreshed, next]) {
      expectNoLeaks(run, secrets);
    }
  });

  it('uses exported plain credentials', async () => {
    const login = await runAction({
      action: LOGIN_DIR,
      inputs: {
        'api-url': emulator.url,
        email: CI_USER.email,
        password: CI_USER.password,
        grant: 'plain',
        'export-env': true,
      },
    });
    expect(errorsOf(login)).toEqual([]);

    const request = await runAction({
      action: ACTION_DIR,
      inputs: { path: '/status' },
      env: carry({}, login),
    });
    expect(errorsOf(request)).toEqual([]);
    expect(JSON.parse(request.outputs['body'] ?? '{}')).toMatchObject({
      user: { email: CI_USER.email },
    });

    const secrets = jobSecrets(login, request);
    expectNoLeaks(login, secrets);
    expectNoLeaks(request, secrets);
  });
});
