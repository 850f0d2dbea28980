import * as core from '@actions/core';
import { login } from '@rips-actions/auth-core';
import { describeFailure } from './errors.js';
import { ignoredInputWarnings, readInputs, type LoginConfig } from './inputs.js';
import { createSecretMasker } from './masking.js';
import { describeLogin, publishLogin, writeLoginSummary } from './outputs.js';

/** User-Agent prefix of the action's requests. auth-core appends its own product token. */
const USER_AGENT = 'rips-login/0.1.0';

/**
 * Signs in to the RIPS API and hands the credentials to later steps. Every credential is masked
 * before anything else happens, and outputs are set only after the whole login succeeded, so a
 * failed step sets none.
 */
export async function run(): Promise<void> {
  const mask = createSecretMasker((form) => core.setSecret(form));
  let config: LoginConfig | undefined;
  try {
    config = readInputs(mask);
    for (const warning of ignoredInputWarnings(config)) {
      core.warning(warning);
    }
    // auth-core's login logs the method, who signed in and the expiry at info level.
    const result = await login({
      apiUrl: config.apiUrl,
      allowInsecureHttp: config.allowInsecureHttp,
      grant: config.grant,
      email: config.email,
      password: config.password,
      refreshToken: config.refreshToken,
      clientId: config.clientId,
      clientName: config.clientName,
      totpSecret: config.totpSecret,
      mfaToken: config.mfaToken,
      timeoutMs: config.timeoutSeconds * 1000,
      retries: config.retries,
      userAgent: USER_AGENT,
      onSecret: mask,
      logger: { debug: core.debug, info: core.info, warning: core.warning },
    });

    publishLogin(describeLogin(result, config));
    await writeLoginSummary(result, config);
  } catch (error: unknown) {
    core.setFailed(describeFailure(error, config));
  }
}
