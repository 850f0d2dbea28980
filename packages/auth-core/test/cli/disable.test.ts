import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { login, Session } from '../../src/index.js';
import {
  ALICE,
  BOB,
  countOf,
  parseJsonOutput,
  requireBuild,
  runCli,
  runInTerminal,
  skipWithoutPython,
  startCliTestBed,
  type CliTestBed,
} from './helpers.js';

const DISABLED_TEXT =
  'MFA is now disabled for bob@example.com.\n' +
  'Delete the GitHub secret RIPS_TOTP_SECRET if it is stored: gh secret delete RIPS_TOTP_SECRET\n';

let bed: CliTestBed;

beforeAll(() => {
  requireBuild();
});

beforeEach(async () => {
  bed = await startCliTestBed();
  bed.placeInStep(2);
});

afterEach(async () => {
  await bed.close();
});

function disableArgs(email: string, ...extra: string[]): string[] {
  return ['mfa', 'disable', '--api-url', bed.url, '--email', email, ...extra];
}

/** Reads whether MFA is on, with an MFA token when it is on. */
async function mfaEnabled(email: string, password: string): Promise<boolean | undefined> {
  const session = new Session({
    apiUrl: bed.url,
    credentials: { type: 'password', email, password },
  });
  return (await session.status()).user?.mfaEnabled;
}

describe('mfa disable with RIPS_TOTP_SECRET', { timeout: 60_000 }, () => {
  it('turns MFA off with codes of two steps', async () => {
    // Close to the end of a step, so that the wait for the second code is short.
    bed.placeInStep(27);
    await bed.emulator.control.clearRequests();

    const run = await runCli(disableArgs(BOB.email), {
      RIPS_PASSWORD: BOB.password,
      RIPS_TOTP_SECRET: BOB.totpSecret,
    });

    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe(DISABLED_TEXT);
    expect(run.stderr).toMatch(
      /^Waiting about [1-4] s for the next TOTP code, because the API accepts one code per 30 s and the first one obtained the MFA token\.\n$/,
    );
    expect(await bed.requestLines()).toEqual([
      'GET /oauth/v2/global/clients 200',
      'POST /oauth/v2/auth/tokens 200',
      'GET /status 401',
      'POST /mfas/token 200',
      'GET /status 200',
      'POST /mfas/delete 200',
    ]);
    expect(await mfaEnabled(BOB.email, BOB.password)).toBe(false);
  });

  it('needs one code with RIPS_MFA_TOKEN', async () => {
    const { mfaToken } = await login({
      apiUrl: bed.url,
      email: BOB.email,
      password: BOB.password,
      totpSecret: BOB.totpSecret,
    });
    bed.advance(30);

    const run = await runCli(disableArgs(BOB.email, '--json'), {
      RIPS_PASSWORD: BOB.password,
      RIPS_TOTP_SECRET: BOB.totpSecret,
      RIPS_MFA_TOKEN: mfaToken ?? '',
    });

    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect(parseJsonOutput(run.stdout)).toEqual({ email: BOB.email, mfaEnabled: false });
    expect(await mfaEnabled(BOB.email, BOB.password)).toBe(false);
  });

  it('reports MFA off without sending a code', async () => {
    await bed.emulator.control.clearRequests();

    const run = await runCli(disableArgs(ALICE.email, '--json'), {
      RIPS_PASSWORD: ALICE.password,
      RIPS_TOTP_SECRET: BOB.totpSecret,
    });

    expect(run.exitCode).toBe(1);
    const message = 'MFA is not enabled for alice@example.com, so there is nothing to turn off';
    expect(run.stderr).toBe(`rips-auth: error: ${message}\n`);
    expect(parseJsonOutput(run.stdout)).toEqual({ error: { code: 'MFA_NOT_ENABLED', message } });
    expect((await bed.requestLines()).filter((line) => line.includes('/mfas/'))).toEqual([]);
  });

  it('rejects a malformed secret with exit 2', async () => {
    const run = await runCli(disableArgs(BOB.email), {
      RIPS_PASSWORD: BOB.password,
      RIPS_TOTP_SECRET: 'not a secret!',
    });

    expect(run).toEqual({
      stdout: '',
      stderr:
        'rips-auth: error: RIPS_TOTP_SECRET: expected a base32 secret (letters A-Z and digits 2-7, as an authenticator app shows it)\n',
      exitCode: 2,
    });
  });

  it('reports a wrong password with exit 1', async () => {
    const run = await runCli(disableArgs(BOB.email), {
      RIPS_PASSWORD: 'wrong-password',
      RIPS_TOTP_SECRET: BOB.totpSecret,
    });

    expect(run).toEqual({
      stdout: '',
      stderr:
        'rips-auth: error: Sign-in failed for bob@example.com: the API rejected the e-mail or password (Invalid credentials)\n',
      exitCode: 1,
    });
  });

  it('fails without a secret and without a terminal', async () => {
    const run = await runCli(disableArgs(BOB.email), { RIPS_PASSWORD: BOB.password });

    expect(run).toEqual({
      stdout: '',
      stderr:
        'rips-auth: error: RIPS_TOTP_SECRET is not set and standard input is not a terminal to type codes from an authenticator app; set RIPS_TOTP_SECRET\n',
      exitCode: 2,
    });
  });
});

describe.skipIf(skipWithoutPython)('mfa disable on a terminal', { timeout: 60_000 }, () => {
  it('takes two typed codes and rejects a reused one', async () => {
    const terminal = runInTerminal(disableArgs(BOB.email), { RIPS_PASSWORD: BOB.password });
    await terminal.waitFor('Code shown by the authenticator app: ');
    const code = await bed.code(BOB.totpSecret);

    terminal.type(`${code}\r`);
    await terminal.waitFor('Next code shown by the app: ');
    terminal.type(`${code}\r`);
    await terminal.waitFor('Type the next code, which the app shows in');
    // Typed before the prompt, the code would be echoed by a terminal not yet in raw mode.
    await terminal.waitFor(countOf('Next code shown by the app: ', 2));
    // The API accepts a code of the next step one step early (clock skew).
    terminal.type(`${await bed.code(BOB.totpSecret, 1)}\r`);

    expect(await terminal.exited).toBe(0);
    expect(terminal.transcript.replace(/in \d+ s/g, 'in N s')).toBe(
      [
        `Code shown by the authenticator app: ${code}`,
        'The API accepts one code per 30 s. Wait until the app shows a new code (in N s) and type it to turn MFA off.',
        `Next code shown by the app: ${code}`,
        'The API rejected the code because it was already used. Type the next code, which the app shows in N s.',
        `Next code shown by the app: ${await bed.code(BOB.totpSecret, 1)}`,
        DISABLED_TEXT,
      ].join('\n'),
    );
    expect(await mfaEnabled(BOB.email, BOB.password)).toBe(false);
  });

  it('reports a rejected RIPS_MFA_TOKEN', async () => {
    const terminal = runInTerminal(disableArgs(BOB.email), {
      RIPS_PASSWORD: BOB.password,
      RIPS_MFA_TOKEN: 'stale-token',
    });

    expect(await terminal.exited).toBe(1);
    expect(terminal.transcript).toBe(
      'rips-auth: error: The API rejected the MFA token in RIPS_MFA_TOKEN; unset it to type two codes instead\n',
    );
  });
});
