import { decodeJwt } from 'jose';

import { InvalidCredentialsError, RefreshRejectedError, ResponseNotJsonError } from '../errors.js';
import { httpErrorFrom, isRecord, parseJsonBody, readErrorBody } from '../http/json.js';
import type { HttpSender, SendResult } from '../http/sender.js';
import { endpointUrl } from '../options.js';
import { escapeControlCharacters, hasControlCharacters } from '../text.js';

/** Path of the OAuth 2.0 token endpoint. */
export const TOKEN_PATH = '/oauth/v2/auth/tokens';

/** An OAuth token pair and what is known about its lifetime. */
export interface TokenSet {
  /** The access token (an RS256 JWT), sent as `Authorization: Bearer <token>`. */
  accessToken: string;
  /** The refresh token, when the API issued one or the caller gave one. */
  refreshToken: string | undefined;
  /** The token type, `Bearer`. */
  tokenType: string;
  /** Lifetime in seconds from the token response's `expires_in`, when known. */
  expiresIn: number | undefined;
  /**
   * When the access token expires by the local clock: the earlier of `expires_in` and the JWT
   * `exp`.
   */
  expiresAt: Date | undefined;
  /** The OAuth client id the tokens were issued to, when known. */
  clientId: string | undefined;
}

/** The largest distance from 1970 that a `Date` can represent, in milliseconds (ECMA-262). */
const MAX_DATE_MS = 8.64e15;

/** The longest `expires_in` accepted: ten years in seconds. Longer values are ignored. */
export const MAX_EXPIRES_IN_SECONDS = 10 * 365 * 24 * 60 * 60;

function isDateTime(ms: number): boolean {
  return Number.isFinite(ms) && Math.abs(ms) <= MAX_DATE_MS;
}

/**
 * Reads the JWT `exp` claim (seconds) without verifying the signature, because the client only
 * schedules refreshes from it and never trusts it over a 401 response. An `exp` that no `Date`
 * can represent gives undefined.
 */
