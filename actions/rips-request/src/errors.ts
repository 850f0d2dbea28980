import { RipsAuthError } from '@rips-actions/auth-core';

/** Hints appended to auth-core errors whose cause is usually in the workflow. */
const HINTS: Partial<Record<RipsAuthError['code'], string>> = {
  TIMEOUT: 'raise timeout-seconds if the API is slow to respond',
  NETWORK_ERROR: 'check api-url and, on a self-hosted runner, HTTPS_PROXY and NO_PROXY',
};

/**
 * Returns the message that fails the step. auth-core messages contain no secret, and a hint is
 * added where the fix is a change to the workflow.
 */
export function failureMessage(error: unknown): string {
  if (!(error instanceof Error)) {
    return String(error);
  }
  const hint = error instanceof RipsAuthError ? HINTS[error.code] : undefined;
  return hint === undefined ? error.message : `${error.message}; ${hint}`;
}
