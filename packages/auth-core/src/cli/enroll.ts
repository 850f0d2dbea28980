import qrcode from 'qrcode';

import { MfaAlreadyEnabledError, Session, type MfaEnrolment } from '../index.js';
import { CliError, ExitCode } from './errors.js';
import {
  readClient,
  readClientOptions,
  readPassword,
  requireEmail,
  type ApiFlags,
} from './inputs.js';
import type { Output } from './output.js';
import { canPrompt } from './prompt.js';
import { exchangeTypedCodes } from './typed-codes.js';

/** Flags of `rips-auth mfa enroll`. */
export interface EnrollFlags extends ApiFlags {
  confirmWithSecret?: boolean;
  /** False with `--no-qr`. */
  qr?: boolean;
}

/** The GitHub secret that the rips-login action reads the TOTP secret from. */
export const TOTP_SECRET_NAME = 'RIPS_TOTP_SECRET';

/**
 * Runs `mfa enroll`: starts an enrolment and shows its URI and QR code. A code typed from an
 * authenticator app, or generated from the new secret, turns MFA on. Only then is the secret
 * printed, once, with the command that stores it.
 */
export async function runEnroll(flags: EnrollFlags, output: Output): Promise<void> {
  const clientOptions = readClientOptions(flags, output);
  const email = requireEmail(flags);
  const typed = flags.confirmWithSecret !== true;
  // Checked before signing in, so that no enrolment is left pending for nothing.
  if (typed && !canPrompt()) {
    throw new CliError(
      'NO_TERMINAL',
      'Standard input is not a terminal to type the code from an authenticator app; pass ' +
        '--confirm-with-secret to generate the code from the new secret instead',
      ExitCode.usage,
    );
  }
  const password = await readPassword(email);
  const session = new Session({
    ...clientOptions,
    credentials: { type: 'password', email, password, ...readClient(flags) },
  });

  const enrolment = await beginEnrolment(session, email);
  if (typed || !output.json) {
    await showEnrolment(enrolment, flags.qr !== false, output);
  }
  if (typed) {
    await exchangeTypedCodes(session, 'Code shown by the authenticator app: ', output, (code) =>
      session.enableMfa({ code }),
    );
  } else {
    await session.enableMfa(enrolment.secret);
  }
  reportEnabled(email, enrolment, output);
}

async function beginEnrolment(session: Session, email: string): Promise<MfaEnrolment> {
  try {
    return await session.beginMfaEnrolment();
  } catch (error: unknown) {
    if (error instanceof MfaAlreadyEnabledError) {
      throw new CliError(
        'MFA_ALREADY_ENABLED',
        `MFA is already enabled for ${email}. To enrol a new secret, turn MFA off first with ` +
          '`rips-auth mfa disable`',
        ExitCode.failure,
        { cause: error },
      );
    }
    throw error;
  }
}

async function showEnrolment(enrolment: MfaEnrolment, qr: boolean, output: Output): Promise<void> {
  output.show(
    'Add this account to an authenticator app by scanning the QR code or opening the URI:',
    '',
  );
  // A QR code only helps on a terminal; redirected output gets the URI alone.
  if (qr && output.interactiveTerminal) {
    const code = await qrcode.toString(enrolment.uri, { type: 'terminal', small: true });
    output.show(code);
  }
  output.show(enrolment.uri, '');
}

function reportEnabled(email: string, enrolment: MfaEnrolment, output: Output): void {
  output.text(
    `MFA is now enabled for ${email}.`,
    '',
    'TOTP secret (shown only this once):',
    '',
    `  ${enrolment.secret}`,
    '',
    `Store it as the GitHub secret ${TOTP_SECRET_NAME}: run this command and paste the secret ` +
      'when it asks for the value.',
    '',
    `  gh secret set ${TOTP_SECRET_NAME}`,
  );
  output.result({
    email,
    mfaEnabled: true,
    secret: enrolment.secret,
    uri: enrolment.uri,
    secretName: TOTP_SECRET_NAME,
    storeCommand: `gh secret set ${TOTP_SECRET_NAME}`,
  });
}
