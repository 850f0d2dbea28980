import * as core from '@actions/core';
import type { LoginResult } from '@rips-actions/auth-core';
import type { LoginConfig } from './inputs.js';

/** Output names, as `action.yml` declares them. */
export const OUTPUTS = {
  accessToken: 'access-token',
  refreshToken: 'refresh-token',
  mfaToken: 'mfa-token',
  clientId: 'client-id',
  tokenType: 'token-type',
  expiresIn: 'expires-in',
  expiresAt: 'expires-at',
  authMethod: 'auth-method',
  userId: 'user-id',
  userEmail: 'user-email',
} as const;

type OutputName = (typeof OUTPUTS)[keyof typeof OUTPUTS];

/** Everything the action hands to later steps, computed before any of it is set. */
export interface LoginPublication {
  /** Every output, in the order of {@link OUTPUTS}. A value is empty where the method has none. */
  outputs: [OutputName, string][];
  /** Environment variables for later steps, empty unless `export-env` is true. */
  exports: [string, string][];
}

/**
 * Computes the outputs and exported variables of a successful login. Nothing is set here, so a
 * failure while computing leaves the step without outputs.
 */
export function describeLogin(result: LoginResult, config: LoginConfig): LoginPublication {
  const expiresAt = result.expiresAt?.toISOString() ?? '';
  const outputs: [OutputName, string][] = [
    [OUTPUTS.accessToken, result.accessToken ?? ''],
    [OUTPUTS.refreshToken, result.refreshToken ?? ''],
    [OUTPUTS.mfaToken, result.mfaToken ?? ''],
    [OUTPUTS.clientId, result.clientId ?? ''],
    [OUTPUTS.tokenType, result.tokenType ?? ''],
    [OUTPUTS.expiresIn, result.expiresIn === undefined ? '' : String(result.expiresIn)],
    [OUTPUTS.expiresAt, expiresAt],
    [OUTPUTS.authMethod, result.method],
    [OUTPUTS.userId, String(result.user.id)],
    [OUTPUTS.userEmail, result.user.email],
  ];
  return { outputs, exports: config.exportEnv ? environmentFor(result, config, expiresAt) : [] };
}

/**
 * Lists the variables that rips-request reads in later steps. The plain method has no OAuth
 * tokens, so it exports the e-mail and password instead. Variables without a value are exported
 * empty, so that values from an earlier login in the same job do not survive.
 */
function environmentFor(
  result: LoginResult,
  config: LoginConfig,
  expiresAt: string,
): [string, string][] {
  const apiUrl: [string, string] = ['RIPS_API_URL', formatApiUrl(config.apiUrl)];
  const mfaToken: [string, string] = ['RIPS_MFA_TOKEN', result.mfaToken ?? ''];
  if (result.method === 'plain') {
    return [apiUrl, ['RIPS_EMAIL', config.email], ['RIPS_PASSWORD', config.password], mfaToken];
  }
  return [
    apiUrl,
    ['RIPS_ACCESS_TOKEN', result.accessToken ?? ''],
    ['RIPS_REFRESH_TOKEN', result.refreshToken ?? ''],
    mfaToken,
    ['RIPS_CLIENT_ID', result.clientId ?? ''],
    ['RIPS_EXPIRES_AT', expiresAt],
  ];
}

/** Returns the base URL without the trailing slash that `URL` adds to an empty path. */
export function formatApiUrl(apiUrl: URL): string {
  return apiUrl.href.replace(/\/$/, '');
}

/** Sets the outputs and exports the variables. Every secret among them is already masked. */
export function publishLogin(publication: LoginPublication): void {
  for (const [name, value] of publication.outputs) {
    core.setOutput(name, value);
  }
  for (const [name, value] of publication.exports) {
    core.exportVariable(name, value);
  }
}

/**
 * Writes who signed in, how, and when the token expires to the job summary. It contains no
 * credential. Without `GITHUB_STEP_SUMMARY`, as outside a runner, nothing is written. The outputs
 * are already set at this point, so a failure to write only logs a warning rather than failing
 * a step that has outputs.
 */
export async function writeLoginSummary(result: LoginResult, config: LoginConfig): Promise<void> {
  if ((process.env['GITHUB_STEP_SUMMARY'] ?? '') === '') {
    core.debug('GITHUB_STEP_SUMMARY is not set; skipping the job summary');
    return;
  }
  const rows = [
    ['API', formatApiUrl(config.apiUrl)],
    ['User', `${result.user.email} (id ${String(result.user.id)})`],
    ['Method', result.method],
    ['MFA', result.mfaToken === undefined ? 'not used' : 'MFA token in use'],
  ];
  if (result.clientId !== undefined) {
    rows.push(['OAuth client id', result.clientId]);
  }
  rows.push([
    'Access token expires',
    result.expiresAt?.toISOString() ?? 'no token (plain headers)',
  ]);
  try {
    await core.summary
      .addHeading('RIPS login', 3)
      .addTable([
        [
          { data: 'Item', header: true },
          { data: 'Value', header: true },
        ],
        // The summary is HTML and the e-mail address comes from the API.
        ...rows.map((row) => row.map(escapeHtml)),
      ])
      .write();
  } catch (error: unknown) {
    core.summary.emptyBuffer();
    core.warning(
      `Failed to write the job summary: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}
