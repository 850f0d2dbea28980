import * as core from '@actions/core';
import {
  DEFAULT_CLIENT_NAME,
  InvalidOptionError,
  normalizeCredential,
  normalizeTotpSecret,
  parseApiUrl,
  parseGrant,
  parseRetries,
  parseTimeoutSeconds,
  type GrantOption,
} from '@rips-actions/auth-core';
import type { SecretMasker } from './masking.js';

/** Input names, as `action.yml` declares them. */
export const INPUTS = {
  apiUrl: 'api-url',
  email: 'email',
  password: 'password',
  clientId: 'client-id',
  clientName: 'client-name',
  grant: 'grant',
  refreshToken: 'refresh-token',
  totpSecret: 'totp-secret',
  mfaToken: 'mfa-token',
  exportEnv: 'export-env',
  timeoutSeconds: 'timeout-seconds',
  retries: 'retries',
  allowInsecureHttp: 'allow-insecure-http',
} as const;

/** Name of an input that `action.yml` declares. */
export type InputName = (typeof INPUTS)[keyof typeof INPUTS];

/** The action's inputs, parsed. Empty strings stand for inputs that were not set. */
export interface LoginConfig {
  apiUrl: URL;
  /** Whether `api-url` may use plain `http://` for a host other than loopback. */
  allowInsecureHttp: boolean;
  grant: GrantOption;
  email: string;
  password: string;
  clientId: string;
  clientName: string;
  refreshToken: string;
  totpSecret: string;
  mfaToken: string;
  exportEnv: boolean;
  timeoutSeconds: number;
  retries: number;
}

/**
 * Reads the inputs into a {@link LoginConfig}. The credential inputs are read first and passed to
 * `mask` before any other input is validated, so that no error or log line can show them
 * unmasked.
 *
 * @throws InvalidOptionError naming the input that is malformed
 */
export function readInputs(mask: SecretMasker): LoginConfig {
  const password = readCredential(INPUTS.password, mask);
  const refreshToken = readCredential(INPUTS.refreshToken, mask);
  const mfaToken = readCredential(INPUTS.mfaToken, mask);
  const totpSecret = readCredential(INPUTS.totpSecret, mask);
  maskNormalizedTotpSecret(totpSecret, mask);

  const allowInsecureHttp = parseBoolean(INPUTS.allowInsecureHttp);
  return {
    apiUrl: parseApiUrl(core.getInput(INPUTS.apiUrl), { allowInsecureHttp }),
    allowInsecureHttp,
    grant: parseGrant(core.getInput(INPUTS.grant)),
    email: core.getInput(INPUTS.email),
    password,
    clientId: core.getInput(INPUTS.clientId),
    clientName: core.getInput(INPUTS.clientName) || DEFAULT_CLIENT_NAME,
    refreshToken,
    totpSecret,
    mfaToken,
    exportEnv: parseBoolean(INPUTS.exportEnv),
    timeoutSeconds: parseTimeoutSeconds(core.getInput(INPUTS.timeoutSeconds)),
    retries: parseRetries(core.getInput(INPUTS.retries)),
  };
}

/**
 * Lists inputs that the login ignores because another input takes precedence. The default
 * client name cannot be distinguished from an explicit `ci`, so only other names are reported.
 */
export function ignoredInputWarnings(config: LoginConfig): string[] {
  const warnings: string[] = [];
  if (config.clientId !== '' && config.clientName !== DEFAULT_CLIENT_NAME) {
    warnings.push(
      `${INPUTS.clientName} is ignored because ${INPUTS.clientId} is set; set only one of them`,
    );
  }
  return warnings;
}

/**
 * Reads a credential as given, dropping only the trailing line break that pasting a secret
 * leaves, because a password may begin or end with a space.
 */
function readCredential(name: InputName, mask: SecretMasker): string {
  const value = normalizeCredential(core.getInput(name, { trimWhitespace: false }));
  mask(value);
  return value;
}

/**
 * Masks the normalised TOTP secret (upper case, without spaces or padding), the form that
 * auth-core decodes. A malformed secret is left to auth-core, which rejects it with a message
 * that names the input.
 */
function maskNormalizedTotpSecret(totpSecret: string, mask: SecretMasker): void {
  if (totpSecret.trim() === '') {
    return;
  }
  try {
    mask(normalizeTotpSecret(totpSecret));
  } catch (error: unknown) {
    if (!(error instanceof InvalidOptionError)) {
      throw error;
    }
  }
}

/**
 * Parses a boolean input. Unlike `core.getBooleanInput`, an empty value is false, so that the
 * action also runs where the runner's defaults from `action.yml` are not applied.
 */
function parseBoolean(name: InputName): boolean {
  const text = core.getInput(name).toLowerCase();
  if (text === '' || text === 'false') {
    return false;
  }
  if (text === 'true') {
    return true;
  }
  throw new InvalidOptionError(name, `expected true or false, received "${text.slice(0, 20)}"`);
}
