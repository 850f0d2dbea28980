import {
  MFA_ATTEMPT_WINDOW_SECONDS,
  MFA_ATTEMPTS_PER_WINDOW,
  MfaCodeRejectedError,
  MfaNotEnabledError,
  TOTP_PERIOD_SECONDS,
  type Session,
} from '../index.js';
import { CliError, ExitCode } from './errors.js';
import type { Output } from './output.js';
import { promptLine } from './prompt.js';

/** Entries that are not 6 digits are asked again this often, then the command stops. */
const MAX_MALFORMED_ENTRIES = 5;

/** Seconds until the current TOTP code of the server's clock changes. */
export function secondsUntilNextCode(session: Session): number {
  const serverNowMs = Date.now() + (session.clockOffsetMs ?? 0);
  const intoStep = Math.floor(serverNowMs / 1000) % TOTP_PERIOD_SECONDS;
  return TOTP_PERIOD_SECONDS - intoStep;
}

/**
 * Asks for codes from an authenticator app and passes each to `send`, which sends it once,
 * until the API accepts one, and returns what `send` returns. An entry that is not 6 digits is
 * asked again without being sent, because only sent codes count toward the API's limit. After
 * {@link MFA_ATTEMPTS_PER_WINDOW} rejected codes the command stops with `MFA_CODE_REJECTED`,
 * because the API then rejects every code for 30 s.
 */
export async function exchangeTypedCodes<T>(
  session: Session,
  question: string,
  output: Output,
  send: (code: string) => Promise<T>,
): Promise<T> {
  let sent = 0;
  let malformed = 0;
  let lastRejection: MfaCodeRejectedError | undefined;
  while (sent < MFA_ATTEMPTS_PER_WINDOW) {
    const code = (await promptLine(question, { echo: true })).replace(/\s/g, '');
    if (!/^\d{6}$/.test(code)) {
      malformed++;
      if (malformed >= MAX_MALFORMED_ENTRIES) {
        throw new CliError('USAGE', 'A TOTP code has exactly 6 digits', ExitCode.usage);
      }
      output.note('A TOTP code has exactly 6 digits; type it again.');
      continue;
    }
    sent++;
    try {
      return await send(code);
    } catch (error: unknown) {
      if (!(error instanceof MfaCodeRejectedError) || error instanceof MfaNotEnabledError) {
        throw error;
      }
      lastRejection = error;
      if (sent < MFA_ATTEMPTS_PER_WINDOW) {
        output.note(rejectionHint(session, error.apiMessage));
      }
    }
  }
  const lastMessage = lastRejection?.apiMessage ?? '';
  throw new MfaCodeRejectedError(
    `The API rejected ${MFA_ATTEMPTS_PER_WINDOW} codes (last response: ${lastMessage}). Check ` +
      'that the app shows the code of this account and that its clock is right, then wait ' +
      `${MFA_ATTEMPT_WINDOW_SECONDS} s and run the command again`,
    lastMessage,
    { status: 400, cause: lastRejection },
  );
}

function rejectionHint(session: Session, apiMessage: string): string {
  if (apiMessage === 'Code already used') {
    return (
      'The API rejected the code because it was already used. Type the next code, which the ' +
      `app shows in ${secondsUntilNextCode(session)} s.`
    );
  }
  return `The API rejected the code (${apiMessage}). Check the app and type the current code.`;
}
