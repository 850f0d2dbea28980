import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { login } from '../../src/index.js';
import {
  ALICE,
  BOB,
  DEMO,
  parseJsonOutput,
  requireBuild,
  runCli,
  runInTerminal,
  skipWithoutPython,
  startCliTestBed,
  unusedLoopbackUrl,
  type CliTestBed,
} from './helpers.js';

/** ISO 8601 instant, as the expiry is printed. */
const ISO_TIME = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/;
const TOKEN_LIFETIME_SECONDS = 28 * 24 * 3600;

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

function checkArgs(...extra: string[]): string[] {
  return ['login', '--check', '--api-url', bed.url, ...extra];
}

describe('login --check', { timeout: 60_000 }, () => {
  it('reports the user, expiry and MFA from a TOTP secret', async () => {
    const run = await runCli(checkArgs('--email', DEMO.email), {
      RIPS_PASSWORD: DEMO.password,
      RIPS_TOTP_SECRET: DEMO.totpSecret,
    });

    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    const expiry = ISO_TIME.exec(run.stdout)?.[0] ?? '';
    expect(run.stdout).toBe(
      'Signed in as demo@example.com (user id 1) with the password method.\n' +
        `The access token expires at ${expiry}.\n` +
        'MFA: an MFA token was obtained from RIPS_TOTP_SECRET.\n',
    );
    const lifetimeMs = Date.parse(expiry) - bed.serverNow();
    expect(Math.abs(lifetimeMs - TOKEN_LIFETIME_SECONDS * 1000)).toBeLessThan(60_000);
  });

  it('prints JSON without any credential', async () => {
    const run = await runCli(checkArgs('--email', DEMO.email, '--json'), {
      RIPS_PASSWORD: DEMO.password,
      RIPS_TOTP_SECRET: DEMO.totpSecret,
    });

    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    const result = parseJsonOutput(run.stdout);
    expect(result).toEqual({
      method: 'password',
      user: { id: 1, email: DEMO.email },
      clientId: expect.stringMatching(/^\d+_\w+$/) as unknown,
      expiresAt: expect.stringMatching(ISO_TIME) as unknown,
      expiresIn: TOKEN_LIFETIME_SECONDS,
      mfa: true,
      warnings: [],
    });
    expect(run.stdout).not.toContain('eyJ');
    expect(run.stdout).not.toContain('def50200');
    expect(run.stdout).not.toContain(DEMO.password);
    expect(run.stdout).not.toContain(DEMO.totpSecret);
  });

  it('reports an accepted RIPS_MFA_TOKEN', async () => {
    const { mfaToken } = await login({
      apiUrl: bed.url,
      email: DEMO.email,
      password: DEMO.password,
      totpSecret: DEMO.totpSecret,
    });

    const run = await runCli(checkArgs('--email', DEMO.email), {
      RIPS_PASSWORD: DEMO.password,
      RIPS_MFA_TOKEN: mfaToken ?? '',
    });

    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('MFA: the MFA token in RIPS_MFA_TOKEN was accepted.\n');
    expect(run.stdout).not.toContain(mfaToken);
  });

  it('signs in with RIPS_REFRESH_TOKEN', async () => {
    const { refreshToken } = await login({
      apiUrl: bed.url,
      email: ALICE.email,
      password: ALICE.password,
    });

    const run = await runCli(checkArgs('--json'), { RIPS_REFRESH_TOKEN: refreshToken ?? '' });

    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect(parseJsonOutput(run.stdout)).toMatchObject({
      method: 'refresh',
      user: { id: 2, email: ALICE.email },
      mfa: false,
    });
  });

  it('signs in with plain headers', async () => {
    const run = await runCli(checkArgs('--email', ALICE.email, '--grant', 'plain'), {
      RIPS_PASSWORD: ALICE.password,
    });

    expect(run).toEqual({
      stdout: 'Signed in as alice@example.com (user id 2) with the plain method.\nMFA: not used.\n',
      stderr: '',
      exitCode: 0,
    });
  });

  it('warns that a secret is unused when MFA is off', async () => {
    const run = await runCli(checkArgs('--email', ALICE.email, '--json'), {
      RIPS_PASSWORD: ALICE.password,
      RIPS_TOTP_SECRET: BOB.totpSecret,
    });

    expect(run.exitCode).toBe(0);
    const warning =
      'RIPS_TOTP_SECRET is set but MFA is not enabled for this account; the secret was not used';
    expect(run.stderr).toBe(`warning: ${warning}\n`);
    expect(parseJsonOutput(run.stdout)).toMatchObject({ mfa: false, warnings: [warning] });
  });

  it('reports a wrong password with exit 1', async () => {
    const run = await runCli(checkArgs('--email', ALICE.email, '--json'), {
      RIPS_PASSWORD: 'wrong-password',
    });

    expect(run.exitCode).toBe(1);
    const message =
      'Sign-in failed for alice@example.com: the API rejected the e-mail or password (Invalid credentials)';
    expect(run.stderr).toBe(`rips-auth: error: ${message}\n`);
    expect(parseJsonOutput(run.stdout)).toEqual({
      error: { code: 'INVALID_CREDENTIALS', message },
    });
  });

  it('reports missing MFA inputs with exit 1', async () => {
    const run = await runCli(checkArgs('--email', DEMO.email), { RIPS_PASSWORD: DEMO.password });

    expect(run).toEqual({
      stdout: '',
      stderr:
        'rips-auth: error: MFA is enabled for this account: set RIPS_TOTP_SECRET, or RIPS_MFA_TOKEN with a current MFA token\n',
      exitCode: 1,
    });
  });

  it('reports a rejected RIPS_MFA_TOKEN with exit 1', async () => {
    const run = await runCli(checkArgs('--email', DEMO.email, '--json'), {
      RIPS_PASSWORD: DEMO.password,
      RIPS_MFA_TOKEN: 'stale-token',
    });

    expect(run.exitCode).toBe(1);
    const message =
      'The API rejected the MFA token (RIPS_MFA_TOKEN); set RIPS_TOTP_SECRET so that a new one can be obtained';
    expect(run.stderr).toBe(`rips-auth: error: ${message}\n`);
    expect(parseJsonOutput(run.stdout)).toEqual({ error: { code: 'MFA_REQUIRED', message } });
  });

  it('reports an unknown client name with exit 1', async () => {
    const run = await runCli(checkArgs('--email', ALICE.email, '--client-name', 'deploy'), {
      RIPS_PASSWORD: ALICE.password,
    });

    expect(run).toEqual({
      stdout: '',
      stderr:
        'rips-auth: error: --client-name: no OAuth client named "deploy"; the API offers: ci, ui-client\n',
      exitCode: 1,
    });
  });

  it('reports an unreachable API with exit 3', async () => {
    const url = await unusedLoopbackUrl();

    const run = await runCli(
      ['login', '--check', '--api-url', url, '--email', ALICE.email, '--retries', '0', '--json'],
      { RIPS_PASSWORD: ALICE.password },
    );

    expect(run.exitCode).toBe(3);
    const message = `Could not complete the request to ${url}: ECONNREFUSED. Check --api-url, the network and any proxy settings`;
    expect(parseJsonOutput(run.stdout)).toEqual({ error: { code: 'NETWORK_ERROR', message } });
  });

  it('reports an API that does not respond in time with exit 3', async () => {
    await bed.emulator.control.addFault({
      path: '/oauth/v2/global/clients',
      kind: 'delay',
      ms: 5000,
    });

    const run = await runCli(checkArgs('--email', ALICE.email, '--timeout-seconds', '1'), {
      RIPS_PASSWORD: ALICE.password,
    });

    expect(run.exitCode).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^rips-auth: error: .*Check --api-url, the network/);
  });

  it('reports the rate limit and the wait with exit 4', async () => {
    await bed.emulator.control.addFault({
      method: 'POST',
      path: '/mfas/token',
      kind: 'status',
      status: 429,
      retryAfter: 75,
      body: { code: 429, message: 'Too many wrong codes' },
    });

    const run = await runCli(checkArgs('--email', DEMO.email), {
      RIPS_PASSWORD: DEMO.password,
      RIPS_TOTP_SECRET: DEMO.totpSecret,
    });

    expect(run).toEqual({
      stdout: '',
      stderr:
        'rips-auth: error: The API rejects TOTP codes after 3 wrong codes in 30 s. Wait 75 s, then run the command again\n',
      exitCode: 4,
    });
  });

  it('reports a wrong TOTP secret after 3 codes', { timeout: 90_000 }, async () => {
    // Late in a step, so that only the third code waits a whole step.
    bed.placeInStep(28);

    const run = await runCli(checkArgs('--email', DEMO.email), {
      RIPS_PASSWORD: DEMO.password,
      RIPS_TOTP_SECRET: BOB.totpSecret,
    });

    expect(run.exitCode).toBe(1);
    expect(run.stdout).toBe('');
    // The library words the rest; the command names the variable and keeps the API's message.
    expect(run.stderr).toMatch(
      /^rips-auth: error: RIPS_TOTP_SECRET: the API rejected 3 TOTP codes .*Invalid code.*\n$/,
    );
  });
});

