import { generateTotp, normalizeTotpSecret, TOTP_PERIOD_SECONDS, totpTimeStep } from '../index.js';
import { TOTP_SECRET_NAME } from './enroll.js';
import { CliError, ExitCode } from './errors.js';
import { readTotpSecretFromEnv } from './inputs.js';
import type { Output } from './output.js';
import { canPrompt, promptLine } from './prompt.js';

/**
 * Runs `mfa code`: prints the current TOTP code of `RIPS_TOTP_SECRET` (or of a secret typed
 * at a prompt without echo) and how long it stays current. Sends no request, so the code
 * follows the local clock.
 */
export async function runCode(output: Output): Promise<void> {
  const secret = readTotpSecretFromEnv() ?? (await promptForSecret());
  const nowMs = Date.now();
  const step = totpTimeStep(nowMs);
  const code = await generateTotp(secret, { timeMs: nowMs });
  const validUntilMs = (step + 1) * TOTP_PERIOD_SECONDS * 1000;
  const secondsLeft = Math.ceil((validUntilMs - nowMs) / 1000);
  output.text(`${code} (valid for ${secondsLeft} more seconds)`);
  output.result({ code, secondsLeft, validUntil: new Date(validUntilMs).toISOString() });
}

async function promptForSecret(): Promise<string> {
  if (!canPrompt()) {
    throw new CliError(
      'NO_TERMINAL',
      `${TOTP_SECRET_NAME} is not set and standard input is not a terminal to ask for the ` +
        `secret; set ${TOTP_SECRET_NAME}`,
      ExitCode.usage,
    );
  }
  const secret = await promptLine('TOTP secret: ', { echo: false });
  return normalizeTotpSecret(secret, 'the TOTP secret');
}
