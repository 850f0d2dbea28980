import { login } from '@rips-actions/auth-core';

import type { EmulatorProcess } from './emulator.js';
import { MFA_USER, PLAIN_USER } from './users.js';

/** A sign-in case and the minimum round trips the RIPS API contract allows for it. */
export interface SignInCase {
  label: string;
  mfa: boolean;
  byName: boolean;
  /** Token and status, plus one for the MFA token, plus one to resolve a client name. */
  minimum: number;
}

export const SIGN_IN_CASES: readonly SignInCase[] = [
  { label: 'MFA, client id', mfa: true, byName: false, minimum: 3 },
  { label: 'no MFA, client id', mfa: false, byName: false, minimum: 2 },
  { label: 'MFA, client name', mfa: true, byName: true, minimum: 4 },
  { label: 'no MFA, client name', mfa: false, byName: true, minimum: 3 },
];

/** Signs in once with auth-core's `login` and returns the requests the emulator logged. */
export async function countSignInRequests(
  emulator: EmulatorProcess,
  signIn: SignInCase,
  clientId: string,
): Promise<number> {
  const user = signIn.mfa ? MFA_USER : PLAIN_USER;
  await emulator.control.resetLimits();
  await emulator.control.clearRequests();
  await login({
    apiUrl: emulator.url,
    grant: 'password',
    email: user.email,
    password: user.password,
    ...(signIn.byName ? { clientName: 'ci' } : { clientId }),
    ...(signIn.mfa ? { totpSecret: MFA_USER.totpSecret } : {}),
  });
  return (await emulator.control.requests()).length;
}