describe.skipIf(skipWithoutPython)('login --check on a terminal', { timeout: 60_000 }, () => {
  it('asks for the password without echo', async () => {
    const terminal = runInTerminal(checkArgs('--email', ALICE.email));

    await terminal.waitFor('Password for alice@example.com: ');
    terminal.type(`${ALICE.password}\r`);

    expect(await terminal.exited).toBe(0);
    expect(terminal.transcript).toBe(
      'Password for alice@example.com: \n' +
        'Signed in as alice@example.com (user id 2) with the password method.\n' +
        `The access token expires at ${ISO_TIME.exec(terminal.transcript)?.[0] ?? ''}.\n` +
        'MFA: not used.\n',
    );
  });

  it('exits 130 on Ctrl-C at the password prompt', async () => {
    await bed.emulator.control.clearRequests();
    const terminal = runInTerminal(checkArgs('--email', ALICE.email, '--json'));

    await terminal.waitFor('Password for alice@example.com: ');
    terminal.type('alice\u0003');

    expect(await terminal.exited).toBe(130);
    expect(terminal.transcript).toBe(
      'Password for alice@example.com: \n' +
        'rips-auth: error: Interrupted at the prompt\n' +
        '{"error":{"code":"INTERRUPTED","message":"Interrupted at the prompt"}}\n',
    );
    expect(await bed.requestLines()).toEqual([]);
  });
});
