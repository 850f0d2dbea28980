import * as core from '@actions/core';
import { RipsAuthError, type Session } from '@rips-actions/auth-core';

import { failureMessage } from './errors.js';
import { readConfig, type ActionConfig } from './inputs.js';
import { createMasker } from './mask.js';
import {
  exportTokens,
  prepareOutputs,
  publishOutputs,
  summaryLine,
  tokenExports,
  writeSummary,
} from './outputs.js';
import { createSession, sendRequest, type RequestOutcome } from './request.js';

/**
 * Runs the action: reads the inputs, sends the request through an auth-core session and sets
 * the outputs. Any error fails the step with its message and sets no output, but tokens that a
 * refresh renewed are still exported when they replace `RIPS_*` variables, because the old ones
 * are revoked. A request that got a response still writes its job summary line.
 */
export async function run(): Promise<void> {
  const mask = createMasker((form) => core.setSecret(form));
  let config: ActionConfig | undefined;
  let session: Session | undefined;
  let outcome: RequestOutcome | undefined;
  try {
    config = readConfig(mask);
    session = createSession(config, mask);
    outcome = await sendRequest(session, config);
    const prepared = await prepareOutputs(outcome, config, session, mask);
    await publishOutputs(prepared);
  } catch (error: unknown) {
    if (config !== undefined && session !== undefined) {
      exportTokens(tokenExports(session, config));
    }
    core.setFailed(failureMessage(error));
    debugStack(error);
    // A response arrived, so the summary records the request that failed the step.
    if (config !== undefined && outcome !== undefined) {
      await writeSummary(summaryLine(outcome, config, true));
    }
  }
}

/**
 * Logs the stack of an error at debug level, headed by its stable code. The bundler renames
 * classes (InvalidOptionError becomes errors_InvalidOptionError), so the name in the first
 * stack line cannot be searched for in the sources, but the code can.
 */
function debugStack(error: unknown): void {
  if (!(error instanceof Error) || error.stack === undefined) {
    return;
  }
  const frames = error.stack.split('\n').filter((line) => /^\s+at /.test(line));
  const label = error instanceof RipsAuthError ? error.code : error.name;
  core.debug([`${label}: ${error.message}`, ...frames].join('\n'));
}
