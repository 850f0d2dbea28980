import { login, parseGrant, type LoginResult } from '../index.js';
import { CliError, ExitCode } from './errors.js';
import {
  CLI_INPUT_NAMES,
  readClient,
  readClientOptions,
  readEnv,
  readPassword,
  readTotpSecretFromEnv,
  type ApiFlags,
} from './inputs.js';
import type { Output } from './output.js';

/** Flags of `rips-auth login`. */
export interface LoginFlags extends ApiFlags {
  check?: boolean;
  grant?: string;
}

/**
 * Runs `login --check`: signs in with the inputs of the rips-login action and reports the
 * method, the user and the token expiry. It prints no token, so it is safe in CI logs.
 */
export async function runLoginCheck(flags: LoginFlags, output: Output): Promise<void> {
  if (flags.check !== true) {
    throw new CliError(
      'USAGE',
      'login needs --check: the command only checks that the inputs sign in, and never prints tokens',
      ExitCode.usage,
    );
  }
  const clientOptions = readClientOptions(flags, output);
  const grant = parseGrant(flags.grant, CLI_INPUT_NAMES.grant);
  const email = flags.email?.trim() || readEnv('RIPS_EMAIL');
  const refreshToken = readEnv('RIPS_REFRESH_TOKEN');
  const needsPassword =
    grant === 'password' || grant === 'plain' || (grant === 'auto' && refreshToken === undefined);
  if (needsPassword && email === undefined) {
    throw new CliError(
      'USAGE',
      `--email is missing: the ${grant === 'auto' ? 'password' : grant} grant needs the e-mail ` +
        'of the account (or set RIPS_EMAIL, or RIPS_REFRESH_TOKEN for the refresh grant)',
      ExitCode.usage,
    );
  }
  const password =
    needsPassword && email !== undefined ? await readPassword(email) : readEnv('RIPS_PASSWORD');
  const totpSecret = readTotpSecretFromEnv();
  const mfaToken = readEnv('RIPS_MFA_TOKEN');

  const result = await login({
    ...clientOptions,
    grant,
    email,
    password,
    refreshToken,
    ...readClient(flags),
    totpSecret,
    mfaToken,
  });
  report(result, mfaToken, output);
}

function report(result: LoginResult, givenMfaToken: string | undefined, output: Output): void {
  const mfa =
    result.mfaToken === undefined
      ? 'not used'
      : result.mfaToken === givenMfaToken
        ? 'the MFA token in RIPS_MFA_TOKEN was accepted'
        : 'an MFA token was obtained from RIPS_TOTP_SECRET';
  const lines = [
    `Signed in as ${result.user.email} (user id ${result.user.id}) with the ${result.method} method.`,
  ];
  if (result.expiresAt !== undefined) {
    lines.push(`The access token expires at ${result.expiresAt.toISOString()}.`);
  }
  lines.push(`MFA: ${mfa}.`);
  output.text(...lines);
  output.result({
    method: result.method,
    user: result.user,
    clientId: result.clientId ?? null,
    expiresAt: result.expiresAt?.toISOString() ?? null,
    expiresIn: result.expiresIn ?? null,
    mfa: result.mfaToken !== undefined,
    warnings: result.warnings,
  });
}
