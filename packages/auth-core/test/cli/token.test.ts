import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { login, MfaRequiredError, Session } from '../../src/index.js';
import {
  ALICE,
  BOB,
  DEMO,
  countOf,
  parseJsonOutput,
  requireBuild,
  runCli,
  runInTerminal,
  skipWithoutPython,
  startCliTestBed,
  unusedLoopbackUrl,
  type CliTestBed,
} from './helpers.js';

/** An MFA token as the emulator mints it: 20 random bytes in hex. */
const MFA_TOKEN = /^[0-9a-f]{40}$/;

const REQUESTS_OF_ONE_TOKEN = [
  'GET /oauth/v2/global/clients 200',
  'POST /oauth/v2/auth/tokens 200',
  'GET /status 401',
  'POST /mfas/token 200',
];

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

function tokenArgs(email: string, ...extra: string[]): string[] {
  return ['mfa', 'token', '--api-url', bed.url, '--email', email, ...extra];
}

/** Builds the text that the command prints on stdout for `token`. */
function tokenText(email: string, token: string): string {
  return [
    `New MFA token for ${email} (shown only this once; it stays valid until MFA is turned off):`,
    '',
    `  ${token}`,
    '',
    'Store it as the GitHub secret RIPS_MFA_TOKEN: run this command and paste the token when it asks for the value.',
    '',
    '  gh secret set RIPS_MFA_TOKEN',
    '',
    'Then pass it to rips-login as mfa-token, and keep totp-secret as the fallback.',
    '',
  ].join('\n');
}

/** Reads `GET /status` with a plain fetch: the e-mail and password as headers, and `mfaToken`. */
async function statusWith(
  user: { email: string; password: string },
  mfaToken?: string,
): Promise<number> {
  const headers: Record<string, string> = {
    accept: 'application/json',
    'x-api-email': user.email,
    'x-api-password': user.password,
  };
  if (mfaToken !== undefined) {
    headers['x-api-mfa'] = mfaToken;
  }
  const response = await fetch(`${bed.url}/status`, { headers });
  await response.arrayBuffer();
  return response.status;
}

/** Reads whether MFA is on, signing in with the password and no MFA input. */
async function mfaEnabled(email: string, password: string): Promise<boolean | undefined> {
  const session = new Session({
    apiUrl: bed.url,
    credentials: { type: 'password', email, password },
  });
  try {
    return (await session.status()).user?.mfaEnabled;
  } catch (error: unknown) {
    if (error instanceof MfaRequiredError) return true;
    throw error;
  }
}

