import {
  InvalidOptionError,
  MfaAlreadyEnabledError,
  MfaCodeRejectedError,
  MfaNotEnabledError,
  MfaRateLimitedError,
} from '../errors.js';
import { httpErrorFrom, parseJsonBody, readErrorBody, type ResponseView } from '../http/json.js';
import { parseRetryAfter } from '../http/sender.js';
import type { Logger, Sleep } from '../seams.js';
import { MFA_ATTEMPTS_PER_WINDOW, type TotpCodeSource } from './codes.js';

/** MFA endpoints that take a `{"challenge":{"code"}}` body. */
export type MfaCodePath = '/mfas/token' | '/mfas/delete';

/** Codes sent per call at most; equal to the server's limit of wrong codes per 30 s. */
const MAX_CODES_PER_CALL = MFA_ATTEMPTS_PER_WINDOW;
/** Longest `Retry-After` on a 429 that is waited out once instead of failing. */
const MAX_RATE_LIMIT_WAIT_MS = 30_000;

/** The API's messages for a code it refused without counting a failure of ours. */
const RETRYABLE_MESSAGES = new Set(['Invalid code', 'Code already used']);

/** The API's message when MFA is off and no enrolment is pending. */
export const MFA_NOT_INITIALIZED = 'MFA not initialized';
/** The API's message when an enrolment is started while MFA is on. */
export const MFA_ALREADY_ENABLED = 'MFA already enabled';

/** Session services that {@link exchangeCode} uses. */
export interface CodeExchangeDeps {
  codes: TotpCodeSource;
  /**
   * Sends the challenge body with the session's primary authentication. Returns a 401 response
   * once the session has repaired its authentication, so that the caller sends a new code.
   */
  post(path: MfaCodePath, body: Uint8Array): Promise<ResponseView>;
  serverNow(): number;
  sleep: Sleep;
  logger: Logger;
  signal?: AbortSignal | undefined;
  /** The input name of the TOTP secret, which starts the messages that blame the secret. */
  totpSecretName: string;
  /** The input name of the MFA token, which the message about single-use codes recommends. */
  mfaTokenName: string;
}

/**
 * Sends TOTP codes to an MFA endpoint until one is accepted, and returns the parsed JSON response.
 * Each code is sent once: after `Invalid code` or `Code already used` the next code waits for
 * the next time step, and at most three codes are sent, the server's limit per 30 s. A 429
 * with a `Retry-After` of 30 s or less is waited out once.
 */
export async function exchangeCode(path: MfaCodePath, deps: CodeExchangeDeps): Promise<unknown> {
  let sent = 0;
  let waitedForLimit = false;
  let repairedAuthentication = false;
  let lastMessage = '';
  while (sent < MAX_CODES_PER_CALL) {
    const code = await deps.codes.next(deps.signal);
    deps.codes.markSent(code);
    sent++;
    const body = Buffer.from(JSON.stringify({ challenge: { code: code.code } }), 'utf8');
    const result = await deps.post(path, body);
    if (result.status >= 200 && result.status < 300) {
      deps.codes.markUsed(code);
      return parseJsonBody(result, 'POST', `Sending a TOTP code to ${path}`);
    }
    if (result.status === 401 && !repairedAuthentication) {
      // The session renewed its credentials after this 401. The code was rejected before it
      // was checked, so it does not count as a wrong code, and the next one is still fresh.
      repairedAuthentication = true;
      sent--;
      continue;
    }
    const message = readErrorBody(result).message ?? '';
    if (result.status === 429) {
      const retryAfterMs = parseRetryAfter(result.headers['retry-after'], deps.serverNow());
      if (!waitedForLimit && retryAfterMs !== undefined && retryAfterMs <= MAX_RATE_LIMIT_WAIT_MS) {
        waitedForLimit = true;
        sent--;
        deps.logger.info(
          `The API rejects TOTP codes for ${Math.ceil(retryAfterMs / 1000)} s after too many wrong codes; waiting`,
        );
        await deps.sleep(retryAfterMs, deps.signal);
        continue;
      }
      throw rateLimitedError(result, path, retryAfterMs);
    }
    if (result.status === 400 && message === MFA_NOT_INITIALIZED) {
      throw notEnabledError(result, path, `${deps.totpSecretName}: `);
    }
    if (result.status === 400 && RETRYABLE_MESSAGES.has(message)) {
      lastMessage = message;
      if (message === 'Code already used') {
        deps.codes.markUsed(code);
      }
      if (sent < MAX_CODES_PER_CALL) {
        deps.logger.info(`The API rejected the TOTP code (${message}); trying the next time step`);
      }
      continue;
    }
    throw httpErrorFrom(result, 'POST', `Sending a TOTP code to ${path}`);
  }
  throw new MfaCodeRejectedError(exhaustedMessage(lastMessage, deps), lastMessage, {
    method: 'POST',
    path,
    status: 400,
  });
}

