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