export function readJwtExpiry(token: string): number | undefined {
  try {
    const { exp } = decodeJwt(token);
    return typeof exp === 'number' && isDateTime(exp * 1000) ? exp : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Computes the local expiry instant in milliseconds from `expires_in` (counted from when the
 * response arrived) and the JWT `exp` (server time, shifted by the server clock offset). The
 * earlier of the two wins.
 */
export function computeExpiry(
  receivedAtMs: number,
  expiresIn: number | undefined,
  accessToken: string,
  serverOffsetMs: number,
): number | undefined {
  const candidates: number[] = [];
  if (expiresIn !== undefined) {
    candidates.push(receivedAtMs + expiresIn * 1000);
  }
  const exp = readJwtExpiry(accessToken);
  if (exp !== undefined) {
    candidates.push(exp * 1000 - serverOffsetMs);
  }
  // A candidate that no Date can represent would make `new Date(ms).toISOString()` throw.
  const valid = candidates.filter(isDateTime);
  return valid.length === 0 ? undefined : Math.min(...valid);
}

/**
 * Reads `token_type`, which is case-insensitive (RFC 6749 §5.1), as `Bearer`. Returns
 * undefined for any other value. A missing value counts as `Bearer`.
 */
function readTokenType(value: unknown): 'Bearer' | undefined {
  if (value === undefined) {
    return 'Bearer';
  }
  return typeof value === 'string' && /^bearer$/i.test(value) ? 'Bearer' : undefined;
}

/**
 * Reads `expires_in`: a whole number of seconds from 0 to {@link MAX_EXPIRES_IN_SECONDS}. Any
 * other value is ignored with a debug message, so that the JWT `exp` dates the token.
 */
function readExpiresIn(value: unknown, sender: HttpSender): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (
    typeof value === 'number' &&
    Number.isInteger(value) &&
    value >= 0 &&
    value <= MAX_EXPIRES_IN_SECONDS
  ) {
    return value;
  }
  sender.config.logger.debug(
    `Ignoring the expires_in of the token response because it is not a whole number of ` +
      `seconds from 0 to ${MAX_EXPIRES_IN_SECONDS}; the JWT exp dates the access token instead`,
  );
  return undefined;
}

/** A grant request body; the field names are those of RFC 6749. */
export type GrantBody =
  | { grant_type: 'password'; client_id: string; username: string; password: string }
  | { grant_type: 'refresh_token'; client_id: string; refresh_token: string };

/**
 * Checks the fields of a token response that are sent or logged later, and returns the token
 * type. The values are never quoted, because they come from a body that carries credentials.
 */
function checkTokenFields(
  accessToken: string,
  refreshToken: string | undefined,
  tokenTypeValue: unknown,
  status: number,
): 'Bearer' {
  const operation = 'The token request';
  const context = { method: 'POST', path: TOKEN_PATH, status };
  if (hasControlCharacters(accessToken) || hasControlCharacters(refreshToken ?? '')) {
    throw new ResponseNotJsonError(
      `${operation}: the response of POST ${TOKEN_PATH} has a token that contains a line break or another control character`,
      '',
      context,
    );
  }
  const tokenType = readTokenType(tokenTypeValue);
  if (tokenType === undefined) {
    throw new ResponseNotJsonError(
      `${operation}: the response of POST ${TOKEN_PATH} has a token_type other than Bearer, the only type auth-core can send`,
      '',
      context,
    );
  }
  return tokenType;
}

function parseTokenResponse(
  result: SendResult,
  clientId: string,
  sender: HttpSender,
  report: (value: string) => void,
): TokenSet {
  const operation = 'The token request';
  const body = parseJsonBody(result, 'POST', operation);
  const accessToken = isRecord(body) ? body.access_token : undefined;
  if (!isRecord(body) || typeof accessToken !== 'string' || accessToken === '') {
    throw new ResponseNotJsonError(
      `${operation}: the response of POST ${TOKEN_PATH} has no access_token`,
      '',
      { method: 'POST', path: TOKEN_PATH, status: result.status },
    );
  }
  const refreshToken =
    typeof body.refresh_token === 'string' && body.refresh_token !== ''
      ? body.refresh_token
      : undefined;
  // Mask first: both tokens reach the handler before anything else receives them.
  report(accessToken);
  report(`Bearer ${accessToken}`);
  if (refreshToken !== undefined) {
    report(refreshToken);
  }
  const tokenType = checkTokenFields(accessToken, refreshToken, body.token_type, result.status);
  const expiresIn = readExpiresIn(body.expires_in, sender);
  const expiresAtMs = computeExpiry(
    sender.config.clock.now(),
    expiresIn,
    accessToken,
    sender.clockOffsetMs ?? 0,
  );
  return {
    accessToken,
    refreshToken,
    tokenType,
    expiresIn,
    expiresAt: expiresAtMs === undefined ? undefined : new Date(expiresAtMs),
    clientId,
  };
}

/**
 * Sends a password or refresh grant to the token endpoint and returns the new tokens. The
 * request is retried only when it cannot have reached the server or the server asked for it.
 */
export async function requestTokens(
  sender: HttpSender,
  grant: GrantBody,
  report: (value: string) => void,
  signal?: AbortSignal,
): Promise<TokenSet> {
  const url = endpointUrl(sender.config.apiUrl, TOKEN_PATH);
  const result = await sender.send({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: Buffer.from(JSON.stringify(grant), 'utf8'),
    retry: 'sign-in',
    signal,
  });
  if (result.status >= 200 && result.status < 300) {
    return parseTokenResponse(result, grant.client_id, sender, report);
  }
  throw grantError(result, grant, sender.config.inputNames.clientId);
}

function grantError(result: SendResult, grant: GrantBody, clientIdName: string): Error {
  const body = readErrorBody(result);
  const context = { method: 'POST', path: TOKEN_PATH, status: result.status };
  const apiText = body.message ?? body.errorDescription ?? body.error ?? `status ${result.status}`;
  if (body.error === 'invalid_client') {
    return new InvalidCredentialsError(
      `${clientIdName}: the API does not accept the OAuth client id "${escapeControlCharacters(grant.client_id)}" (${apiText})`,
      context,
    );
  }
  if (grant.grant_type === 'refresh_token') {
    if (result.status === 400 || result.status === 401) {
      return new RefreshRejectedError(
        `The API rejected the refresh token (${body.error ?? 'status ' + result.status}: ${apiText}); sign in with the password again`,
        context,
      );
    }
  } else if (
    result.status === 401 ||
    body.error === 'invalid_credentials' ||
    body.error === 'invalid_grant'
  ) {
    return new InvalidCredentialsError(
      `Sign-in failed for ${escapeControlCharacters(grant.username)}: the API rejected the e-mail or password (${apiText})`,
      context,
    );
  }
  return httpErrorFrom(result, 'POST', 'The token request');
}
