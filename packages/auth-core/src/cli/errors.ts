import {
  InvalidOptionError,
  MFA_ATTEMPT_WINDOW_SECONDS,
  MFA_ATTEMPTS_PER_WINDOW,
  MfaRateLimitedError,
  NetworkError,
  RipsAuthError,
  TimeoutError,
} from '../index.js';

/** Exit statuses of `rips-auth`, documented in the help epilogue and the README. */
export const ExitCode = {
  ok: 0,
  /** The API rejected the request or returned an unusable response. */
  failure: 1,
  /** A wrong flag, a missing or malformed input, or no terminal to prompt on. */
  usage: 2,
  /** The API could not be reached, or did not respond in time. */
  network: 3,
  /** The API rejects TOTP codes for a while after too many wrong ones. */
  rateLimited: 4,
  /** The user pressed Ctrl-C at a prompt (128 + SIGINT, as shells report it). */
  interrupted: 130,
} as const;

/** Error codes that only the command line raises; the library's codes are used as they are. */
export type CliErrorCode =
  | 'USAGE'
  | 'NO_TERMINAL'
  | 'MFA_ALREADY_ENABLED'
  | 'MFA_NOT_ENABLED'
  | 'MFA_TOKEN_REJECTED'
  | 'INTERRUPTED'
  | 'INTERNAL';

/** A failure that the command line detects itself, with the exit status it ends with. */
export class CliError extends Error {
  constructor(
    readonly code: CliErrorCode,
    message: string,
    readonly exitCode: number,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
    this.name = 'CliError';
  }
}

/** The code, message and exit status reported for a failed command. */
export interface Failure {
  code: string;
  message: string;
  exitCode: number;
  /** Seconds to wait before codes are accepted again, for `MFA_RATE_LIMITED`. */
  retryAfterSeconds?: number;
}

/** Maps any thrown value to the code, message and exit status that `main` reports. */
export function describeFailure(error: unknown): Failure {
  if (error instanceof CliError) {
    return { code: error.code, message: error.message, exitCode: error.exitCode };
  }
  if (error instanceof MfaRateLimitedError) {
    return describeRateLimit(error);
  }
  if (error instanceof NetworkError || error instanceof TimeoutError) {
    return {
      code: error.code,
      message: `${error.message}. Check --api-url, the network and any proxy settings`,
      exitCode: ExitCode.network,
    };
  }
  if (error instanceof InvalidOptionError) {
    return { code: error.code, message: error.message, exitCode: ExitCode.usage };
  }
  if (error instanceof RipsAuthError) {
    return { code: error.code, message: error.message, exitCode: ExitCode.failure };
  }
  const detail = error instanceof Error ? error.message : String(error);
  return {
    code: 'INTERNAL',
    message: `Unexpected error, probably a bug in rips-auth: ${detail}`,
    exitCode: ExitCode.failure,
  };
}

function describeRateLimit(error: MfaRateLimitedError): Failure {
  const seconds = error.retryAfterSeconds;
  const base = `The API rejects TOTP codes after ${MFA_ATTEMPTS_PER_WINDOW} wrong codes in ${MFA_ATTEMPT_WINDOW_SECONDS} s`;
  if (seconds === undefined) {
    return {
      code: error.code,
      message: `${base}. Wait ${MFA_ATTEMPT_WINDOW_SECONDS} s, then run the command again`,
      exitCode: ExitCode.rateLimited,
    };
  }
  return {
    code: error.code,
    message: `${base}. Wait ${seconds} s, then run the command again`,
    exitCode: ExitCode.rateLimited,
    retryAfterSeconds: seconds,
  };
}
