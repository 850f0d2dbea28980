import type { Expectation } from './matrix-support.js';
import { FAULT, type FaultLabel } from './scenarios.js';

// auth-core's `login` signs in with the client id given, so a run without MFA makes two
// requests (token, status) and one with MFA three (token, MFA token, status).
export const LOGIN_EXPECTATIONS: Record<FaultLabel, Expectation> = {
  [FAULT.refused]: {
    expected: 'NETWORK_ERROR (ECONNREFUSED) after 2 retries',
    succeeds: false,
    code: 'NETWORK_ERROR',
    message: /ECONNREFUSED/,
    requests: 0,
    boundMs: 4000,
  },
  [FAULT.reset]: {
    expected: 'success after 1 retry',
    succeeds: true,
    requests: 3,
    boundMs: 3000,
  },
  [FAULT.slow]: {
    expected: 'TIMEOUT at the 2 s deadline',
    succeeds: false,
    code: 'TIMEOUT',
    message: /GET \/status timed out after 2000 ms/,
    requests: 2,
    boundMs: 3000,
    minMs: 1900,
  },
  [FAULT.status500]: {
    expected: 'success after 1 retry',
    succeeds: true,
    requests: 3,
    boundMs: 3000,
  },
  [FAULT.status502]: {
    expected: 'success after 1 retry',
    succeeds: true,
    requests: 3,
    boundMs: 3000,
  },
  [FAULT.status503]: {
    expected: 'success after waiting 1 s',
    succeeds: true,
    requests: 3,
    boundMs: 4000,
    minMs: 950,
  },
  [FAULT.tooManySeconds]: {
    expected: 'success after waiting 2 s',
    succeeds: true,
    requests: 3,
    boundMs: 5000,
    minMs: 1900,
  },
  [FAULT.tooManyDate]: {
    expected: 'success after waiting until the date',
    succeeds: true,
    requests: 3,
    boundMs: 5000,
    minMs: 1400,
  },
  [FAULT.html]: {
    expected: 'HTTP_ERROR naming status 502 and the page, after 2 retries',
    succeeds: false,
    code: 'HTTP_ERROR',
    message: /returned status 502 with 160 bytes of text\/html.* titled "502 Bad Gateway"/,
    requests: 4,
    boundMs: 4000,
  },
  [FAULT.empty]: {
    expected: 'RESPONSE_NOT_JSON (empty body)',
    succeeds: false,
    code: 'RESPONSE_NOT_JSON',
    message: /received status 200 with an empty body/,
    requests: 2,
    boundMs: 2000,
  },
  [FAULT.truncated]: {
    expected: 'RESPONSE_NOT_JSON without quoting the 2xx body, which may carry a credential',
    succeeds: false,
    code: 'RESPONSE_NOT_JSON',
    message:
      /expected a JSON body .* \(the body is not shown because it may contain a credential\)/,
    requests: 2,
    boundMs: 2000,
  },
  [FAULT.large]: {
    expected: 'RESPONSE_NOT_JSON (token answer without access_token); body under the cap is read',
    succeeds: false,
    code: 'RESPONSE_NOT_JSON',
    message: /has no access_token/,
    requests: 1,
    boundMs: 10_000,
  },
  [FAULT.overCap]: {
    expected: 'RESPONSE_TOO_LARGE before reading the body',
    succeeds: false,
    code: 'RESPONSE_TOO_LARGE',
    message: /larger than the limit of 67108864 bytes/,
    requests: 2,
    boundMs: 3000,
  },
  [FAULT.redirect]: {
    expected: 'HTTP_ERROR with status 302; the other origin gets no request',
    succeeds: false,
    code: 'HTTP_ERROR',
    message: /returned status 302/,
    requests: 2,
    boundMs: 2000,
  },
  [FAULT.expired]: {
    expected: 'success after one refresh',
    succeeds: true,
    requests: 4,
    boundMs: 4000,
  },
  [FAULT.revoked]: {
    expected: 'success after a new password sign-in',
    succeeds: true,
    requests: 4,
    boundMs: 4000,
  },
  [FAULT.codeUsed]: {
    expected: 'success with a code of the next time step',
    succeeds: true,
    requests: 4,
    boundMs: 32_000,
  },
  [FAULT.rateLimit]: {
    expected: 'success after waiting out Retry-After once',
    succeeds: true,
    requests: 4,
    boundMs: 32_000,
    minMs: 3000,
  },
  [FAULT.rateLimitLong]: {
    expected: 'MFA_RATE_LIMITED naming the 120 s wait, at once',
    succeeds: false,
    code: 'MFA_RATE_LIMITED',
    message: /too many wrong codes; retry in 120 s/,
    requests: 2,
    boundMs: 2000,
  },
  [FAULT.clockAhead]: {
    expected: 'success; expiry on the client clock',
    succeeds: true,
    requests: 3,
    boundMs: 3000,
  },
  [FAULT.clockBehind]: {
    expected: 'success; expiry on the client clock',
    succeeds: true,
    requests: 3,
    boundMs: 3000,
  },
};

/** Time a bundle run needs beyond the library call: starting Node.js and loading the bundle. */
export const PROCESS_START_MS = 2000;

/**
 * Turns an expectation of auth-core's `login` into one for the rips-login action, which runs the
 * same sequence. The requests and message stay the same and the bound allows for the process
 * start. The error code is dropped because the action prints only the message.
 */
export function forLoginAction(expectation: Expectation, hint?: RegExp): Expectation {
  const { code, ...rest } = expectation;
  const adapted: Expectation = { ...rest, boundMs: expectation.boundMs + PROCESS_START_MS };
  if (code !== undefined) {
    const detail = expectation.expected.slice(code.length).trim();
    adapted.expected = `step fails with the ${code} message${detail === '' ? '' : ` ${detail}`}`;
  }
  if (hint !== undefined && expectation.message !== undefined) {
    adapted.message = new RegExp(`${expectation.message.source}.*${hint.source}`);
  }
  return adapted;
}
