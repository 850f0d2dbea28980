import { escapeControlCharacters } from './text.js';

/**
 * Stable error codes of {@link RipsAuthError} and its subclasses. Callers branch on these
 * strings, so they never change once published.
 */
export type ErrorCode =
  | 'INVALID_CREDENTIALS'
  | 'TOKEN_EXPIRED'
  | 'TOKEN_REVOKED'
  | 'REFRESH_REJECTED'
  | 'MFA_REQUIRED'
  | 'MFA_CODE_REJECTED'
  | 'MFA_RATE_LIMITED'
  | 'MFA_ALREADY_ENABLED'
  | 'MFA_NOT_INITIALIZED'
  | 'CLIENT_NOT_FOUND'
  | 'HTTP_ERROR'
  | 'NETWORK_ERROR'
  | 'TIMEOUT'
  | 'ABORTED'
  | 'RESPONSE_NOT_JSON'
  | 'RESPONSE_TOO_LARGE'
  | 'INVALID_OPTION'
  | 'INVALID_HEADER';

/** Request context attached to errors raised while talking to the API. */
export interface RequestContext {
  /** HTTP method of the failed request. */
  method?: string;
  /** Path of the failed request below the API base URL, without the query string. */
  path?: string;
  /** HTTP status of the response, when one arrived. */
  status?: number;
}

/** Options shared by every error constructor. */
export interface RipsAuthErrorOptions extends RequestContext {
  cause?: unknown;
}

/**
 * Base class of every error auth-core raises on purpose. Messages never contain a secret.
 *
 * @example
 * ```ts
 * try {
 *   await login(options);
 * } catch (error: unknown) {
 *   if (error instanceof RipsAuthError && error.code === 'MFA_REQUIRED') {
 *     // ask for a TOTP secret
 *   }
 * }
 * ```
 */
export class RipsAuthError extends Error {
  /** Stable machine-readable code. */
  readonly code: ErrorCode;
  /** HTTP method of the request that failed, when a request failed. */
  readonly method: string | undefined;
  /** Path of the request that failed, without the query string. */
  readonly path: string | undefined;
  /** HTTP status of the response, when one arrived. */
  readonly status: number | undefined;

  constructor(code: ErrorCode, message: string, options: RipsAuthErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.method = options.method;
    this.path = options.path;
    this.status = options.status;
  }
}

/** The API rejected the e-mail and password (or the client id) with 401. */
export class InvalidCredentialsError extends RipsAuthError {
  constructor(message: string, options: RipsAuthErrorOptions = {}) {
    super('INVALID_CREDENTIALS', message, options);
  }
}

/** The access token expired and could not be refreshed. */
export class TokenExpiredError extends RipsAuthError {
  constructor(message: string, options: RipsAuthErrorOptions = {}) {
    super('TOKEN_EXPIRED', message, options);
  }
}

/** The access token was revoked and no password is available to sign in again. */
export class TokenRevokedError extends RipsAuthError {
  constructor(message: string, options: RipsAuthErrorOptions = {}) {
    super('TOKEN_REVOKED', message, options);
  }
}

/** The token endpoint rejected a refresh token (spent, revoked, expired or foreign client). */
export class RefreshRejectedError extends RipsAuthError {
  constructor(message: string, options: RipsAuthErrorOptions = {}) {
    super('REFRESH_REJECTED', message, options);
  }
}

/** The user has MFA on and no usable MFA token or TOTP secret was given. */
export class MfaRequiredError extends RipsAuthError {
  constructor(message: string, options: RipsAuthErrorOptions = {}) {
    super('MFA_REQUIRED', message, options);
  }
}

/** The API rejected a TOTP code (`Invalid code`, `Code already used`, `MFA not initialized`). */
export class MfaCodeRejectedError extends RipsAuthError {
  /** The API's message, for example `Invalid code`. */
  readonly apiMessage: string;

  constructor(message: string, apiMessage: string, options: RipsAuthErrorOptions = {}) {
    super('MFA_CODE_REJECTED', message, options);
    this.apiMessage = apiMessage;
  }
}

/**
 * The API responded 400 `MFA not initialized` to a TOTP code: MFA is off and no enrolment is
 * pending. It is an {@link MfaCodeRejectedError} with its own code, so that checks written for
 * that class still match.
 */
export class MfaNotEnabledError extends MfaCodeRejectedError {
  override readonly code = 'MFA_NOT_INITIALIZED';
}

/** The API responded 429 `Too many wrong codes` on an MFA endpoint. */
export class MfaRateLimitedError extends RipsAuthError {
  /** Seconds until the API accepts codes again, from `Retry-After`, when it sent one. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    message: string,
    retryAfterSeconds: number | undefined,
    options: RipsAuthErrorOptions = {},
  ) {
    super('MFA_RATE_LIMITED', message, options);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** No global OAuth client has the requested name. */
export class ClientNotFoundError extends RipsAuthError {
  /** The client name that was requested. */
  readonly clientName: string;
  /** The names the API offers, sorted. */
  readonly offeredNames: readonly string[];

