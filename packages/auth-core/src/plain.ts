import { HttpError } from './errors.js';

/** Returns true when every character is printable ASCII (space to tilde). */
function isPrintableAscii(value: string): boolean {
  return /^[\x20-\x7e]*$/.test(value);
}

/**
 * Builds the plain authentication headers: the base64 `-Enc` pair always, and the raw pair only
 * when both values are printable ASCII, because raw non-ASCII header values break on the way.
 * Header names are lower case.
 *
 * @example
 * ```ts
 * plainAuthHeaders('demo@example.com', 'pässword');
 * // { 'x-api-email-enc': 'ZGVtb0BleGFtcGxlLmNvbQ==', 'x-api-password-enc': 'cMOkc3N3b3Jk' }
 * ```
 */
export function plainAuthHeaders(email: string, password: string): Record<string, string> {
  const headers: Record<string, string> = {
    'x-api-email-enc': Buffer.from(email, 'utf8').toString('base64'),
    'x-api-password-enc': Buffer.from(password, 'utf8').toString('base64'),
  };
  if (isPrintableAscii(email) && isPrintableAscii(password)) {
    headers['x-api-email'] = email;
    headers['x-api-password'] = password;
  }
  return headers;
}

/**
 * Builds the error for a 431 response to a request with plain headers: the server rejected the
 * header fields as too large, and the e-mail and password travel there on every request. The
 * password grant sends them once, in a request body.
 */
export function plainHeadersTooLargeError(
  method: string,
  path: string,
  grantName: string,
): HttpError {
  return new HttpError(
    `${method} ${path} returned status 431 (Request Header Fields Too Large): the e-mail and ` +
      'password are too long to send as headers with the plain method; set ' +
      `${grantName} to password, which sends them in the body of a token request`,
    {},
    { method, path, status: 431 },
  );
}