describe('mfa token with RIPS_TOTP_SECRET', { timeout: 60_000 }, () => {
  it('prints a token that the API accepts', async () => {
    await bed.emulator.control.clearRequests();

    const run = await runCli(tokenArgs(DEMO.email), {
      RIPS_PASSWORD: DEMO.password,
      RIPS_TOTP_SECRET: DEMO.totpSecret,
    });

    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    const token = /^ {2}(\S+)$/m.exec(run.stdout)?.[1] ?? '';
    expect(token).toMatch(MFA_TOKEN);
    expect(run.stdout).toBe(tokenText(DEMO.email, token));
    expect(run.stdout.split(token)).toHaveLength(2);
    expect(await bed.requestLines()).toEqual(REQUESTS_OF_ONE_TOKEN);
    expect(await statusWith(DEMO, token)).toBe(200);
    expect(await statusWith(DEMO)).toBe(401);
  });

  it('prints one JSON object with --json', async () => {
    const run = await runCli(tokenArgs(DEMO.email, '--json'), {
      RIPS_PASSWORD: DEMO.password,
      RIPS_TOTP_SECRET: DEMO.totpSecret,
    });

    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    const result = parseJsonOutput(run.stdout);
    expect(result).toEqual({
      email: DEMO.email,
      mfaToken: expect.stringMatching(MFA_TOKEN) as unknown,
      secretName: 'RIPS_MFA_TOKEN',
      storeCommand: 'gh secret set RIPS_MFA_TOKEN',
    });
    expect(await statusWith(DEMO, String(result.mfaToken))).toBe(200);
    expect(run.stdout).not.toContain(DEMO.password);
    expect(run.stdout).not.toContain(DEMO.totpSecret);
  });

  it('sends the next code after a used one', async () => {
    // Another job took the code of the current step: the command sends the next one.
    bed.placeInStep(27);
    await login({
      apiUrl: bed.url,
      email: DEMO.email,
      password: DEMO.password,
      totpSecret: DEMO.totpSecret,
    });
    await bed.emulator.control.clearRequests();

    const run = await runCli(tokenArgs(DEMO.email, '--json'), {
      RIPS_PASSWORD: DEMO.password,
      RIPS_TOTP_SECRET: DEMO.totpSecret,
    });

    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect((await bed.requestLines()).filter((line) => line.includes('/mfas/'))).toEqual([
      'POST /mfas/token 400',
      'POST /mfas/token 200',
    ]);
    const { mfaToken } = parseJsonOutput(run.stdout);
    expect(await statusWith(DEMO, String(mfaToken))).toBe(200);
  });

  it('reports MFA off without sending a code', async () => {
    await bed.emulator.control.clearRequests();

    const run = await runCli(tokenArgs(ALICE.email, '--json'), {
      RIPS_PASSWORD: ALICE.password,
      RIPS_TOTP_SECRET: BOB.totpSecret,
    });

    expect(run.exitCode).toBe(1);
    const message =
      'MFA is not enabled for alice@example.com, so no MFA token is needed: rips-login signs in ' +
      'with the password alone. Turn MFA on with `rips-auth mfa enroll` first if the account needs it';
    expect(run.stderr).toBe(`rips-auth: error: ${message}\n`);
    expect(parseJsonOutput(run.stdout)).toEqual({ error: { code: 'MFA_NOT_ENABLED', message } });
    expect((await bed.requestLines()).filter((line) => line.includes('/mfas/'))).toEqual([]);
  });

  it('leaves a pending enrolment alone', async () => {
    // With an enrolment pending, a valid code sent to POST /mfas/token would turn MFA on.
    const enrolling = new Session({
      apiUrl: bed.url,
      credentials: { type: 'password', email: ALICE.email, password: ALICE.password },
    });
    const { secret } = await enrolling.beginMfaEnrolment();

    const run = await runCli(tokenArgs(ALICE.email), {
      RIPS_PASSWORD: ALICE.password,
      RIPS_TOTP_SECRET: secret,
    });

    expect(run.exitCode).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^rips-auth: error: MFA is not enabled for alice@example\.com/);
    expect(await mfaEnabled(ALICE.email, ALICE.password)).toBe(false);
  });

  it('reports a wrong password with exit 1', async () => {
    const run = await runCli(tokenArgs(DEMO.email), {
      RIPS_PASSWORD: 'wrong-password',
      RIPS_TOTP_SECRET: DEMO.totpSecret,
    });

    expect(run).toEqual({
      stdout: '',
      stderr:
        'rips-auth: error: Sign-in failed for demo@example.com: the API rejected the e-mail or password (Invalid credentials)\n',
      exitCode: 1,
    });
  });

  it('rejects a malformed secret with exit 2', async () => {
    await bed.emulator.control.clearRequests();

    const run = await runCli(tokenArgs(DEMO.email), {
      RIPS_PASSWORD: DEMO.password,
      RIPS_TOTP_SECRET: 'not a secret!',
    });

    expect(run).toEqual({
      stdout: '',
      stderr:
        'rips-auth: error: RIPS_TOTP_SECRET: expected a base32 secret (letters A-Z and digits 2-7, as an authenticator app shows it)\n',
      exitCode: 2,
    });
    expect(await bed.requestLines()).toEqual([]);
  });

  it('reports the rate limit and the wait with exit 4', async () => {
    await bed.emulator.control.addFault({
      method: 'POST',
      path: '/mfas/token',
      kind: 'status',
      status: 429,
      retryAfter: 90,
      body: { code: 429, message: 'Too many wrong codes' },
    });

    const run = await runCli(tokenArgs(DEMO.email, '--json'), {
      RIPS_PASSWORD: DEMO.password,
      RIPS_TOTP_SECRET: DEMO.totpSecret,
    });

    expect(run.exitCode).toBe(4);
    const message =
      'The API rejects TOTP codes after 3 wrong codes in 30 s. Wait 90 s, then run the command again';
    expect(run.stderr).toBe(`rips-auth: error: ${message}\n`);
    expect(parseJsonOutput(run.stdout)).toEqual({
      error: { code: 'MFA_RATE_LIMITED', message, retryAfterSeconds: 90 },
    });
  });

  it('reports an unreachable API with exit 3', async () => {
    const url = await unusedLoopbackUrl();

    const run = await runCli(
      ['mfa', 'token', '--api-url', url, '--email', DEMO.email, '--retries', '0'],
      { RIPS_PASSWORD: DEMO.password, RIPS_TOTP_SECRET: DEMO.totpSecret },
    );

    expect(run).toEqual({
      stdout: '',
      stderr: `rips-auth: error: Could not complete the request to ${url}: ECONNREFUSED. Check --api-url, the network and any proxy settings\n`,
      exitCode: 3,
    });
  });

  it('fails without a secret and without a terminal', async () => {
    await bed.emulator.control.clearRequests();

    const run = await runCli(tokenArgs(DEMO.email), { RIPS_PASSWORD: DEMO.password });

    expect(run).toEqual({
      stdout: '',
      stderr:
        'rips-auth: error: RIPS_TOTP_SECRET is not set and standard input is not a terminal to type a code from an authenticator app; set RIPS_TOTP_SECRET\n',
      exitCode: 2,
    });
    expect(await bed.requestLines()).toEqual([]);
  });

  it('reports a wrong secret after 3 codes', { timeout: 90_000 }, async () => {
    // Late in a step, so that only the third code waits a whole step.
    bed.placeInStep(28);

    const run = await runCli(tokenArgs(DEMO.email), {
      RIPS_PASSWORD: DEMO.password,
      RIPS_TOTP_SECRET: BOB.totpSecret,
    });

    expect(run).toEqual({
      stdout: '',
      stderr:
        'rips-auth: error: RIPS_TOTP_SECRET: the API rejected 3 TOTP codes of consecutive time steps (last response: Invalid code); check that the secret belongs to this account\n',
      exitCode: 1,
    });
  });
});

