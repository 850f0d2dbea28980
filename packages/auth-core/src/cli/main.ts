import { Command, CommanderError } from 'commander';

import { VERSION } from '../index.js';
import { runCode } from './code.js';
import { runDisable } from './disable.js';
import { runEnroll, type EnrollFlags } from './enroll.js';
import { describeFailure, ExitCode } from './errors.js';
import type { ApiFlags } from './inputs.js';
import { runLoginCheck, type LoginFlags } from './login-check.js';
import { Output } from './output.js';
import { runToken } from './token.js';

/** Flags that every command accepts. */
interface OutputFlags {
  json?: boolean;
  verbose?: boolean;
}

const EXIT_CODES_HELP = `
Exit codes:
  0    success
  1    the API rejected the request: wrong password, MFA already on or off, wrong or
       reused code, rejected token, or an unexpected response
  2    usage error: unknown flag, missing or malformed input, or no terminal to prompt on
  3    the API is unreachable or did not respond in time
  4    the API rejects TOTP codes for a while after 3 wrong codes in 30 s
  130  interrupted at a prompt (Ctrl-C)

With --json, stdout carries one JSON object: the result, or {"error":{"code","message"}}.`;

const API_ENV_HELP = `
Environment:
  RIPS_API_URL      API base URL, when --api-url is not given
  RIPS_EMAIL        e-mail, when --email is not given
  RIPS_PASSWORD     password; without it the command asks on the terminal, without echo`;

/**
 * Runs the `rips-auth` command line with `args` (without the node and script paths) and sets
 * `process.exitCode`. Never calls `process.exit`, so pending output is flushed.
 */
export async function main(args: string[]): Promise<void> {
  let output = new Output(args.includes('--json'), false);
  const program = buildProgram((flags) => {
    output = new Output(flags.json === true, flags.verbose === true);
    return output;
  });
  try {
    await program.parseAsync(args, { from: 'user' });
    process.exitCode = ExitCode.ok;
  } catch (error: unknown) {
    if (error instanceof CommanderError) {
      process.exitCode = commanderExitCode(error);
      if (process.exitCode !== ExitCode.ok && output.json) {
        // Commander already wrote its message to stderr; JSON callers also get it on stdout.
        output.result({ error: { code: 'USAGE', message: error.message.replace(/^error: /, '') } });
      }
      return;
    }
    const failure = describeFailure(error);
    output.failure(failure);
    if (output.verbose && error instanceof Error && error.stack !== undefined) {
      output.note(error.stack);
    }
    process.exitCode = failure.exitCode;
  }
}

function commanderExitCode(error: CommanderError): number {
  switch (error.code) {
    case 'commander.helpDisplayed':
    case 'commander.version':
      return ExitCode.ok;
    default:
      return ExitCode.usage;
  }
}

function buildProgram(createOutput: (flags: OutputFlags) => Output): Command {
  const program = new Command('rips-auth')
    .description('Enrol and check the RIPS API account that CI signs in with.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(`rips-auth: ${text}`) })
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('afterAll', EXIT_CODES_HELP);

  const mfa = program
    .command('mfa')
    .description('Turn MFA on or off, obtain an MFA token for CI, or show a TOTP code.');

  withApiOptions(mfa.command('enroll'))
    .description(
      'Turn MFA on: show the secret as a QR code and URI, confirm it with a code, and print ' +
        'the secret once with the command that stores it as a GitHub secret.',
    )
    .option(
      '--confirm-with-secret',
      'generate the confirming code from the new secret instead of typing it from an app',
    )
    .option('--no-qr', 'print the otpauth:// URI without a QR code')
    .addHelpText('after', API_ENV_HELP)
    .action(async (flags: EnrollFlags & OutputFlags) => {
      await runEnroll(flags, createOutput(flags));
    });

  withApiOptions(mfa.command('disable'))
    .description(
      'Turn MFA off. Needs two codes of different 30 s steps unless RIPS_MFA_TOKEN is set: ' +
        'from RIPS_TOTP_SECRET, or typed from an authenticator app.',
    )
    .addHelpText(
      'after',
      `${API_ENV_HELP}
  RIPS_TOTP_SECRET  base32 TOTP secret; without it the command asks for codes on the terminal
  RIPS_MFA_TOKEN    a current MFA token, which saves one code`,
    )
    .action(async (flags: ApiFlags & OutputFlags) => {
      await runDisable(flags, createOutput(flags));
    });

  withApiOptions(mfa.command('token'))
    .description(
      'Obtain an MFA token for parallel CI jobs, which stays valid until MFA is turned off, ' +
        'and print it once with the command that stores it as the GitHub secret ' +
        'RIPS_MFA_TOKEN. The code comes from RIPS_TOTP_SECRET or is typed from an app.',
    )
    .addHelpText(
      'after',
      `${API_ENV_HELP}
  RIPS_TOTP_SECRET  base32 TOTP secret; without it the command asks for a code on the terminal`,
    )
    .action(async (flags: ApiFlags & OutputFlags) => {
      await runToken(flags, createOutput(flags));
    });

  withOutputOptions(mfa.command('code'))
    .description('Print the current TOTP code and the seconds it stays current (local clock).')
    .addHelpText(
      'after',
      `
Environment:
  RIPS_TOTP_SECRET  base32 TOTP secret; without it the command asks for it, without echo`,
    )
    .action(async (flags: OutputFlags) => {
      await runCode(createOutput(flags));
    });

  withApiOptions(program.command('login'))
    .description(
      'Sign in with the inputs of the rips-login action and report the user and token ' +
        'expiry. Prints no credential.',
    )
    .option('--check', 'only check the sign-in (required)')
    .option('--grant <grant>', 'auto, password, refresh or plain (default: auto)')
    .addHelpText(
      'after',
      `${API_ENV_HELP}
  RIPS_REFRESH_TOKEN  refresh token, for the refresh grant
  RIPS_TOTP_SECRET    base32 TOTP secret, to obtain an MFA token
  RIPS_MFA_TOKEN      a current MFA token`,
    )
    .action(async (flags: LoginFlags & OutputFlags) => {
      await runLoginCheck(flags, createOutput(flags));
    });

  return program;
}

function withOutputOptions(command: Command): Command {
  return command
    .option('--json', 'print one JSON object on stdout instead of text')
    .option('--verbose', 'also print progress messages and, on failure, a stack trace');
}

function withApiOptions(command: Command): Command {
  return withOutputOptions(command)
    .option('--api-url <url>', 'API base URL, such as https://rips.example.com (or RIPS_API_URL)')
    .option('--email <email>', 'e-mail of the account (or RIPS_EMAIL)')
    .option('--client-id <id>', 'OAuth client id; when absent the client is found by name')
    .option('--client-name <name>', 'name of a global OAuth client (default: ci)')
    .option('--allow-insecure-http', 'allow http:// for hosts other than loopback')
    .option(
      '--timeout-seconds <seconds>',
      'total time for each call in seconds, retries included (default: 30)',
    )
    .option('--retries <count>', 'retries after a failed attempt, 0 to 10 (default: 3)');
}
