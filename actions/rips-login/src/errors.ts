import { RipsAuthError } from '@rips-actions/auth-core';
import { INPUTS, type LoginConfig } from './inputs.js';

// GitHub gives no secrets to workflows that a pull request from a fork or Dependabot triggers.
const MISSING_SECRET_HINT =
  'secrets are not passed to workflows triggered from forks or by Dependabot';

/**
 * Turns an error into the step's failure message, adding a hint for the likely causes the action
 * can identify. auth-core messages contain no secret, and every credential is masked before any call
 * that could fail, so the message is safe to print.
 */
export function describeFailure(error: unknown, config: LoginConfig | undefined): string {
  if (!(error instanceof RipsAuthError)) {
    return error instanceof Error ? error.message : String(error);
  }
  const hint = config === undefined ? undefined : hintFor(error, config);
  return hint === undefined ? error.message : `${error.message}. ${hint}`;
}

function hintFor(error: RipsAuthError, config: LoginConfig): string | undefined {
  switch (error.code) {
    case 'INVALID_CREDENTIALS':
      // An unknown client id is reported with the same code, and its message names client-id.
      if (error.message.startsWith(`${INPUTS.clientId}:`) || config.password === '') {
        return undefined;
      }
      return `Check the ${INPUTS.email} and ${INPUTS.password} inputs and the secrets they come from`;
    case 'MFA_REQUIRED':
      if (config.totpSecret !== '') {
        return undefined;
      }
      return `If ${INPUTS.totpSecret} is set from a secret, check that the secret exists: ${MISSING_SECRET_HINT}`;
    case 'MFA_RATE_LIMITED':
      return (
        'TOTP codes are single-use, so jobs that run at the same time with one ' +
        `${INPUTS.totpSecret} compete for them: let one job sign in at a time`
      );
    default:
      return undefined;
  }
}
