import { MfaNotEnabledError, MfaRequiredError, Session, type ClientOptions } from '../index.js';
import { TOTP_SECRET_NAME } from './enroll.js';
import { CliError, ExitCode } from './errors.js';
import {
  readClient,
  readClientOptions,
  readPassword,
  readTotpSecretFromEnv,
  requireEmail,
  type ApiFlags,
} from './inputs.js';
import type { Output } from './output.js';
import { canPrompt } from './prompt.js';
import { exchangeTypedCodes } from './typed-codes.js';

/** The GitHub secret that workflows pass to the `mfa-token` input of rips-login. */
export const MFA_TOKEN_SECRET_NAME = 'RIPS_MFA_TOKEN';

/**
 * Runs `mfa token`: signs in, checks that MFA is on, and obtains a new MFA token with a code
 * generated from `RIPS_TOTP_SECRET` or typed from an authenticator app. The token is printed
 * once, with the command that stores it as a GitHub secret.
 */
export async function runToken(flags: ApiFlags, output: Output): Promise<void> {
  const clientOptions = readClientOptions(flags, output);
  const email = requireEmail(flags);
  const totpSecret = readTotpSecretFromEnv();
  if (totpSecret === undefined && !canPrompt()) {
    throw new CliError(
      'NO_TERMINAL',
      `${TOTP_SECRET_NAME} is not set and standard input is not a terminal to type a code from ` +
        `an authenticator app; set ${TOTP_SECRET_NAME}`,
      ExitCode.usage,
    );
  }
  const password = await readPassword(email);
  // No TOTP secret here: with one, reading the status would obtain an MFA token on its own.
  const session = new Session({
    ...clientOptions,
    credentials: { type: 'password', email, password, ...readClient(flags) },
  });
  // Checked before any code is sent, because with an enrolment pending the API would take a
  // valid code of the pending secret as the one that turns MFA on.
  await requireMfaEnabled(session, email);

  let mfaToken: string;
  try {
    if (totpSecret === undefined) {
      mfaToken = await exchangeTypedCodes(
        session,
        'Code shown by the authenticator app: ',
        output,
        (code) => session.obtainMfaToken({ code }),
      );
    } else {
      const withSecret = secretSession(session, clientOptions, { email, password }, totpSecret);
      mfaToken = await withSecret.obtainMfaToken();
    }
  } catch (error: unknown) {
    // MFA was turned off by someone else between the status check and the code.
    if (error instanceof MfaNotEnabledError) {
      throw notEnabledError(email, error);
    }
    throw error;
  }
  reportToken(email, mfaToken, output);
}

/**
 * Creates a session that continues with the tokens of `session` and has the TOTP secret, so
 * that obtaining the MFA token needs no second sign-in. The password lets it sign in again if
 * the API revokes the tokens.
 */
function secretSession(
  session: Session,
  clientOptions: ClientOptions,
  user: { email: string; password: string },
  totpSecret: string,
): Session {
  const tokens = session.tokens;
  if (tokens === undefined) {
    throw new TypeError('secretSession needs a session that has signed in');
  }
  return new Session({
    ...clientOptions,
    credentials: {
      type: 'bearer',
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      expiresAt: tokens.expiresAt,
      clientId: tokens.clientId ?? session.clientId,
      ...user,
    },
    totpSecret,
  });
}

/**
 * Raises `MFA_NOT_ENABLED` when `GET /status`, read without an MFA token, reports MFA off. With
 * MFA on, the API returns 401 `MFA token required` instead.
 */
async function requireMfaEnabled(session: Session, email: string): Promise<void> {
  try {
    const { user } = await session.status();
    if (user?.mfaEnabled === false) {
      throw notEnabledError(email);
    }
  } catch (error: unknown) {
    if (!(error instanceof MfaRequiredError)) throw error;
  }
}

function notEnabledError(email: string, cause?: unknown): CliError {
  return new CliError(
    'MFA_NOT_ENABLED',
    `MFA is not enabled for ${email}, so no MFA token is needed: rips-login signs in with the ` +
      'password alone. Turn MFA on with `rips-auth mfa enroll` first if the account needs it',
    ExitCode.failure,
    cause === undefined ? {} : { cause },
  );
}

function reportToken(email: string, mfaToken: string, output: Output): void {
  const storeCommand = `gh secret set ${MFA_TOKEN_SECRET_NAME}`;
  output.text(
    `New MFA token for ${email} (shown only this once; it stays valid until MFA is turned off):`,
    '',
    `  ${mfaToken}`,
    '',
    `Store it as the GitHub secret ${MFA_TOKEN_SECRET_NAME}: run this command and paste the ` +
      'token when it asks for the value.',
    '',
    `  ${storeCommand}`,
    '',
    `Then pass it to rips-login as mfa-token, and keep totp-secret as the fallback.`,
  );
  output.result({
    email,
    mfaToken,
    secretName: MFA_TOKEN_SECRET_NAME,
    storeCommand,
  });
}
