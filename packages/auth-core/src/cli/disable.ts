import { MfaNotEnabledError, MfaRequiredError, Session } from '../index.js';
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
  const session = new Session({
    ...clientOptions,
    credentials: { type: 'password', email, password, ...readClient(flags) },
    mfaToken,
    totpSecret,
  });
  try {
    if (totpSecret === undefined) {
      await disableWithTypedCodes(session, mfaToken !== undefined, email, output);
    } else {
      await disableWithSecret(session, email, output);
    }
  } catch (error: unknown) {
    // MFA was turned off by someone else between the status check and the code.
    if (error instanceof MfaNotEnabledError) {
      throw notEnabledError(email, error);
    }
    throw error;
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
  session: Session,
  mfaTokenGiven: boolean,
  email: string,
  output: Output,
): Promise<void> {
  let mfaOn: boolean | undefined = true;
  try {
    mfaOn = (await session.status()).user?.mfaEnabled;
  } catch (error: unknown) {
    if (!(error instanceof MfaRequiredError)) throw error;
    if (mfaTokenGiven) {
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
  if (session.mfaToken === undefined) {
    await exchangeTypedCodes(session, 'Code shown by the authenticator app: ', output, (code) =>
      session.obtainMfaToken({ code }),
    );
    output.note(
      'The API accepts one code per 30 s. Wait until the app shows a new code ' +
        `(in ${secondsUntilNextCode(session)} s) and type it to turn MFA off.`,
    );
  }
  await exchangeTypedCodes(session, 'Next code shown by the app: ', output, (code) =>
    session.disableMfa({ code }),
  );
}

function requireMfaEnabled(enabled: boolean | undefined, email: string): void {
  if (enabled === false) {
    throw notEnabledError(email);
  }
}

function notEnabledError(email: string, cause?: unknown): CliError {
  return new CliError(
    'MFA_NOT_ENABLED',
    `MFA is not enabled for ${email}, so there is nothing to turn off`,
    ExitCode.failure,
    cause === undefined ? {} : { cause },
  );
}