/** Builds the message for a call whose every code was rejected, with the likely cause. */
function exhaustedMessage(lastMessage: string, deps: CodeExchangeDeps): string {
  const rejected = `${deps.totpSecretName}: the API rejected ${MAX_CODES_PER_CALL} TOTP codes of consecutive time steps (last response: ${lastMessage})`;
  if (lastMessage !== 'Code already used') {
    return `${rejected}; check that the secret belongs to this account`;
  }
  // The API accepts one code per 30 s step and user (RFC 6238 §5.2), so when every code was
  // already used, another client with the same secret spent each step first.
  return (
    `${rejected}. TOTP codes are single-use: the API accepts each code once per 30-second ` +
    'step, so another job or process that uses the same secret took these steps. Reuse an MFA ' +
    `token through ${deps.mfaTokenName}, give parallel jobs their own account, or sign in one ` +
    'job at a time'
  );
}

/** Services that {@link sendGivenCode} uses. */
export interface GivenCodeDeps {
  /**
   * Sends the challenge body with the session's primary authentication. Returns a 401 response
   * once the session has repaired its authentication.
   */
  post(path: MfaCodePath, body: Uint8Array): Promise<ResponseView>;
  serverNow(): number;
}

/**
 * Sends one TOTP code that the caller was given, for example typed from an authenticator app,
 * and returns the parsed JSON response. A rejected code is never sent again: the error gives the
 * API's reason. The one exception is a 401, which the API returns before it checks the
 * code: the session repairs its authentication and the same code is sent once more.
 */
export async function sendGivenCode(
  path: MfaCodePath,
  code: string,
  deps: GivenCodeDeps,
): Promise<unknown> {
  const trimmed = code.trim();
  if (!/^\d{6}$/.test(trimmed)) {
    // The code is not echoed: a malformed value may be a secret pasted into the wrong field.
    throw new InvalidOptionError('code', 'expected a TOTP code of exactly 6 digits');
  }
  const body = Buffer.from(JSON.stringify({ challenge: { code: trimmed } }), 'utf8');

  let result = await deps.post(path, body);
  if (result.status === 401) {
    result = await deps.post(path, body);
  }

  if (result.status >= 200 && result.status < 300) {
    return parseJsonBody(result, 'POST', `Sending a TOTP code to ${path}`);
  }
  const message = readErrorBody(result).message ?? '';
  if (result.status === 429) {
    const retryAfterMs = parseRetryAfter(result.headers['retry-after'], deps.serverNow());
    throw rateLimitedError(result, path, retryAfterMs);
  }
  if (result.status === 400 && message === MFA_NOT_INITIALIZED) {
    throw notEnabledError(result, path, '');
  }
  if (result.status === 400 && message === MFA_ALREADY_ENABLED) {
    throw alreadyEnabledError(result, 'Sending a TOTP code');
  }
  if (result.status === 400 && RETRYABLE_MESSAGES.has(message)) {
    const hint =
      message === 'Code already used'
        ? '; the API accepts each code once, so send the code of the next 30 s step'
        : '; check that the code belongs to this account and that the clock of its device is right';
    throw new MfaCodeRejectedError(`The API rejected the TOTP code (${message})${hint}`, message, {
      method: 'POST',
      path,
      status: result.status,
    });
  }
  throw httpErrorFrom(result, 'POST', `Sending a TOTP code to ${path}`);
}

function rateLimitedError(
  result: ResponseView,
  path: MfaCodePath,
  retryAfterMs: number | undefined,
): MfaRateLimitedError {
  const retryAfterSeconds = retryAfterMs === undefined ? undefined : Math.ceil(retryAfterMs / 1000);
  return new MfaRateLimitedError(
    `The API rejects TOTP codes after too many wrong codes${retryAfterSeconds === undefined ? '' : `; retry in ${retryAfterSeconds} s`}`,
    retryAfterSeconds,
    { method: 'POST', path, status: result.status },
  );
}

function notEnabledError(
  result: ResponseView,
  path: MfaCodePath,
  prefix: string,
): MfaNotEnabledError {
  return new MfaNotEnabledError(
    `${prefix}MFA is not enabled for this account and no enrolment is pending`,
    MFA_NOT_INITIALIZED,
    { method: 'POST', path, status: result.status },
  );
}

/**
 * Builds the error for a response that shows MFA is on: 400 `MFA already enabled`, or a 401 to
 * `POST /mfas/secret` that requires an MFA token.
 */
export function alreadyEnabledError(
  result: ResponseView,
  operation: string,
): MfaAlreadyEnabledError {
  const plain = httpErrorFrom(result, 'POST', operation);
  const details: { apiCode?: number | string; apiMessage?: string; oauthError?: string } = {};
  if (plain.apiCode !== undefined) details.apiCode = plain.apiCode;
  if (plain.apiMessage !== undefined) details.apiMessage = plain.apiMessage;
  return new MfaAlreadyEnabledError(
    `${operation} failed: MFA is already enabled for this account (POST ${result.url.pathname} returned status ${result.status}${plain.apiMessage === undefined ? '' : `: ${plain.apiMessage}`}); turn MFA off before enrolling a new secret`,
    details,
    { method: 'POST', path: result.url.pathname, status: result.status },
  );
}
