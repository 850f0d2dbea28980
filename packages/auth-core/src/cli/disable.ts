import { MfaRequiredError, Session, type SessionOptions } from '../index.js';
import { TOTP_SECRET_NAME } from './enroll.js';
import { CliError, ExitCode } from './errors.js';
import {
  readClient,
  readClientOptions,
  readEnv,
  readPassword,
  readTotpSecretFromEnv,
  requireEmail,
  type ApiFlags,
} from './inputs.js';
import type { Output } from './output.js';
import { canPrompt } from './prompt.js';
import { exchangeTypedCodes, secondsUntilNextCode } from './typed-codes.js';

/**
 * Runs `mfa disable`. The API turns MFA off only for a request that carries an MFA token and a
 * fresh code, and it accepts one code per 30 s time step. So unless `RIPS_MFA_TOKEN` is set,
 * one code obtains an MFA token and the code of a later step turns MFA off. The codes come from
 * `RIPS_TOTP_SECRET`, or are typed from an authenticator app.
 */
export async function runDisable(flags: ApiFlags, output: Output): Promise<void> {
  const clientOptions = readClientOptions(flags, output);
  const email = requireEmail(flags);
  const totpSecret = readTotpSecretFromEnv();
  const mfaToken = readEnv('RIPS_MFA_TOKEN');
  if (totpSecret === undefined && !canPrompt()) {
    throw new CliError(
      'NO_TERMINAL',
      `${TOTP_SECRET_NAME} is not set and standard input is not a terminal to type codes from ` +
        `an authenticator app; set ${TOTP_SECRET_NAME}`,
      ExitCode.usage,
    );
  }
  const password = await readPassword(email);
  const options: SessionOptions = {
    ...clientOptions,
    credentials: { type: 'password', email, password, ...readClient(flags) },
    mfaToken,
    totpSecret,
  };
  if (totpSecret === undefined) {
    await disableWithTypedCodes(options, email, output);
  } else {
    await disableWithSecret(new Session(options), email, output);
  }
  output.text(
    `MFA is now disabled for ${email}.`,
    `Delete the GitHub secret ${TOTP_SECRET_NAME} if it is stored: gh secret delete ${TOTP_SECRET_NAME}`,
  );
  output.result({ email, mfaEnabled: false });
}

async function disableWithSecret(session: Session, email: string, output: Output): Promise<void> {
  const tokenBefore = session.mfaToken;
  // Reading the status obtains an MFA token from the secret when MFA is on and none was given.
  const { user } = await session.status();
  requireMfaEnabled(user?.mfaEnabled, email);
  if (session.mfaToken !== tokenBefore) {
    output.note(
      `Waiting about ${secondsUntilNextCode(session)} s for the next TOTP code, because the ` +
        'API accepts one code per 30 s and the first one obtained the MFA token.',
    );
  }
  await session.disableMfa();
}

async function disableWithTypedCodes(
  options: SessionOptions,
  email: string,
  output: Output,
): Promise<void> {
  const session = new Session(options);
  let mfaOn: boolean | undefined = true;
  try {
    mfaOn = (await session.status()).user?.mfaEnabled;
  } catch (error: unknown) {
    if (!(error instanceof MfaRequiredError)) throw error;
    if (options.mfaToken !== undefined) {
      throw new CliError(
        'MFA_TOKEN_REJECTED',
        'The API rejected the MFA token in RIPS_MFA_TOKEN; unset it to type two codes instead',
        ExitCode.failure,
        { cause: error },
      );
    }
    // MFA is on and there is no MFA token yet: the first typed code obtains one.
  }
  requireMfaEnabled(mfaOn, email);
  let deleting = session;
  if (session.mfaToken === undefined) {
    const body = await exchangeTypedCodes(
      session,
      '/mfas/token',
      'Code shown by the authenticator app: ',
      output,
    );
    deleting = withMfaToken(session, options, readMfaToken(body));
    output.note(
      'The API accepts one code per 30 s. Wait until the app shows a new code ' +
        `(in ${secondsUntilNextCode(session)} s) and type it to turn MFA off.`,
    );
  }
  await exchangeTypedCodes(deleting, '/mfas/delete', 'Next code shown by the app: ', output);
}

function requireMfaEnabled(enabled: boolean | undefined, email: string): void {
  if (enabled === false) {
    throw new CliError(
      'MFA_NOT_ENABLED',
      `MFA is not enabled for ${email}, so there is nothing to turn off`,
      ExitCode.failure,
    );
  }
}

function readMfaToken(body: unknown): string {
  const token =
    typeof body === 'object' && body !== null && 'token' in body ? body.token : undefined;
  if (typeof token !== 'string' || token === '') {
    throw new CliError('INTERNAL', 'POST /mfas/token returned no MFA token', ExitCode.failure);
  }
  return token;
}

/**
 * Creates a session that reuses the tokens of `session` and sends `mfaToken`. A session cannot take an
 * MFA token after it is created, so a typed code's token needs a second one.
 */
function withMfaToken(session: Session, options: SessionOptions, mfaToken: string): Session {
  const tokens = session.tokens;
  if (tokens === undefined) {
    throw new TypeError('withMfaToken needs a signed-in session');
  }
  return new Session({
    ...options,
    credentials: {
      type: 'bearer',
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      expiresAt: tokens.expiresAt,
      clientId: tokens.clientId,
    },
    mfaToken,
  });
}