  /**
   * @param options - `option` is the input name that starts the message. Default: `client-name`.
   */
  constructor(
    clientName: string,
    offeredNames: readonly string[],
    options: RipsAuthErrorOptions & { option?: string } = {},
  ) {
    const offered =
      offeredNames.length > 0 ? offeredNames.map(escapeControlCharacters).join(', ') : '(none)';
    const option = options.option ?? 'client-name';
    super(
      'CLIENT_NOT_FOUND',
      `${option}: no OAuth client named "${escapeControlCharacters(clientName)}"; the API offers: ${offered}`,
      options,
    );
    this.clientName = clientName;
    this.offeredNames = offeredNames;
  }
}

/** The API responded with a status that the operation does not accept. */
export class HttpError extends RipsAuthError {
  /** The `code` field of the error body, when present. */
  readonly apiCode: number | string | undefined;
  /** The `message` (or `error_description`) field of the error body, cut short. */
  readonly apiMessage: string | undefined;
  /** The OAuth `error` field of the error body, for example `invalid_grant`. */
  readonly oauthError: string | undefined;

  constructor(
    message: string,
    details: { apiCode?: number | string; apiMessage?: string; oauthError?: string },
    options: RipsAuthErrorOptions = {},
  ) {
    super('HTTP_ERROR', message, options);
    this.apiCode = details.apiCode;
    this.apiMessage = details.apiMessage;
    this.oauthError = details.oauthError;
  }
}

/**
 * MFA is already on, so `POST /mfas/secret` cannot start an enrolment. The API responds 400
 * `MFA already enabled` when the request carries a valid MFA token, and 401 `MFA token required`
 * without one. It is an {@link HttpError} with its own code, so that checks written for that
 * class still match.
 */
export class MfaAlreadyEnabledError extends HttpError {
  override readonly code = 'MFA_ALREADY_ENABLED';
}

/** The request failed below HTTP: DNS, connection refused or reset, TLS. */
export class NetworkError extends RipsAuthError {
  /** The system error code, for example `ECONNREFUSED`, when known. */
  readonly errno: string | undefined;
  /** False only when the request certainly never reached the server (connection refused, DNS). */
  readonly mayHaveReachedServer: boolean;

  constructor(
    message: string,
    details: { errno?: string; mayHaveReachedServer: boolean },
    options: RipsAuthErrorOptions = {},
  ) {
    super('NETWORK_ERROR', message, options);
    this.errno = details.errno;
    this.mayHaveReachedServer = details.mayHaveReachedServer;
  }
}

/** The request did not complete within its total deadline. */
export class TimeoutError extends RipsAuthError {
  /** The deadline that passed, in milliseconds. */
  readonly timeoutMs: number;

  constructor(message: string, timeoutMs: number, options: RipsAuthErrorOptions = {}) {
    super('TIMEOUT', message, options);
    this.timeoutMs = timeoutMs;
  }
}

/** The caller's `AbortSignal` aborted the request. */
export class AbortedError extends RipsAuthError {
  constructor(message: string, options: RipsAuthErrorOptions = {}) {
    super('ABORTED', message, options);
  }
}

/** The API returned a body that is not the JSON the operation expects. */
export class ResponseNotJsonError extends RipsAuthError {
  /**
   * The first line of the body, cut short, with control characters replaced. It is empty for a
   * 2xx response and for a credential endpoint, whose body may contain a new credential.
   */
  readonly excerpt: string;

  constructor(message: string, excerpt: string, options: RipsAuthErrorOptions = {}) {
    super('RESPONSE_NOT_JSON', message, options);
    this.excerpt = excerpt;
  }
}

/**
 * The API returned JSON nested more deeply than auth-core handles. Code that walks such a value
 * recursively, such as `JSON.stringify`, would fail with a stack overflow. It is a
 * {@link ResponseNotJsonError} with the same code, so that checks written for that class still
 * match.
 */
export class JsonTooDeepError extends ResponseNotJsonError {
  /** The maximum nesting depth of arrays and objects that auth-core accepts. */
  readonly maxDepth: number;

  constructor(message: string, maxDepth: number, options: RipsAuthErrorOptions = {}) {
    super(message, '', options);
    this.maxDepth = maxDepth;
  }
}

/** The response exceeded the configured maximum size. */
export class ResponseTooLargeError extends RipsAuthError {
  /** The limit that was exceeded, in bytes. */
  readonly maxBytes: number;

  constructor(message: string, maxBytes: number, options: RipsAuthErrorOptions = {}) {
    super('RESPONSE_TOO_LARGE', message, options);
    this.maxBytes = maxBytes;
  }
}

/** An option or action input is missing, malformed or conflicts with another. */
export class InvalidOptionError extends RipsAuthError {
  /** The option or action input name, for example `api-url`. */
  readonly option: string;

  constructor(option: string, message: string, options: RipsAuthErrorOptions = {}) {
    super('INVALID_OPTION', `${option}: ${message}`, options);
    this.option = option;
  }
}

/**
 * A header value contains a character that HTTP does not allow, such as a line break or another
 * control character, so Node.js refused to send the request. Nothing left the runner.
 */
export class InvalidHeaderError extends RipsAuthError {
  /** The header name in lower case. The value is never kept, because it may be a credential. */
  readonly header: string | undefined;

  constructor(message: string, header: string | undefined, options: RipsAuthErrorOptions = {}) {
    super('INVALID_HEADER', message, options);
    this.header = header;
  }
}
