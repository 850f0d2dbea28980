import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { generateTotp, Session, totpTimeStep } from '@rips-actions/auth-core';
import type { Emulator, UserSeed } from '@rips-actions/rips-emulator';

/** A seeded emulator user; `totpSecret` marks a user with MFA on. */
export interface TestUser {
  email: string;
  password: string;
  totpSecret?: string;
}

export const CI_USER = {
  email: 'ci@example.com',
  password: 'ci-Passw0rd-for-reliability',
} as const satisfies TestUser;

export const MFA_USER = {
  email: 'mfa@example.com',
  password: 'mfa-Passw0rd-for-reliability',
  totpSecret: 'KRSXG5CTMVRXEZLUKN2XAZLSKNSWG4TF',
} as const satisfies TestUser;

export const USERS: UserSeed[] = [CI_USER, MFA_USER];

/** Access-token lifetime of the matrix emulators, long enough that no run meets a natural expiry. */
export const TOKEN_TTL_SECONDS = 3600;

export const LOGIN_ACTION = fileURLToPath(new URL('../../../actions/rips-login', import.meta.url));
export const REQUEST_ACTION = fileURLToPath(
  new URL('../../../actions/rips-request', import.meta.url),
);

/** True when the action's committed bundle exists, so its rows can run. */
export function bundleExists(actionDir: string): boolean {
  return existsSync(`${actionDir}/dist/index.js`);
}

/** The secrets of a user that must never appear in output. */
export function userSecrets(user: TestUser): { label: string; value: string }[] {
  const secrets = [{ label: `${user.email} password`, value: user.password }];
  if (user.totpSecret !== undefined) {
    secrets.push({ label: `${user.email} TOTP secret`, value: user.totpSecret });
  }
  return secrets;
}

const STEP_MS = 30_000;

/**
 * Shifts the emulator clock by `baseSeconds` plus whatever puts its time `phaseMs` into a TOTP
 * time step now. Tests that must wait for the next step start late in a step, so the wait is
 * a few seconds instead of up to 30. Returns the offset that was set, in seconds.
 */
export async function setServerPhase(
  emulator: Emulator,
  phaseMs: number,
  baseSeconds = 0,
): Promise<number> {
  const base = Date.now() + baseSeconds * 1000;
  const current = ((base % STEP_MS) + STEP_MS) % STEP_MS;
  let shift = phaseMs - current;
  if (shift < -STEP_MS / 2) shift += STEP_MS;
  if (shift > STEP_MS / 2) shift -= STEP_MS;
  const offsetSeconds = baseSeconds + shift / 1000;
  await emulator.control.setClockOffset(offsetSeconds);
  return offsetSeconds;
}

/** Signs in as `user` with auth-core and returns the session, tokens included. */
export async function signedInSession(emulator: Emulator, user: TestUser): Promise<Session> {
  const session = new Session({
    apiUrl: emulator.url,
    credentials: { type: 'password', email: user.email, password: user.password },
    ...(user.totpSecret === undefined ? {} : { totpSecret: user.totpSecret }),
    timeoutMs: 10_000,
  });
  await session.signIn();
  return session;
}

/**
 * Spends the current TOTP time step of an MFA user, as a parallel job with the same secret
 * would: a code of this step is accepted once, so the next client must wait for a later step.
 */
export async function spendCurrentStep(emulator: Emulator, user: TestUser): Promise<void> {
  const session = await signedInSession(emulator, user);
  await session.obtainMfaToken();
}

/**
 * Sends three wrong TOTP codes for `user`, which fills the emulator's window of wrong codes so
 * that any further code gets 429 until the oldest of them is 30 s old.
 */
export async function fillWrongCodeWindow(emulator: Emulator, user: TestUser): Promise<void> {
  if (user.totpSecret === undefined) {
    throw new TypeError(`fillWrongCodeWindow: ${user.email} has no TOTP secret`);
  }
  const session = await signedInSession(emulator, user);
  // Codes of the steps around the server's time are valid, so the wrong code avoids all of them.
  const serverNow = Date.now() + (session.clockOffsetMs ?? 0);
  const step = totpTimeStep(serverNow);
  const valid = new Set<string>();
  for (let delta = -2; delta <= 2; delta++) {
    valid.add(await generateTotp(user.totpSecret, { timeMs: (step + delta) * STEP_MS }));
  }
  let wrong = 100_000;
  while (valid.has(String(wrong))) wrong += 1;
  for (let attempt = 0; attempt < 3; attempt++) {
    const response = await session.request({
      method: 'POST',
      path: '/mfas/token',
      json: { challenge: { code: String(wrong) } },
    });
    if (response.status !== 400) {
      throw new Error(`fillWrongCodeWindow: expected status 400, received ${response.status}`);
    }
  }
}

/**
 * Waits until a request for `path` shows up in the emulator's request log, then runs `action`.
 * Used with a `delay` fault, to change server state while that request is held. Gives up after
 * `timeoutMs`.
 */
export async function whenRequestArrives(
  emulator: Emulator,
  path: string,
  action: () => Promise<void>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const requests = await emulator.control.requests();
    if (requests.some((request) => request.path === path)) {
      await action();
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`whenRequestArrives: no request for ${path} within ${timeoutMs} ms`);
}
