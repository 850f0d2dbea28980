import {
  MfaCodeRejectedError,
  MfaRateLimitedError,
  TOTP_PERIOD_SECONDS,
  type ApiResponse,
  type Session,
} from '../index.js';
import { CliError, ExitCode } from './errors.js';
import type { Output } from './output.js';
import { promptLine } from './prompt.js';

/** MFA endpoints that take a `{"challenge":{"code"}}` body. */
export type CodePath = '/mfas/token' | '/mfas/delete';

/** Codes sent at most per command: the API blocks codes after 3 wrong ones in 30 s. */
const MAX_CODES_SENT = 3;
/** Entries that are not 6 digits are asked again this often, then the command stops. */
const MAX_MALFORMED_ENTRIES = 5;
/** The API's error messages for a code that did not match or was already used. */
const REJECTION_MESSAGES = new Set(['Invalid code', 'Code already used']);

/** Estimates the server's current time in milliseconds from its latest `Date` header. */
function serverNow(session: Session): number {
  return Date.now() + (session.clockOffsetMs ?? 0);
}

/** Seconds until the current TOTP code of the server's clock changes. */
export function secondsUntilNextCode(session: Session): number {
  const intoStep = Math.floor(serverNow(session) / 1000) % TOTP_PERIOD_SECONDS;
  return TOTP_PERIOD_SECONDS - intoStep;
}

/**
 * Asks for codes from an authenticator app and sends them to `path` until the API accepts one,
 * and returns its JSON response body. An entry that is not 6 digits is asked again without
 * being sent, because only sent codes count toward the API's limit. After 3 rejected codes the
 * command stops with `MFA_CODE_REJECTED`, because the API then rejects every code for 30 s.
 */
export async function exchangeTypedCodes(
  session: Session,
  path: CodePath,
  question: string,
  output: Output,
): Promise<unknown> {
  let sent = 0;
  let malformed = 0;
  let lastMessage = '';
  while (sent < MAX_CODES_SENT) {
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
    const outcome = await sendCode(session, path, code);
    if (outcome.accepted) {
      return outcome.body;
    }
    lastMessage = outcome.apiMessage;
    if (sent < MAX_CODES_SENT) {
      output.note(rejectionHint(session, outcome.apiMessage));
    }
  }
  throw new MfaCodeRejectedError(
    `The API rejected ${MAX_CODES_SENT} codes (last response: ${lastMessage}). Check that the app ` +
      `shows the code of this account and that its clock is right, then wait 30 s and run the ` +
      `command again`,
    lastMessage,
    { method: 'POST', path, status: 400 },
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

type SendOutcome = { accepted: true; body: unknown } | { accepted: false; apiMessage: string };

async function sendCode(session: Session, path: CodePath, code: string): Promise<SendOutcome> {
  const response = await session.request({
    method: 'POST',
    path,
    json: { challenge: { code } },
  });
  const operation = `Sending a TOTP code to ${path}`;
  if (response.status === 429) {
    const retryAfterSeconds = parseRetryAfterSeconds(response, serverNow(session));
    throw new MfaRateLimitedError(
      `The API rejects TOTP codes after too many wrong codes`,
      retryAfterSeconds,
      { method: 'POST', path, status: 429 },
    );
  }
  const apiMessage = errorMessageOf(response);
  if (response.status === 400 && apiMessage !== undefined) {
    if (REJECTION_MESSAGES.has(apiMessage)) {
      return { accepted: false, apiMessage };
    }
    if (apiMessage === 'MFA not initialized') {
      throw new MfaCodeRejectedError(
        'MFA is not enabled for this account and no enrolment is pending',
        apiMessage,
        { method: 'POST', path, status: 400 },
      );
    }
  }
  return { accepted: true, body: session.expectJson(response, operation) };
}

function errorMessageOf(response: ApiResponse): string | undefined {
  const body = response.json;
  if (typeof body === 'object' && body !== null && 'message' in body) {
    return typeof body.message === 'string' ? body.message : undefined;
  }
  return undefined;
}

/**
 * Reads `Retry-After` as seconds or as an HTTP date (RFC 9110 §10.2.3); a date is compared
 * with the server's clock, estimated from its `Date` header.
 */
function parseRetryAfterSeconds(response: ApiResponse, serverNowMs: number): number | undefined {
  const value = response.headers['retry-after']?.trim();
  if (value === undefined || value === '') return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  const dateMs = Date.parse(value);
  if (Number.isNaN(dateMs)) return undefined;
  return Math.max(0, Math.ceil((dateMs - serverNowMs) / 1000));
}