describe.skipIf(skipWithoutPython)('mfa token on a terminal', { timeout: 60_000 }, () => {
  it('asks for the password and a code', async () => {
    const terminal = runInTerminal(tokenArgs(DEMO.email));

    await terminal.waitFor('Password for demo@example.com: ');
    terminal.type(`${DEMO.password}\r`);
    await terminal.waitFor('Code shown by the authenticator app: ');
    const code = await bed.code(DEMO.totpSecret);
    terminal.type(`${code}\r`);

    expect(await terminal.exited).toBe(0);
    const token = /^ {2}([0-9a-f]{40})$/m.exec(terminal.transcript)?.[1] ?? '';
    expect(terminal.transcript).toBe(
      'Password for demo@example.com: \n' +
        `Code shown by the authenticator app: ${code}\n` +
        tokenText(DEMO.email, token),
    );
    expect(await statusWith(DEMO, token)).toBe(200);
  });

  it('asks again after a used code', async () => {
    await login({
      apiUrl: bed.url,
      email: DEMO.email,
      password: DEMO.password,
      totpSecret: DEMO.totpSecret,
    });
    const terminal = runInTerminal(tokenArgs(DEMO.email, '--json'), {
      RIPS_PASSWORD: DEMO.password,
    });
    await terminal.waitFor('Code shown by the authenticator app: ');
    const used = await bed.code(DEMO.totpSecret);

    terminal.type(`${used}\r`);
    await terminal.waitFor('Type the next code, which the app shows in');
    // Typed before the prompt, the code would be echoed by a terminal not yet in raw mode.
    await terminal.waitFor(countOf('Code shown by the authenticator app: ', 2));
    // The API accepts a code of the next step one step early (clock skew).
    const next = await bed.code(DEMO.totpSecret, 1);
    terminal.type(`${next}\r`);

    expect(await terminal.exited).toBe(0);
    const json = /^\{.*\}$/m.exec(terminal.transcript)?.[0] ?? '';
    const { mfaToken } = JSON.parse(json) as { mfaToken: string };
    expect(terminal.transcript.replace(/in \d+ s/g, 'in N s')).toBe(
      [
        `Code shown by the authenticator app: ${used}`,
        'The API rejected the code because it was already used. Type the next code, which the app shows in N s.',
        `Code shown by the authenticator app: ${next}`,
        json,
        '',
      ].join('\n'),
    );
    expect(await statusWith(DEMO, mfaToken)).toBe(200);
  });

  it('reports MFA off before asking for a code', async () => {
    const terminal = runInTerminal(tokenArgs(ALICE.email), { RIPS_PASSWORD: ALICE.password });

    expect(await terminal.exited).toBe(1);
    expect(terminal.transcript).toBe(
      'rips-auth: error: MFA is not enabled for alice@example.com, so no MFA token is needed: ' +
        'rips-login signs in with the password alone. Turn MFA on with `rips-auth mfa enroll` ' +
        'first if the account needs it\n',
    );
  });
});
