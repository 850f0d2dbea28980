import qrcode from 'qrcode';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { login, MfaRequiredError, Session } from '../../src/index.js';
import {
  ALICE,
  countOf,
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

const SECRET_LINE = /^ {2}([A-Z2-7]{16,})$/m;

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

function enrollArgs(email: string, ...extra: string[]): string[] {
  return ['mfa', 'enroll', '--api-url', bed.url, '--email', email, ...extra];
}

/** True when the user's MFA is on: a status read without an MFA token is rejected. */
async function mfaIsOn(email: string, password: string): Promise<boolean> {
  const session = new Session({
    apiUrl: bed.url,
    credentials: { type: 'password', email, password },
  });
  try {
    await session.status();
    return false;
  } catch (error: unknown) {
    if (error instanceof MfaRequiredError) return true;
    throw error;
  }
}

describe('mfa enroll with --confirm-with-secret', { timeout: 60_000 }, () => {
  it('enables MFA and prints the secret once', async () => {
    const run = await runCli(enrollArgs(ALICE.email, '--confirm-with-secret'), {
      RIPS_PASSWORD: ALICE.password,
    });

    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    const secret = SECRET_LINE.exec(run.stdout)?.[1] ?? '';
    expect(secret).not.toBe('');
    expect(run.stdout.replaceAll(secret, 'SECRET')).toBe(
      [
        'Add this account to an authenticator app by scanning the QR code or opening the URI:',
        '',
        'otpauth://totp/RIPS:alice%40example.com?secret=SECRET&issuer=RIPS',
        '',
        'MFA is now enabled for alice@example.com.',
        '',
        'TOTP secret (shown only this once):',
        '',
        '  SECRET',
        '',
        'Store it as the GitHub secret RIPS_TOTP_SECRET: run this command and paste the secret when it asks for the value.',
        '',
        '  gh secret set RIPS_TOTP_SECRET',
        '',
      ].join('\n'),
    );
    expect(await mfaIsOn(ALICE.email, ALICE.password)).toBe(true);
  });

  it('prints a secret that signs in at the next step', async () => {
    const run = await runCli(enrollArgs(ALICE.email, '--confirm-with-secret'), {
      RIPS_PASSWORD: ALICE.password,
    });
    const secret = SECRET_LINE.exec(run.stdout)?.[1] ?? '';
    // The enabling code used this step; the API accepts each step once.
    bed.advance(30);

    const result = await login({
      apiUrl: bed.url,
      email: ALICE.email,
      password: ALICE.password,
      totpSecret: secret,
    });

    expect(result.mfaToken).toBeTypeOf('string');
  });

  it('prints one JSON object with --json', async () => {
    const run = await runCli(enrollArgs(ALICE.email, '--confirm-with-secret', '--json'), {
      RIPS_PASSWORD: ALICE.password,
    });

    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    const result = parseJsonOutput(run.stdout);
    const secret = String(result.secret);
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    expect(result).toEqual({
      email: ALICE.email,
      mfaEnabled: true,
      secret,
      uri: `otpauth://totp/RIPS:alice%40example.com?secret=${secret}&issuer=RIPS`,
      secretName: 'RIPS_TOTP_SECRET',
      storeCommand: 'gh secret set RIPS_TOTP_SECRET',
    });
  });

  it('reports MFA already on with exit 1', async () => {
    const run = await runCli(enrollArgs(DEMO.email, '--confirm-with-secret', '--json'), {
      RIPS_PASSWORD: DEMO.password,
    });

    expect(run.exitCode).toBe(1);
    const message =
      'MFA is already enabled for demo@example.com. To enrol a new secret, turn MFA off first with `rips-auth mfa disable`';
    expect(run.stderr).toBe(`rips-auth: error: ${message}\n`);
    expect(parseJsonOutput(run.stdout)).toEqual({
      error: { code: 'MFA_ALREADY_ENABLED', message },
    });
    // The API's 401 to /mfas/secret shows that MFA is on, so no code is spent on an MFA token.
    expect(await bed.requestLines()).toEqual([
      'GET /oauth/v2/global/clients 200',
      'POST /oauth/v2/auth/tokens 200',
      'POST /mfas/secret 401',
    ]);
  });

  it('reports MFA already on even with an MFA token set', async () => {
    const { mfaToken } = await login({
      apiUrl: bed.url,
      email: DEMO.email,
      password: DEMO.password,
      totpSecret: DEMO.totpSecret,
    });

    const run = await runCli(enrollArgs(DEMO.email, '--confirm-with-secret'), {
      RIPS_PASSWORD: DEMO.password,
      RIPS_MFA_TOKEN: mfaToken ?? '',
    });

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/^rips-auth: error: MFA is already enabled for demo@example.com/);
  });

  it('reports a wrong password with exit 1', async () => {
    const run = await runCli(enrollArgs(ALICE.email, '--confirm-with-secret'), {
      RIPS_PASSWORD: 'wrong-password',
    });

    expect(run).toEqual({
      stdout: '',
      stderr:
        'rips-auth: error: Sign-in failed for alice@example.com: the API rejected the e-mail or password (Invalid credentials)\n',
      exitCode: 1,
    });
  });

  it('reports an unreachable API with exit 3', async () => {
    const url = await unusedLoopbackUrl();

    const run = await runCli(
      ['mfa', 'enroll', '--api-url', url, '--email', ALICE.email, '--confirm-with-secret'],
      { RIPS_PASSWORD: ALICE.password },
    );

    expect(run).toEqual({
      stdout: '',
      stderr: `rips-auth: error: Could not complete the request to ${url}: ECONNREFUSED. Check --api-url, the network and any proxy settings\n`,
      exitCode: 3,
    });
  });

  it('reports the rate limit and the wait with exit 4', async () => {
    await bed.emulator.control.addFault({
      method: 'POST',
      path: '/mfas/token',
      kind: 'status',
      status: 429,
      retryAfter: 120,
      body: { code: 429, message: 'Too many wrong codes' },
    });

    const run = await runCli(enrollArgs(ALICE.email, '--confirm-with-secret', '--json'), {
      RIPS_PASSWORD: ALICE.password,
    });

    expect(run.exitCode).toBe(4);
    const message =
      'The API rejects TOTP codes after 3 wrong codes in 30 s. Wait 120 s, then run the command again';
    expect(run.stderr).toBe(`rips-auth: error: ${message}\n`);
    expect(parseJsonOutput(run.stdout)).toEqual({
      error: { code: 'MFA_RATE_LIMITED', message, retryAfterSeconds: 120 },
    });
  });
});

