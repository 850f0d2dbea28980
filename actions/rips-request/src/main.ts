import * as core from '@actions/core';
import type { Session } from '@rips-actions/auth-core';

import { failureMessage } from './errors.js';
import { readConfig, type ActionConfig } from './inputs.js';
import { createMasker } from './mask.js';
import { exportTokens, prepareOutputs, publishOutputs, tokenExports } from './outputs.js';
import { createSession, sendRequest } from './request.js';

/**
 * Runs the action: reads the inputs, sends the request through an auth-core session and sets
 * the outputs. Any error fails the step with its message and sets no output, but tokens that a
 * refresh renewed are still exported when they replace `RIPS_*` variables, because the old ones
 * are spent.
 */
export async function run(): Promise<void> {
  const mask = createMasker((form) => core.setSecret(form));
  let config: ActionConfig | undefined;
  let session: Session | undefined;
  try {
    config = readConfig(mask);
    session = createSession(config, mask);
    const outcome = await sendRequest(session, config);
    const prepared = await prepareOutputs(outcome, config, session, mask);
    await publishOutputs(prepared);
  } catch (error: unknown) {
    if (config !== undefined && session !== undefined) {
      exportTokens(tokenExports(session, config));
    }
    core.setFailed(failureMessage(error));
    if (error instanceof Error && error.stack !== undefined) {
      core.debug(error.stack);
    }
  }
}
