import type { IncomingMessage } from 'node:http';

import { ApiError, invalidCredentials } from './errors.js';
import { getHeader } from './http.js';
import { verifyPassword } from './passwords.js';
import type { EmulatorState } from './state.js';
import type { AccessRecord } from './tokens.js';
import type { UserRecord } from './users.js';

/** A user that passed primary authentication, and how. */
export interface Principal {
  user: UserRecord;
  via: 'bearer' | 'plain';
  access?: AccessRecord;
}

const PLAIN_HEADERS = [
  'x-api-email',
  'x-api-password',
  'x-api-email-enc',
  'x-api-password-enc',
  'x-api-username',
];

/** Tells which primary authentication a request carries, without checking it. */
export function authKind(req: IncomingMessage): 'bearer' | 'plain' | 'none' {
  if (bearerToken(req) !== undefined) {
    return 'bearer';
  }
  return PLAIN_HEADERS.some((name) => req.headers[name] !== undefined) ? 'plain' : 'none';
}

/**
 * Returns the bearer token of an `Authorization` header, or undefined when there is no such
 * header. Any other value (another scheme, a token with spaces) returns an empty string, which
 * matches no token, so a malformed header is rejected rather than treated as anonymous.
 */
function bearerToken(req: IncomingMessage): string | undefined {
  const header = getHeader(req, 'authorization');
  if (header === undefined) {
    return undefined;
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? '';
}

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes strict base64 of UTF-8 text, or returns undefined when either layer is invalid. */
function decodeBase64Utf8(value: string): string | undefined {
  if (!STRICT_BASE64.test(value)) {
    return undefined;
  }
  try {
    return utf8.decode(Buffer.from(value, 'base64'));
  } catch {
    return undefined;
  }
}

/**
 * Decodes a raw header value. Node.js reads header bytes as Latin-1, so bytes that form valid
 * UTF-8 are decoded as UTF-8 and anything else stays Latin-1.
 */
function decodeRawHeader(value: string): string {
  try {
    return utf8.decode(Buffer.from(value, 'latin1'));
  } catch {
    return value;
  }
}

/**
 * Reads the plain-auth credentials. The `-Enc` pair wins when either of its headers is present;
 * otherwise the raw pair is used, with `X-API-Username` as the pre-3.0 alias of `X-API-Email`.
 */
function plainCredentials(req: IncomingMessage): { email: string; password: string } | undefined {
  const emailEnc = getHeader(req, 'x-api-email-enc');
  const passwordEnc = getHeader(req, 'x-api-password-enc');
  if (emailEnc !== undefined || passwordEnc !== undefined) {
    const email = emailEnc === undefined ? undefined : decodeBase64Utf8(emailEnc.trim());
    const password = passwordEnc === undefined ? undefined : decodeBase64Utf8(passwordEnc.trim());
    return email === undefined || password === undefined ? undefined : { email, password };
  }
  const email = getHeader(req, 'x-api-email') ?? getHeader(req, 'x-api-username');
  const password = getHeader(req, 'x-api-password');
  if (email === undefined || password === undefined) {
    return undefined;
  }
  return { email: decodeRawHeader(email), password: decodeRawHeader(password) };
}

/** Checks a bearer token against the token table. Expired and revoked tokens raise marked 401s. */
function authenticateBearer(state: EmulatorState, token: string): Principal {
  const access = state.tokens.accessTokens.get(token);
  const user = access === undefined ? undefined : state.usersById.get(access.userId);
  if (access === undefined || user === undefined) {
    throw invalidCredentials();
  }
  if (access.revoked) {
    throw new ApiError(401, 'Access token revoked', {
      headers: { 'X-API-Revoked': '1', 'WWW-Authenticate': 'Bearer error="invalid_token"' },
    });
  }
  if (access.forcedExpired || state.now() >= access.expiresAtMs) {
    throw new ApiError(401, 'Access token expired', {
      headers: { 'X-API-Expired': '1', 'WWW-Authenticate': 'Bearer error="invalid_token"' },
    });
  }
  return { user, via: 'bearer', access };
}

/** Checks an e-mail and password. Unknown e-mails cost the same scrypt run as known ones. */
export async function checkPassword(
  state: EmulatorState,
  email: string,
  password: string,
): Promise<UserRecord | undefined> {
  const user = state.findUser(email);
  const valid = await verifyPassword(password, user?.passwordHash ?? state.decoyHash);
  return valid && user !== undefined ? user : undefined;
}

/** Runs primary authentication: a bearer token, else plain headers. Raises 401 on failure. */
export async function authenticate(state: EmulatorState, req: IncomingMessage): Promise<Principal> {
  const token = bearerToken(req);
  if (token !== undefined) {
    return authenticateBearer(state, token);
  }
  const credentials = plainCredentials(req);
  if (credentials === undefined) {
    throw invalidCredentials();
  }
  const user = await checkPassword(state, credentials.email, credentials.password);
  if (user === undefined) {
    throw invalidCredentials();
  }
  return { user, via: 'plain' };
}

/** Raises 401 `MFA token required` when the user has MFA on and no valid `X-API-MFA` was sent. */
export function requireMfaToken(req: IncomingMessage, user: UserRecord): void {
  if (!user.mfa.enabled) {
    return;
  }
  const token = getHeader(req, 'x-api-mfa');
  if (token === undefined || !user.mfa.tokens.has(token)) {
    throw new ApiError(401, 'MFA token required', { headers: { 'X-API-MFA-Required': '1' } });
  }
}

/** Authenticates a protected route: primary authentication, then the MFA token. */
export async function authenticateProtected(
  state: EmulatorState,
  req: IncomingMessage,
): Promise<Principal> {
  const principal = await authenticate(state, req);
  requireMfaToken(req, principal.user);
  return principal;
}
