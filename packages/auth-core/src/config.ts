import { InvalidOptionError } from './errors.js';
import { createHttpTransport, type Transport } from './http/transport.js';
import { resolveInputNames, type InputNames } from './names.js';
import { DEFAULT_RETRIES, DEFAULT_TIMEOUT_SECONDS, MAX_RETRIES, parseApiUrl } from './options.js';
import type { SecretHandler } from './secrets.js';
import {
  realSleep,
  silentLogger,
  systemClock,
  type Clock,
  type Logger,
  type Sleep,
} from './seams.js';

/** Version of this library, sent in the `User-Agent` header. */
export const VERSION = '0.1.0';

/** The `User-Agent` product token of this library. */
export const USER_AGENT = `rips-actions-auth-core/${VERSION}`;

/** Default cap on a response body: 64 MiB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/** Options shared by every auth-core entry point that talks to the API. */
export interface ClientOptions {
  /**
   * API base URL, for example `https://rips.example.com/rips-api`, validated by
   * {@link parseApiUrl}.
   */
  apiUrl: string | URL;
  /** Allows `http://` for hosts other than loopback. Default: false. */
  allowInsecureHttp?: boolean;
  /**
   * Total deadline of one HTTP request, retries and their waits included, in milliseconds.
   * Default: 30 000.
   */
  timeoutMs?: number;
  /** Retries after the first attempt, 0 to 10. Default: 3. */
  retries?: number;
  /** Largest accepted response body in bytes. Default: 64 MiB. */
  maxResponseBytes?: number;
  /**
   * Product token placed before this library's token in `User-Agent`, for example
   * `rips-login/1.0.0`.
   */
  userAgent?: string;
  /** Receives every secret before it is used or returned; see {@link SecretHandler}. */
  onSecret?: SecretHandler;
  /** Log sink. Default: no logging. */
  logger?: Logger;
  /** Clock seam. Default: the system clock. */
  clock?: Clock;
  /** Sleep seam, used for backoff and TOTP waits. Default: a real timer. */
  sleep?: Sleep;
  /** Random source in [0, 1) for backoff jitter. Default: `Math.random`. */
  random?: () => number;
  /** Transport seam. Default: {@link createHttpTransport}. */
  transport?: Transport;
  /**
   * The names under which the caller's user gives the inputs, used in error and warning
   * messages, for example `{ clientName: '--client-name', totpSecret: 'RIPS_TOTP_SECRET' }`.
   * Default: the action input names, {@link ACTION_INPUT_NAMES}.
   */
  inputNames?: Partial<InputNames>;
}

/** {@link ClientOptions} with defaults applied and values checked. */
export interface ResolvedConfig {
  apiUrl: URL;
  timeoutMs: number;
  retries: number;
  maxResponseBytes: number;
  userAgent: string;
  onSecret: SecretHandler | undefined;
  logger: Logger;
  clock: Clock;
  sleep: Sleep;
  random: () => number;
  transport: Transport;
  inputNames: InputNames;
}

/** Applies defaults to client options and validates them. */
export function resolveConfig(options: ClientOptions): ResolvedConfig {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_SECONDS * 1000;
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    throw new InvalidOptionError('timeoutMs', `expected a positive number, received ${timeoutMs}`);
  }
  const retries = options.retries ?? DEFAULT_RETRIES;
  if (!(Number.isInteger(retries) && retries >= 0 && retries <= MAX_RETRIES)) {
    throw new InvalidOptionError(
      'retries',
      `expected a whole number from 0 to ${MAX_RETRIES}, received ${retries}`,
    );
  }
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  if (!(Number.isInteger(maxResponseBytes) && maxResponseBytes > 0)) {
    throw new InvalidOptionError(
      'maxResponseBytes',
      `expected a positive whole number of bytes, received ${maxResponseBytes}`,
    );
  }
  const prefix = options.userAgent?.trim() ?? '';
  const inputNames = resolveInputNames(options.inputNames);
  return {
    apiUrl: parseApiUrl(options.apiUrl, {
      allowInsecureHttp: options.allowInsecureHttp === true,
      inputNames,
    }),
    timeoutMs,
    retries,
    maxResponseBytes,
    userAgent: prefix === '' ? USER_AGENT : `${prefix} ${USER_AGENT}`,
    onSecret: options.onSecret,
    logger: options.logger ?? silentLogger,
    clock: options.clock ?? systemClock,
    sleep: options.sleep ?? realSleep,
    random: options.random ?? Math.random,
    transport: options.transport ?? createHttpTransport(),
    inputNames,
  };
}
