import { fileURLToPath } from 'node:url';

import type { ActionRun, Secret } from '@rips-actions/action-testkit';
import { login, type LoginResult } from '@rips-actions/auth-core';
import { DEMO_EMAIL, DEMO_PASSWORD, DEMO_TOTP_SECRET } from '@rips-actions/rips-emulator';
import type { UserSeed } from '@rips-actions/rips-emulator';

/** The action directory, which contains action.yml and the committed dist/index.js. */
export const ACTION_DIR = fileURLToPath(new URL('..', import.meta.url));

/** A user without MFA, so that tests can sign in as often as they like. */
export const CI_USER = { email: 'ci@example.com', password: 'ci password "quoted" %41' };

/** A user whose applications only the pagination tests create. */
export const PAGES_USER = { email: 'pages@example.com', password: 'pages-password-1' };

/** The emulator's users: the MFA demo user and two users without MFA. */
export const USERS: UserSeed[] = [
  { email: DEMO_EMAIL, password: DEMO_PASSWORD, totpSecret: DEMO_TOTP_SECRET },
  CI_USER,
  PAGES_USER,
];

/** Signs a user in with the password grant and the `ci` client, as rips-login does. */
export async function signIn(
  apiUrl: string,
  user: { email: string; password: string },
  totpSecret?: string,
): Promise<LoginResult> {
  return login({
    apiUrl,
    email: user.email,
    password: user.password,
    clientName: 'ci',
    ...(totpSecret === undefined ? {} : { totpSecret }),
  });
}

/** Labels each credential of a sign-in for the leak scan, skipping absent ones. */
export function secretsOf(result: Partial<LoginResult>, prefix = ''): Secret[] {
  const secrets: Secret[] = [];
  const add = (label: string, value: string | undefined): void => {
    if (value !== undefined && value !== '') {
      secrets.push({ label: `${prefix}${label}`, value });
    }
  };
  add('access token', result.accessToken);
  add('refresh token', result.refreshToken);
  add('MFA token', result.mfaToken);
  return secrets;
}

/** Returns the messages of the `::error::` commands of a run. */
export function errorsOf(run: ActionRun): string[] {
  return run.commands.filter((command) => command.name === 'error').map((c) => c.message);
}

/** Returns the messages of the `::warning::` commands of a run. */
export function warningsOf(run: ActionRun): string[] {
  return run.commands.filter((command) => command.name === 'warning').map((c) => c.message);
}