describe.skipIf(skipWithoutPython)('mfa enroll on a terminal', { timeout: 60_000 }, () => {
  it('prompts without echo, shows the QR code and takes a typed code', async () => {
    const terminal = runInTerminal(enrollArgs(ALICE.email));

    await terminal.waitFor('Password for alice@example.com: ');
    terminal.type(`${ALICE.password}\r`);
    await terminal.waitFor('Code shown by the authenticator app: ');
    const uri = /otpauth:\/\/\S+/.exec(terminal.transcript)?.[0] ?? '';
    const secret = new URL(uri).searchParams.get('secret') ?? '';
    terminal.type(`${await bed.code(secret)}\r`);

    expect(await terminal.exited).toBe(0);
    const qr = (await qrcode.toString(uri, { type: 'terminal', small: true })).replace(
      /\r\n/g,
      '\n',
    );
    expect(terminal.transcript).toContain(qr);
    expect(terminal.transcript).not.toContain(ALICE.password);
    expect(terminal.transcript).toContain(`\n  ${secret}\n`);
    expect(terminal.transcript).toContain('MFA is now enabled for alice@example.com.\n');
    expect(await mfaIsOn(ALICE.email, ALICE.password)).toBe(true);
  });

  it('keeps stdout to one JSON object with --json', async () => {
    const terminal = runInTerminal(enrollArgs(ALICE.email, '--json', '--no-qr'), {
      RIPS_PASSWORD: ALICE.password,
    });
    await terminal.waitFor('Code shown by the authenticator app: ');
    const uri = /otpauth:\/\/\S+/.exec(terminal.transcript)?.[0] ?? '';
    const secret = new URL(uri).searchParams.get('secret') ?? '';
    const code = await bed.code(secret);

    terminal.type(`${code}\r`);

    expect(await terminal.exited).toBe(0);
    // On the terminal stderr and stdout mix: the URI and prompt come first, the JSON last.
    expect(terminal.transcript).toBe(
      [
        'Add this account to an authenticator app by scanning the QR code or opening the URI:',
        '',
        uri,
        '',
        `Code shown by the authenticator app: ${code}`,
        JSON.stringify({
          email: ALICE.email,
          mfaEnabled: true,
          secret,
          uri,
          secretName: 'RIPS_TOTP_SECRET',
          storeCommand: 'gh secret set RIPS_TOTP_SECRET',
        }),
        '',
      ].join('\n'),
    );
  });

  it('asks again after a wrong code', async () => {
    const terminal = runInTerminal(enrollArgs(ALICE.email, '--no-qr'), {
      RIPS_PASSWORD: ALICE.password,
    });
    await terminal.waitFor('Code shown by the authenticator app: ');
    const uri = /otpauth:\/\/\S+/.exec(terminal.transcript)?.[0] ?? '';
    const secret = new URL(uri).searchParams.get('secret') ?? '';
    const code = await bed.code(secret);

    terminal.type(`${wrongCode(code)}\r`);
    await terminal.waitFor(countOf('Code shown by the authenticator app: ', 2));
    terminal.type(`${code}\r`);

    expect(await terminal.exited).toBe(0);
    expect(terminal.transcript).not.toContain('\u2588');
    expect(terminal.transcript).toContain(
      'The API rejected the code (Invalid code). Check the app and type the current code.\n',
    );
  });

  it('stops after 3 wrong codes, then reports the rate limit', async () => {
    const first = runInTerminal(enrollArgs(ALICE.email, '--no-qr'), {
      RIPS_PASSWORD: ALICE.password,
    });
    for (let attempt = 0; attempt < 3; attempt++) {
      await first.waitFor(countOf('Code shown by the authenticator app: ', attempt + 1));
      first.type('000000\r');
    }

    expect(await first.exited).toBe(1);
    expect(first.transcript).toContain(
      'rips-auth: error: The API rejected 3 codes (last response: Invalid code). Check that the app shows the code of this account and that its clock is right, then wait 30 s and run the command again\n',
    );

    const second = runInTerminal(enrollArgs(ALICE.email, '--no-qr'), {
      RIPS_PASSWORD: ALICE.password,
    });
    await second.waitFor('Code shown by the authenticator app: ');
    second.type('000000\r');

    expect(await second.exited).toBe(4);
    expect(second.transcript).toMatch(
      /rips-auth: error: The API rejects TOTP codes after 3 wrong codes in 30 s\. Wait (30|29|28) s, then run the command again\n$/,
    );
  });

  it('asks again without sending an entry that is not 6 digits', async () => {
    const terminal = runInTerminal(enrollArgs(ALICE.email, '--no-qr'), {
      RIPS_PASSWORD: ALICE.password,
    });
    await terminal.waitFor('Code shown by the authenticator app: ');

    terminal.type('12 34\r');
    await terminal.waitFor('A TOTP code has exactly 6 digits; type it again.');
    // Typed between two prompts, Ctrl-C would reach a terminal that is not in raw mode.
    await terminal.waitFor(countOf('Code shown by the authenticator app: ', 2));
    terminal.type('\u0003');

    expect(await terminal.exited).toBe(130);
    expect(terminal.transcript).toContain('rips-auth: error: Interrupted at the prompt\n');
    const lines = await bed.requestLines();
    expect(lines.filter((line) => line.startsWith('POST /mfas/token'))).toEqual([]);
  });
});

/** Returns a 6-digit code that differs from `code`, so the API rejects it. */
function wrongCode(code: string): string {
  return code === '000000' ? '111111' : '000000';
}
