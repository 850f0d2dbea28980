import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  ALICE,
  parseJsonOutput,
  requireBuild,
  runCli,
  startCliTestBed,
  type CliTestBed,
} from './helpers.js';

let bed: CliTestBed;

beforeAll(async () => {
  requireBuild();
  bed = await startCliTestBed();
});

afterAll(async () => {
  await bed.close();
});

describe('help', { timeout: 60_000 }, () => {
  it.each([
    [[], 'Usage: rips-auth [options] [command]'],
    [['mfa'], 'Usage: rips-auth mfa [options] [command]'],
    [['mfa', 'enroll'], 'Usage: rips-auth mfa enroll [options]'],
    [['mfa', 'disable'], 'Usage: rips-auth mfa disable [options]'],
    [['mfa', 'token'], 'Usage: rips-auth mfa token [options]'],
    [['mfa', 'code'], 'Usage: rips-auth mfa code [options]'],
    [['login'], 'Usage: rips-auth login [options]'],
  ])('%j --help prints usage and exit codes', async (command, usage) => {
    const run = await runCli([...command, '--help']);

    expect(run.exitCode).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout.startsWith(`${usage}\n`)).toBe(true);
    expect(run.stdout).toContain('\nExit codes:\n  0    success\n');
    expect(run.stdout).toContain('  4    the API rejects TOTP codes for a while');
  });

  it('documents the enroll flags and environment', async () => {
    const run = await runCli(['mfa', 'enroll', '--help']);

    expect(run.stdout).toMatchInlineSnapshot(`
      "Usage: rips-auth mfa enroll [options]

      Turn MFA on: show the secret as a QR code and URI, confirm it with a code, and
      print the secret once with the command that stores it as a GitHub secret.

      Options:
        --json                       print one JSON object on stdout instead of text
        --verbose                    also print progress messages and, on failure, a
                                     stack trace
        --api-url <url>              API base URL, such as https://rips.example.com
                                     (or RIPS_API_URL)
        --email <email>              e-mail of the account (or RIPS_EMAIL)
        --client-id <id>             OAuth client id; when absent the client is found
                                     by name
        --client-name <name>         name of a global OAuth client (default: ci)
        --allow-insecure-http        allow http:// for hosts other than loopback
        --timeout-seconds <seconds>  total time for each call in seconds, retries
                                     included (default: 30)
        --retries <count>            retries after a failed attempt, 0 to 10 (default:
                                     3)
        --confirm-with-secret        generate the confirming code from the new secret
                                     instead of typing it from an app
        --no-qr                      print the otpauth:// URI without a QR code
        -h, --help                   display help for command

      Environment:
        RIPS_API_URL      API base URL, when --api-url is not given
        RIPS_EMAIL        e-mail, when --email is not given
        RIPS_PASSWORD     password; without it the command asks on the terminal, without echo

      Exit codes:
        0    success
        1    the API rejected the request: wrong password, MFA already on or off, wrong or
             reused code, rejected token, or an unexpected response
        2    usage error: unknown flag, missing or malformed input, or no terminal to prompt on
        3    the API is unreachable or did not respond in time
        4    the API rejects TOTP codes for a while after 3 wrong codes in 30 s
        130  interrupted at a prompt (Ctrl-C)

      With --json, stdout carries one JSON object: the result, or {"error":{"code","message"}}.
      "
    `);
  });

  it('documents the login flags and environment', async () => {
    const run = await runCli(['login', '--help']);

    expect(run.stdout).toMatchInlineSnapshot(`
      "Usage: rips-auth login [options]

      Sign in with the inputs of the rips-login action and report the user and token
      expiry. Prints no credential.

      Options:
        --json                       print one JSON object on stdout instead of text
        --verbose                    also print progress messages and, on failure, a
                                     stack trace
        --api-url <url>              API base URL, such as https://rips.example.com
                                     (or RIPS_API_URL)
        --email <email>              e-mail of the account (or RIPS_EMAIL)
        --client-id <id>             OAuth client id; when absent the client is found
                                     by name
        --client-name <name>         name of a global OAuth client (default: ci)
        --allow-insecure-http        allow http:// for hosts other than loopback
        --timeout-seconds <seconds>  total time for each call in seconds, retries
                                     included (default: 30)
        --retries <count>            retries after a failed attempt, 0 to 10 (default:
                                     3)
        --check                      only check the sign-in (required)
        --grant <grant>              auto, password, refresh or plain (default: auto)
        -h, --help                   display help for command

      Environment:
        RIPS_API_URL      API base URL, when --api-url is not given
        RIPS_EMAIL        e-mail, when --email is not given
        RIPS_PASSWORD     password; without it the command asks on the terminal, without echo
        RIPS_REFRESH_TOKEN  refresh token, for the refresh grant
        RIPS_TOTP_SECRET    base32 TOTP secret, to obtain an MFA token
        RIPS_MFA_TOKEN      a current MFA token

      Exit codes:
        0    success
        1    the API rejected the request: wrong password, MFA already on or off, wrong or
             reused code, rejected token, or an unexpected response
        2    usage error: unknown flag, missing or malformed input, or no terminal to prompt on
        3    the API is unreachable or did not respond in time
        4    the API rejects TOTP codes for a while after 3 wrong codes in 30 s
        130  interrupted at a prompt (Ctrl-C)

      With --json, stdout carries one JSON object: the result, or {"error":{"code","message"}}.
      "
    `);
  });

  it('prints the version', async () => {
    const run = await runCli(['--version']);

    expect(run).toEqual({ stdout: '0.1.0\n', stderr: '', exitCode: 0 });
  });
});

