import {
  normalizeCredential,
  normalizeTotpSecret,
  parseApiUrl,
  parseRetries,
  parseTimeoutSeconds,
  VERSION,
  type ClientOptions,
  type InputNames,
} from '../index.js';
import { CliError, ExitCode } from './errors.js';
import type { Output } from './output.js';
import { canPrompt, promptLine } from './prompt.js';

/** Flags shared by every command that talks to the API. */
export interface ApiFlags {
  apiUrl?: string;
  email?: string;
  clientId?: string;
  clientName?: string;
  allowInsecureHttp?: boolean;
  timeoutSeconds?: string;
  retries?: string;
}

/**
 * The flags and environment variables that stand for the rips-login action inputs, so that
 * library messages name what the user of the command line sets.
 */
export const CLI_INPUT_NAMES = {
  apiUrl: '--api-url',
  allowInsecureHttp: '--allow-insecure-http',
  email: '--email',
  password: 'RIPS_PASSWORD',
  grant: '--grant',
  clientId: '--client-id',
  clientName: '--client-name',
  refreshToken: 'RIPS_REFRESH_TOKEN',
  totpSecret: 'RIPS_TOTP_SECRET',
  mfaToken: 'RIPS_MFA_TOKEN',
} as const satisfies Partial<InputNames>;

/** `User-Agent` product token of the command line, placed before the library's own. */
export const CLI_USER_AGENT = `rips-auth/${VERSION}`;

/** Reads an environment variable; an empty value counts as unset, a trailing newline is dropped. */
export function readEnv(name: string): string | undefined {
  const value = process.env[name];
  if (value === undefined) return undefined;
  const normalized = normalizeCredential(value);
  return normalized === '' ? undefined : normalized;
}

/** Builds the client options from `--api-url` (or `RIPS_API_URL`), the timeout and retries. */
export function readClientOptions(
  flags: ApiFlags,
  output: Output,
): ClientOptions & { apiUrl: URL } {
  const allowInsecureHttp = flags.allowInsecureHttp === true;
  const apiUrl = parseApiUrl(flags.apiUrl ?? readEnv('RIPS_API_URL') ?? '', {
    allowInsecureHttp,
    inputNames: CLI_INPUT_NAMES,
  });
  return {
    apiUrl,
    allowInsecureHttp,
    timeoutMs: parseTimeoutSeconds(flags.timeoutSeconds, '--timeout-seconds') * 1000,
    retries: parseRetries(flags.retries, '--retries'),
    userAgent: CLI_USER_AGENT,
    logger: output.logger(),
    inputNames: CLI_INPUT_NAMES,
  };
}

/** Returns `--email`, or `RIPS_EMAIL`, and fails when both are missing. */
export function requireEmail(flags: ApiFlags): string {
  const email = flags.email?.trim() || readEnv('RIPS_EMAIL');
  if (email === undefined) {
    throw new CliError(
      'USAGE',
      '--email is missing: pass the e-mail of the account, or set RIPS_EMAIL',
      ExitCode.usage,
    );
  }
  return email;
}

/** Returns the OAuth client of the password grant: `--client-id`, else `--client-name` (default `ci`). */
export function readClient(flags: ApiFlags): { clientId?: string; clientName?: string } {
  const clientId = flags.clientId?.trim();
  if (clientId !== undefined && clientId !== '') {
    return { clientId };
  }
  return { clientName: flags.clientName?.trim() || 'ci' };
}

/**
 * Returns the password from `RIPS_PASSWORD`, or prompts for it without echo. The password never
 * comes from a flag, because flags show up in shell history and process lists.
 */
export async function readPassword(email: string): Promise<string> {
  const fromEnv = readEnv('RIPS_PASSWORD');
  if (fromEnv !== undefined) {
    return fromEnv;
  }
  if (!canPrompt()) {
    throw new CliError(
      'NO_TERMINAL',
      'RIPS_PASSWORD is not set and standard input is not a terminal to ask for the password; set RIPS_PASSWORD',
      ExitCode.usage,
    );
  }
  const password = await promptLine(`Password for ${email}: `, { echo: false });
  if (password === '') {
    throw new CliError('USAGE', 'The password is empty', ExitCode.usage);
  }
  return password;
}

/** Returns the normalized TOTP secret from `RIPS_TOTP_SECRET`, or undefined when it is unset. */
export function readTotpSecretFromEnv(): string | undefined {
  const secret = readEnv(CLI_INPUT_NAMES.totpSecret);
  return secret === undefined ? undefined : normalizeTotpSecret(secret, CLI_INPUT_NAMES.totpSecret);
}
