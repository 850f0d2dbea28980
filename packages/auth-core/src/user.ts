import { ResponseNotJsonError } from './errors.js';
import { isRecord } from './http/json.js';
import type { UserInfo } from './session.js';
import { hasControlCharacters } from './text.js';

/** Maximum length of an e-mail address (RFC 5321 §4.5.3.1.3 limits a path to 256 octets). */
const MAX_EMAIL_LENGTH = 254;

/** Maximum length of a user id given as a string of digits. */
const MAX_ID_DIGITS = 20;

function isValidId(id: unknown): id is number | string {
  if (typeof id === 'number') {
    return Number.isSafeInteger(id) && id >= 0;
  }
  return typeof id === 'string' && id.length <= MAX_ID_DIGITS && /^\d+$/.test(id);
}

/** Returns why `email` cannot be shown on one log line, or undefined when it can. */
function emailProblem(email: string): string | undefined {
  if (email.trim() === '') {
    return 'whose email is empty';
  }
  if (email.length > MAX_EMAIL_LENGTH) {
    return `whose email is longer than ${MAX_EMAIL_LENGTH} characters`;
  }
  if (hasControlCharacters(email)) {
    return 'whose email contains a line break or another control character';
  }
  return undefined;
}

function unexpectedUser(problem: string, status: number): ResponseNotJsonError {
  return new ResponseNotJsonError(
    `Reading the API status: GET /status returned an unexpected user, ${problem}`,
    '',
    { method: 'GET', path: '/status', status },
  );
}

/**
 * Reads the `user` object of a `GET /status` response. Returns undefined when there is no user
 * object, and raises {@link ResponseNotJsonError} for a user whose id or e-mail is malformed,
 * because the e-mail is logged and a line break in it would start a workflow command.
 */
export function readStatusUser(user: unknown, status: number): UserInfo | undefined {
  if (!isRecord(user)) {
    return undefined;
  }
  if (!isValidId(user.id)) {
    throw unexpectedUser('whose id is not a whole number or a string of digits', status);
  }
  if (typeof user.email !== 'string') {
    throw unexpectedUser('whose email is not a string', status);
  }
  const problem = emailProblem(user.email);
  if (problem !== undefined) {
    throw unexpectedUser(problem, status);
  }
  const mfa = user.mfa;
  return {
    id: user.id,
    email: user.email,
    roles: Array.isArray(user.roles)
      ? user.roles.filter((role): role is string => typeof role === 'string')
      : [],
    mfaEnabled: isRecord(mfa) && typeof mfa.enabled === 'boolean' ? mfa.enabled : undefined,
  };
}