describe('usage errors', { timeout: 60_000 }, () => {
  it('rejects an unknown flag with exit 2', async () => {
    const run = await runCli(['mfa', 'code', '--secret', 'x']);

    expect(run.exitCode).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatchInlineSnapshot(`
      "rips-auth: error: unknown option '--secret'
      (run with --help for usage)
      "
    `);
  });

  it('reports an unknown flag as JSON with --json', async () => {
    const run = await runCli(['mfa', 'code', '--json', '--secret', 'x']);

    expect(run.exitCode).toBe(2);
    expect(parseJsonOutput(run.stdout)).toEqual({
      error: { code: 'USAGE', message: "unknown option '--secret'" },
    });
  });

  it('rejects an unknown command with exit 2', async () => {
    const run = await runCli(['mfa', 'enrol']);

    expect(run.exitCode).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatchInlineSnapshot(`
      "rips-auth: error: unknown command 'enrol'
      (Did you mean enroll?)
      (run with --help for usage)
      "
    `);
  });

  it('shows help on stderr for a bare group with exit 2', async () => {
    const run = await runCli(['mfa']);

    expect(run.exitCode).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.startsWith('Usage: rips-auth mfa [options] [command]\n')).toBe(true);
  });

  it('requires --check for login', async () => {
    const run = await runCli(['login', '--api-url', bed.url, '--email', ALICE.email]);

    expect(run).toEqual({
      stdout: '',
      stderr:
        'rips-auth: error: login needs --check: the command only checks that the inputs sign in, and never prints tokens\n',
      exitCode: 2,
    });
  });

  it('requires an API URL', async () => {
    const run = await runCli(['login', '--check', '--email', ALICE.email, '--json'], {
      RIPS_PASSWORD: ALICE.password,
    });

    expect(run.exitCode).toBe(2);
    expect(run.stderr).toBe('rips-auth: error: --api-url: the API base URL is missing\n');
    expect(parseJsonOutput(run.stdout)).toEqual({
      error: { code: 'INVALID_OPTION', message: '--api-url: the API base URL is missing' },
    });
  });

  it('takes the API URL from RIPS_API_URL', async () => {
    const run = await runCli(['login', '--check', '--email', ALICE.email], {
      RIPS_API_URL: bed.url,
      RIPS_PASSWORD: ALICE.password,
    });

    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
  });

  it('rejects plain http to a remote host before any request', async () => {
    const run = await runCli(['mfa', 'enroll', '--api-url', 'http://rips.example.com'], {
      RIPS_PASSWORD: 'unused',
    });

    expect(run).toEqual({
      stdout: '',
      stderr:
        'rips-auth: error: --api-url: plain http:// sends credentials unencrypted to rips.example.com; use https:// or pass --allow-insecure-http\n',
      exitCode: 2,
    });
  });

  it('rejects a malformed --retries', async () => {
    const run = await runCli(['login', '--check', '--api-url', bed.url, '--retries', 'many']);

    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/^rips-auth: error: --retries: /);
  });

  it('requires an e-mail', async () => {
    const run = await runCli(['mfa', 'enroll', '--api-url', bed.url], {
      RIPS_PASSWORD: ALICE.password,
    });

    expect(run).toEqual({
      stdout: '',
      stderr:
        'rips-auth: error: --email is missing: pass the e-mail of the account, or set RIPS_EMAIL\n',
      exitCode: 2,
    });
  });

  it('fails without RIPS_PASSWORD and without a terminal', async () => {
    const run = await runCli([
      'login',
      '--check',
      '--api-url',
      bed.url,
      '--email',
      ALICE.email,
      '--json',
    ]);

    expect(run.exitCode).toBe(2);
    expect(parseJsonOutput(run.stdout)).toEqual({
      error: {
        code: 'NO_TERMINAL',
        message:
          'RIPS_PASSWORD is not set and standard input is not a terminal to ask for the password; set RIPS_PASSWORD',
      },
    });
  });

  it('rejects typed codes without a terminal', async () => {
    await bed.emulator.control.clearRequests();

    const run = await runCli(['mfa', 'enroll', '--api-url', bed.url, '--email', ALICE.email], {
      RIPS_PASSWORD: ALICE.password,
    });

    expect(run).toEqual({
      stdout: '',
      stderr:
        'rips-auth: error: Standard input is not a terminal to type the code from an authenticator app; pass --confirm-with-secret to generate the code from the new secret instead\n',
      exitCode: 2,
    });
    expect(await bed.requestLines()).toEqual([]);
  });
});
