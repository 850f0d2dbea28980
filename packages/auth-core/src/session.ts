import { resolveConfig, type ClientOptions, type ResolvedConfig } from './config.js';
import {
  InvalidCredentialsError,
  InvalidOptionError,
  MfaRequiredError,
  RefreshRejectedError,
  ResponseNotJsonError,
  RipsAuthError,
  TokenExpiredError,
  TokenRevokedError,
} from './errors.js';
import {
  httpErrorFrom,
  isRecord,
  parseJsonBody,
  parseOptionalJsonBody,
  readErrorBody,
  type ResponseView,
} from './http/json.js';
import { SharedFlight } from './flight.js';
import {
  HttpSender,
  type RetryDeclined,
  type RetryPolicy,
  type SendResult,
} from './http/sender.js';
import { TotpCodeSource } from './mfa/codes.js';
import {
  alreadyEnabledError,
  exchangeCode,
  MFA_ALREADY_ENABLED,
  sendGivenCode,
  type MfaCodePath,
} from './mfa/exchange.js';
import { normalizeTotpSecret, otpauthUri } from './mfa/totp.js';
import { resolveClientIdWith } from './oauth/clients.js';
import { computeExpiry, readJwtExpiry, requestTokens, type TokenSet } from './oauth/tokens.js';
import {
  checkHeaderCredential,
  endpointUrl,
  normalizeCredential,
  parseMethod,
  resolveRequestUrl,
  validateHeaders,
  type AuthMethod,
  type QueryParams,
} from './options.js';
import { plainAuthHeaders, plainHeadersTooLargeError } from './plain.js';
import { createSecretReporter, type SecretReporter } from './secrets.js';
import { escapeControlCharacters } from './text.js';
import { readStatusUser } from './user.js';

/** Plain header authentication: e-mail and password on every request. */
export interface PlainCredentials {
  type: 'plain';
  email: string;
  password: string;
}

/** OAuth password grant. The client is given by id, or by name (default `ci`). */
export interface PasswordCredentials {
  type: 'password';
  email: string;
  password: string;
  clientId?: string | undefined;
  clientName?: string | undefined;
}

/**
 * OAuth refresh grant. With an e-mail and password as well, the session signs in with them when
 * the refresh token is rejected or the tokens are revoked.
 */
export interface RefreshCredentials {
  type: 'refresh';
  refreshToken: string;
  clientId?: string | undefined;
  clientName?: string | undefined;
  email?: string | undefined;
  password?: string | undefined;
}

/**
 * An existing access token. A refresh token lets the session renew it when it expires; an
 * e-mail and password let it sign in again when the tokens are revoked.
 */
export interface BearerCredentials {
  type: 'bearer';
  accessToken: string;
  refreshToken?: string | undefined;
  /**
   * Known expiry on the local clock, as {@link TokenSet.expiresAt} gives it. Otherwise the JWT
   * `exp` is used, which is on the server's clock, so the session refreshes ahead of expiry only
   * once a response has given the clock offset.
   */
  expiresAt?: Date | undefined;
  clientId?: string | undefined;
  clientName?: string | undefined;
  email?: string | undefined;
  password?: string | undefined;
}

/** Credentials of a {@link Session}, one type per authentication method. */
export type SessionCredentials =
  PlainCredentials | PasswordCredentials | RefreshCredentials | BearerCredentials;

/** Options of a {@link Session}. */
export interface SessionOptions extends ClientOptions {
  credentials: SessionCredentials;
  /** An MFA token to send as `X-API-MFA`. */
  mfaToken?: string | undefined;
  /** A base32 TOTP secret, used to obtain an MFA token when the API requires one. */
  totpSecret?: string | undefined;
  /**
   * Renew the access token this long before it expires, in seconds (capped at half its lifetime).
   * Default: 60.
   */
  refreshAheadSeconds?: number;
  /** Called with each new token set (sign-in, refresh or renewed sign-in), after `onSecret`. */
  onTokens?: (tokens: TokenSet) => void;
  /** Called with each new MFA token, after `onSecret`. */
  onMfaToken?: (mfaToken: string) => void;
}

/** One API request made through {@link Session.request}. */
export interface ApiRequest {
  /** HTTP method, validated by {@link parseMethod}. Default: `GET`. */
  method?: string;
  /** Path below the API base URL, or a full URL under it; see {@link resolveRequestUrl}. */
  path: string;
  query?: QueryParams | URLSearchParams;
  /** Extra headers, validated by {@link validateHeaders}: credential headers are rejected. */
  headers?: Record<string, string>;
  /** Raw body, sent as `application/json` unless `headers` sets a content type. */
  body?: string | Uint8Array;
  /** A value to send as JSON; ignored when `body` is given. */
  json?: unknown;
  /**
   * Retry POST and PATCH like idempotent methods (network errors, 408, 429, 5xx). Default: false.
   */
  retryUnsafe?: boolean;
  signal?: AbortSignal;
  /** Total deadline of this request in milliseconds. Default: the client's `timeoutMs`. */
  timeoutMs?: number;
}

/** The API's response to an {@link ApiRequest}, whatever its status. */
export interface ApiResponse {
  /** The HTTP method of the final request, in upper case. */
  method: string;
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: Uint8Array;
  /** The body decoded as UTF-8. */
  text: string;
  /** The parsed body when it is JSON, else undefined. */
  json: unknown;
  /** The final URL, after same-origin redirects. */
  url: URL;
  /** Time from the first attempt to the final response, retries included, in milliseconds. */
  durationMs: number;
  attempts: number;
  /** Set when `Retry-After` asked for a wait longer than the time left before the deadline. */
  retryDeclined?: RetryDeclined;
}

/** The signed-in user, from `GET /status`. */
export interface UserInfo {
  id: number | string;
  email: string;
  roles: string[];
  mfaEnabled: boolean | undefined;
}

/** The response body of `GET /status`. */
export interface StatusInfo {
  version: string | undefined;
  user: UserInfo | undefined;
}

/**
 * A TOTP code that the caller was given, for {@link Session.obtainMfaToken},
 * {@link Session.enableMfa} and {@link Session.disableMfa}.
 */
export interface MfaCodeOptions {
  /**
   * The 6-digit code, for example typed from an authenticator app. The API checks it once: it is
   * sent a second time only after a 401, which the API returns before it checks the code.
   */
  code: string;
  signal?: AbortSignal;
}

/** A started MFA enrolment. */
export interface MfaEnrolment {
  /** The new base32 secret; reported to `onSecret` before it is returned. */
  secret: string;
  issuer: string;
  label: string;
  /** The `otpauth://totp/` URI to show as a QR code. */
  uri: string;
}

type AuthProblem = 'revoked' | 'expired' | 'mfa' | 'credentials';

/**
 * The MFA token handling of one request. `repair` sends the token and obtains a new one when the
 * API requires one. `send` sends the token and returns the API's 401 to the caller. `omit` sends
 * no token.
 */
type MfaHandling = 'repair' | 'send' | 'omit';

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);
const DEFAULT_REFRESH_AHEAD_SECONDS = 60;

/** Internal state of the token pair; `expiresAtMs` is on the local clock. */
interface TokenState {
  accessToken: string;
  refreshToken: string | undefined;
  tokenType: string;
  expiresIn: number | undefined;
  expiresAtMs: number | undefined;
  issuedAtMs: number;
  clientId: string | undefined;
  /**
   * True while `expiresAtMs` comes from the JWT `exp` of a caller's token with no server clock
   * offset known yet, so that it may be off by the whole clock difference.
   */
  expiryAwaitsClockOffset: boolean;
}

function classify401(result: ResponseView): AuthProblem {
  const { headers } = result;
  if (headers['x-api-revoked'] !== undefined) return 'revoked';
  if (headers['x-api-expired'] !== undefined) return 'expired';
  if (
    headers['x-api-mfa-required'] !== undefined ||
    readErrorBody(result).message === 'MFA token required'
  ) {
    return 'mfa';
  }
  return 'credentials';
}

function isCodeOptions(value: AbortSignal | MfaCodeOptions | undefined): value is MfaCodeOptions {
  return value !== undefined && typeof (value as Partial<MfaCodeOptions>).code === 'string';
}

function nonEmpty(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const normalized = normalizeCredential(value);
  return normalized === '' ? undefined : normalized;
}

/**
 * An authenticated connection to the API. It sends each request with the right headers and
 * renews the access token ahead of expiry and once on `X-API-Expired`. Concurrent requests share
 * one refresh, because refresh tokens rotate. On `X-API-Revoked` it signs in again when it has a
 * password. When the API requires an MFA token, it obtains one from the TOTP secret.
 *
 * @example
 * ```ts
 * const session = new Session({
 *   apiUrl: 'https://rips.example.com',
 *   credentials: { type: 'bearer', accessToken, refreshToken, clientName: 'ci' },
 *   mfaToken,
 *   onSecret: (value) => core.setSecret(value),
 * });
 * const response = await session.request({ path: '/applications', query: { limit: 10 } });
 * if (session.refreshed) exportTokens(session.tokens);
 * ```
 */
export class Session {
  /** The validated API base URL. */
  readonly apiUrl: URL;
  private readonly config: ResolvedConfig;
  private readonly sender: HttpSender;
  private readonly report: SecretReporter;
  private readonly credentials: SessionCredentials;
  private readonly email: string | undefined;
  private readonly password: string | undefined;
  private readonly refreshAheadMs: number;
  private readonly onTokens: ((tokens: TokenSet) => void) | undefined;
  private readonly onMfaToken: ((mfaToken: string) => void) | undefined;
  private codes: TotpCodeSource | undefined;
  private tokenState: TokenState | undefined;
  private mfaTokenValue: string | undefined;
  private clientIdValue: string | undefined;
  private clientIdFlight: Promise<string> | undefined;
  private readonly signInFlight = new SharedFlight<void>('Waiting for the sign-in was cancelled');
  private readonly renewalFlight = new SharedFlight<void>(
    'Waiting for the token renewal was cancelled',
  );
  private readonly mfaFlight = new SharedFlight<void>('Waiting for a new MFA token was cancelled');
  private refreshedFlag = false;
  private lastGrantValue: 'password' | 'refresh' | undefined;

  /**
   * Validates the options and reports every given secret to `onSecret` before anything else.
   * Sends nothing: the first request signs in when needed.
   *
   * @param reporter - internal: a shared reporter so that {@link login} reports each value once.
   */
  constructor(options: SessionOptions, reporter?: SecretReporter) {
    this.report = reporter ?? createSecretReporter(options.onSecret);
    const given = options.credentials;
    // Mask first: every secret, as given, reaches the handler before any check can fail.
    this.report(given.password);
    this.report(
      given.type === 'refresh' || given.type === 'bearer' ? given.refreshToken : undefined,
    );
    if (given.type === 'bearer') {
      this.report(given.accessToken);
      this.report(`Bearer ${normalizeCredential(given.accessToken)}`);
    }
    this.report(options.mfaToken);
    this.report(options.totpSecret);

    this.config = resolveConfig(options);
    this.apiUrl = this.config.apiUrl;
    this.sender = new HttpSender(this.config);
    this.credentials = given;
    this.email = nonEmpty(given.email);
    this.password = nonEmpty(given.password);
    this.onTokens = options.onTokens;
    this.onMfaToken = options.onMfaToken;
    this.mfaTokenValue = nonEmpty(options.mfaToken);
    if (this.mfaTokenValue !== undefined) {
      this.checkMfaToken(this.mfaTokenValue);
    }
    const ahead = options.refreshAheadSeconds ?? DEFAULT_REFRESH_AHEAD_SECONDS;
    if (!(Number.isFinite(ahead) && ahead >= 0)) {
      throw new InvalidOptionError('refreshAheadSeconds', `expected 0 or more, received ${ahead}`);
    }
    this.refreshAheadMs = ahead * 1000;

    const totpSecret = nonEmpty(options.totpSecret);
    if (totpSecret !== undefined) {
      const normalized = normalizeTotpSecret(totpSecret, this.config.inputNames.totpSecret);
      this.report(normalized);
      this.codes = this.createCodeSource(normalized);
    }
    this.checkCredentials(given);
    if (given.type === 'plain') {
      const headers = plainAuthHeaders(this.email ?? '', this.password ?? '');
      this.report(headers['x-api-password-enc']);
    }
    if (given.type !== 'plain') {
      this.clientIdValue = nonEmpty(given.clientId);
    }
    if (given.type === 'bearer') {
      this.adoptBearer(given);
    }
  }

  /** The authentication method of the credentials. */
  get method(): AuthMethod {
    return this.credentials.type;
  }

  /** The current tokens, once the session has any. */
  get tokens(): TokenSet | undefined {
    const state = this.tokenState;
    if (state === undefined) return undefined;
    return {
      accessToken: state.accessToken,
      refreshToken: state.refreshToken,
      tokenType: state.tokenType,
      expiresIn: state.expiresIn,
      expiresAt: state.expiresAtMs === undefined ? undefined : new Date(state.expiresAtMs),
      clientId: state.clientId,
    };
  }

  /** The current MFA token, when one was given or obtained. */
  get mfaToken(): string | undefined {
    return this.mfaTokenValue;
  }

  /** True once the session replaced its tokens by a refresh or a renewed sign-in. */
  get refreshed(): boolean {
    return this.refreshedFlag;
  }

  /** The grant that obtained the current tokens, once the session obtained any itself. */
  get lastGrant(): 'password' | 'refresh' | undefined {
    return this.lastGrantValue;
  }

  /** The OAuth client id in use, once known. */
  get clientId(): string | undefined {
    return this.clientIdValue;
  }

  /** Server clock minus local clock in milliseconds, estimated from the `Date` header. */
  get clockOffsetMs(): number | undefined {
    return this.sender.clockOffsetMs;
  }

  /** The secret handler of the options, for helpers that receive secrets through the session. */
  get onSecret(): ((value: string) => void) | undefined {
    return this.config.onSecret;
  }

  /**
   * Sends `mfaToken` as `X-API-MFA` from now on, in place of the current one. The token reaches
   * `onSecret` first. `onMfaToken` is not called, because the caller already has the token.
   *
   * @example
   * ```ts
   * session.useMfaToken(process.env.RIPS_MFA_TOKEN ?? '');
   * ```
   */
  useMfaToken(mfaToken: string): void {
    this.report(mfaToken);
    const normalized = nonEmpty(mfaToken);
    if (normalized === undefined) {
      throw new InvalidOptionError(this.config.inputNames.mfaToken, 'the MFA token is empty');
    }
    this.checkMfaToken(normalized);
    this.mfaTokenValue = normalized;
  }

  /**
   * Obtains tokens now with the password or refresh grant, when the session has none. Does
   * nothing for plain credentials or an existing access token.
   */
  async signIn(signal?: AbortSignal): Promise<void> {
    if (this.credentials.type === 'plain' || this.tokenState !== undefined) {
      return;
    }
    await this.signInFlight.run((own) => this.runSignIn(own), signal);
  }

  /**
   * Sends a request and returns the response whatever its status. Raises typed errors only for
   * what the caller cannot act on: invalid options, authentication that cannot be repaired
   * (for example revoked tokens without a password), network failures, timeouts and oversized
   * responses.
   *
   * @example
   * ```ts
   * const response = await session.request({
   *   method: 'POST',
   *   path: '/applications',
   *   json: { application: { name: 'web' } },
   * });
   * if (response.status !== 200) core.setFailed(`status ${response.status}`);
   * ```
   */
  async request(request: ApiRequest): Promise<ApiResponse> {
    const method = parseMethod(request.method);
    const url = resolveRequestUrl(
      this.apiUrl,
      request.path,
      request.query,
      this.config.inputNames.path,
    );
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...validateHeaders(request.headers ?? {}),
    };
    let body: Uint8Array | undefined;
    if (request.body !== undefined) {
      body = typeof request.body === 'string' ? Buffer.from(request.body, 'utf8') : request.body;
    } else if (request.json !== undefined) {
      body = Buffer.from(JSON.stringify(request.json), 'utf8');
    }
    if (body !== undefined && headers['content-type'] === undefined) {
      headers['content-type'] = 'application/json';
    }
    const retry: RetryPolicy =
      IDEMPOTENT.has(method) || request.retryUnsafe === true ? 'safe' : 'never';
    const result = await this.sendAuthenticated(
      { method, url, headers, body, retry, signal: request.signal, timeoutMs: request.timeoutMs },
      'repair',
    );
    const text = Buffer.from(result.body).toString('utf8');
    return {
      method: result.method,
      status: result.status,
      headers: result.headers,
      body: result.body,
      text,
      json: parseOptionalJsonBody(result, result.method, 'The request'),
      url: result.url,
      durationMs: result.durationMs,
      attempts: result.attempts,
      ...(result.retryDeclined === undefined ? {} : { retryDeclined: result.retryDeclined }),
    };
  }

  /**
   * Returns the JSON body of a 2xx response. Raises {@link HttpError} for another status and
   * {@link ResponseNotJsonError} for a body that is not JSON. `operation` starts the error
   * message, for example `Listing the OAuth clients`.
   */
  expectJson(response: ApiResponse, operation: string): unknown {
    if (response.status < 200 || response.status >= 300) {
      throw httpErrorFrom(response, response.method, operation);
    }
    return parseJsonBody(response, response.method, operation);
  }

  /**
   * Reads `GET /status` and returns the API version and the signed-in user.
   *
   * @example
   * ```ts
   * const { user } = await session.status();
   * ```
   */
  async status(signal?: AbortSignal): Promise<StatusInfo> {
    const response = await this.request({ path: '/status', ...(signal ? { signal } : {}) });
    const body = this.expectJson(response, 'Reading the API status');
    if (!isRecord(body)) {
      throw new ResponseNotJsonError(
        'Reading the API status: the response is not a JSON object',
        '',
      );
    }
    const version = typeof body.version === 'string' ? body.version : undefined;
    return { version, user: readStatusUser(body.user, response.status) };
  }

  /**
   * Obtains a new MFA token and uses it from now on. Without a code it sends codes of the TOTP
   * secret. Given `{ code }`, a code typed from an authenticator app, it sends that code once,
   * with the errors of {@link Session.enableMfa}.
   *
   * @example
   * ```ts
   * const mfaToken = await session.obtainMfaToken();
   * const fromTypedCode = await session.obtainMfaToken({ code: typedCode });
   * ```
   */
  async obtainMfaToken(signal?: AbortSignal): Promise<string>;
  async obtainMfaToken(codeOptions: MfaCodeOptions): Promise<string>;
  async obtainMfaToken(input?: AbortSignal | MfaCodeOptions): Promise<string> {
    if (isCodeOptions(input)) {
      return this.sendGivenTokenCode(input);
    }
    const signal = input;
    await this.signIn(signal);
    await this.renewMfaToken(this.mfaTokenValue, signal);
    if (this.mfaTokenValue === undefined) {
      throw new MfaRequiredError('The API returned no MFA token');
    }
    return this.mfaTokenValue;
  }

  /**
   * Starts MFA enrolment (`POST /mfas/secret`) and returns the new secret with its
   * `otpauth://` URI. MFA turns on with {@link Session.enableMfa}. Raises
   * {@link MfaAlreadyEnabledError} when MFA is on, without spending a TOTP code: the API
   * responds 400 `MFA already enabled` with a valid MFA token, and 401 `MFA token required`
   * without one.
   *
   * @example
   * ```ts
   * const { uri, secret } = await session.beginMfaEnrolment();
   * ```
   */
  async beginMfaEnrolment(signal?: AbortSignal): Promise<MfaEnrolment> {
    const operation = 'Starting MFA enrolment';
    const result = await this.sendAuthenticated(
      {
        method: 'POST',
        url: endpointUrl(this.apiUrl, '/mfas/secret'),
        headers: { accept: 'application/json' },
        retry: 'never',
        signal,
        timeoutMs: undefined,
      },
      'send',
    );

    const apiMessage = readErrorBody(result).message;
    if (
      (result.status === 400 && apiMessage === MFA_ALREADY_ENABLED) ||
      (result.status === 401 && classify401(result) === 'mfa')
    ) {
      throw alreadyEnabledError(result, operation);
    }
    if (result.status < 200 || result.status >= 300) {
      throw httpErrorFrom(result, 'POST', operation);
    }

    const body = parseJsonBody(result, 'POST', operation);
    if (!isRecord(body) || typeof body.secret !== 'string') {
      throw new ResponseNotJsonError(`${operation}: the response has no secret`, '');
    }
    this.report(body.secret);
    const issuer = typeof body.issuer === 'string' ? body.issuer : 'RIPS';
    const label = typeof body.label === 'string' ? body.label : (this.email ?? 'RIPS');
    // The API may return the label with the issuer prefix (`RIPS:user@example.com`); the URI
    // adds the prefix itself, so it is removed here to avoid `RIPS:RIPS:`.
    const account = label.startsWith(`${issuer}:`) ? label.slice(issuer.length + 1) : label;
    return {
      secret: body.secret,
      issuer,
      label,
      uri: otpauthUri({ secret: body.secret, issuer, label: account }),
    };
  }

  /**
   * Turns MFA on and returns the MFA token, which the session uses from now on. Given the
   * enrolment secret, it sends the first valid code of that secret and keeps the secret for
   * later MFA tokens. Given `{ code }`, a code typed from an authenticator app, it sends that
   * code once and raises instead of sending another: {@link MfaCodeRejectedError} for
   * `Invalid code` or `Code already used`, {@link MfaRateLimitedError} after too many wrong
   * codes, {@link MfaNotEnabledError} when no enrolment is pending. A code that is not 6 digits
   * raises {@link InvalidOptionError} before anything is sent.
   *
   * @example
   * ```ts
   * const enrolment = await session.beginMfaEnrolment();
   * const mfaToken = await session.enableMfa({ code: typedCode });
   * ```
   */
  async enableMfa(secret: string): Promise<string>;
  async enableMfa(codeOptions: MfaCodeOptions): Promise<string>;
  async enableMfa(input: string | MfaCodeOptions): Promise<string> {
    if (typeof input !== 'string') {
      return this.sendGivenTokenCode(input);
    }
    this.report(input);
    const normalized = normalizeTotpSecret(input, 'secret');
    this.report(normalized);
    this.codes = this.createCodeSource(normalized);
    await this.signIn();
    const body = await exchangeCode('/mfas/token', this.codeExchangeDeps(undefined));
    return this.adoptMfaToken(body);
  }

  /**
   * Turns MFA off (`POST /mfas/delete`). Without arguments it sends a fresh code of the
   * session's TOTP secret. Given `{ code }`, a code typed from an authenticator app, it sends
   * that code once, with the errors of {@link Session.enableMfa}. The request carries the MFA
   * token, so a session without one and without a TOTP secret raises {@link MfaRequiredError}
   * before the API checks the code. Obtain one first with `obtainMfaToken({ code })` and a code
   * of an earlier 30 s step, or give one with {@link Session.useMfaToken}.
   *
   * @example
   * ```ts
   * session.useMfaToken(mfaToken);
   * await session.disableMfa({ code: typedCode });
   * ```
   */
  async disableMfa(): Promise<void>;
  async disableMfa(codeOptions: MfaCodeOptions): Promise<void>;
  async disableMfa(codeOptions?: MfaCodeOptions): Promise<void> {
    if (codeOptions !== undefined) {
      await this.signIn(codeOptions.signal);
      await sendGivenCode('/mfas/delete', codeOptions.code, this.givenCodeDeps(codeOptions));
      this.mfaTokenValue = undefined;
      return;
    }
    if (this.codes === undefined) {
      throw new InvalidOptionError(
        'totpSecret',
        'turning MFA off needs the TOTP secret; it is missing',
      );
    }
    await this.signIn();
    await exchangeCode('/mfas/delete', this.codeExchangeDeps(undefined));
    this.mfaTokenValue = undefined;
  }

  // ---------------------------------------------------------------- internals

  private createCodeSource(secret: string): TotpCodeSource {
    return new TotpCodeSource(
      secret,
      () => this.sender.serverNow(),
      this.config.sleep,
      this.config.logger,
    );
  }

  private checkCredentials(given: SessionCredentials): void {
    const names = this.config.inputNames;
    if (given.type === 'plain' || given.type === 'password') {
      if (this.email === undefined) {
        throw new InvalidOptionError(
          names.email,
          `the ${given.type} method needs an e-mail; it is empty`,
        );
      }
      if (this.password === undefined) {
        throw new InvalidOptionError(
          names.password,
          `the ${given.type} method needs a password; it is empty`,
        );
      }
    }
    if (given.type === 'refresh' && nonEmpty(given.refreshToken) === undefined) {
      throw new InvalidOptionError(
        names.refreshToken,
        'the refresh method needs a refresh token; it is empty',
      );
    }
    if (given.type === 'bearer') {
      const accessToken = nonEmpty(given.accessToken);
      if (accessToken === undefined) {
        throw new InvalidOptionError(
          names.accessToken,
          'the bearer method needs an access token; it is empty',
        );
      }
      checkHeaderCredential(accessToken, names.accessToken, 'access token', 'Authorization');
    }
  }

  private checkMfaToken(mfaToken: string): void {
    checkHeaderCredential(mfaToken, this.config.inputNames.mfaToken, 'MFA token', 'X-API-MFA');
  }

  private adoptBearer(given: BearerCredentials): void {
    const accessToken = normalizeCredential(given.accessToken);
    const now = this.config.clock.now();
    // The JWT exp is on the server's clock, so until a Date header gives the offset, the local
    // estimate never triggers an early refresh. A server clock behind the runner's would make
    // a valid token look expired and spend the caller's refresh token for nothing.
    const fromJwt = given.expiresAt === undefined;
    const expiresAtMs = given.expiresAt?.getTime() ?? computeExpiry(now, undefined, accessToken, 0);
    this.tokenState = {
      accessToken,
      refreshToken: nonEmpty(given.refreshToken),
      tokenType: 'Bearer',
      expiresIn: undefined,
      expiresAtMs,
      issuedAtMs: now,
      clientId: this.clientIdValue,
      expiryAwaitsClockOffset: fromJwt && readJwtExpiry(accessToken) !== undefined,
    };
  }

  private async resolveClientIdOnce(signal: AbortSignal | undefined): Promise<string> {
    if (this.clientIdValue !== undefined) {
      return this.clientIdValue;
    }
    const given = this.credentials;
    const name = given.type === 'plain' ? undefined : given.clientName;
    this.clientIdFlight ??= resolveClientIdWith(this.sender, undefined, name, signal).finally(
      () => {
        this.clientIdFlight = undefined;
      },
    );
    this.clientIdValue = await this.clientIdFlight;
    return this.clientIdValue;
  }

  private async runSignIn(signal: AbortSignal | undefined): Promise<void> {
    const given = this.credentials;
    if (given.type === 'refresh') {
      await this.refreshOrSignIn(nonEmpty(given.refreshToken) ?? '', signal);
    } else {
      await this.passwordGrant(signal);
    }
  }

  private async passwordGrant(signal: AbortSignal | undefined): Promise<void> {
    const clientId = await this.resolveClientIdOnce(signal);
    const tokens = await requestTokens(
      this.sender,
      {
        grant_type: 'password',
        client_id: clientId,
        username: this.email ?? '',
        password: this.password ?? '',
      },
      this.report,
      signal,
    );
    this.lastGrantValue = 'password';
    this.adoptTokens(tokens);
  }

  private async refreshOrSignIn(
    refreshToken: string,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const clientId = await this.resolveClientIdOnce(signal);
    try {
      const tokens = await requestTokens(
        this.sender,
        { grant_type: 'refresh_token', client_id: clientId, refresh_token: refreshToken },
        this.report,
        signal,
      );
      this.lastGrantValue = 'refresh';
      this.adoptTokens(tokens);
    } catch (error: unknown) {
      if (
        error instanceof RefreshRejectedError &&
        this.email !== undefined &&
        this.password !== undefined
      ) {
        this.config.logger.warning(
          'The API rejected the refresh token; signing in with the e-mail and password instead',
        );
        await this.passwordGrant(signal);
        return;
      }
      throw error;
    }
  }

  private adoptTokens(tokens: TokenSet): void {
    const now = this.config.clock.now();
    this.tokenState = {
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      tokenType: tokens.tokenType,
      expiresIn: tokens.expiresIn,
      expiresAtMs: tokens.expiresAt?.getTime(),
      issuedAtMs: now,
      clientId: tokens.clientId,
      expiryAwaitsClockOffset: false,
    };
    const expiry =
      tokens.expiresAt === undefined ? 'an unknown time' : tokens.expiresAt.toISOString();
    this.config.logger.debug(`Obtained an access token that expires at ${expiry}`);
    this.onTokens?.(tokens);
  }

  /**
   * True when the access token is within the refresh-ahead margin of its expiry. A caller's
   * token dated by its JWT `exp` counts as valid until a response gives the server clock
   * offset. Then its expiry is computed again on the local clock.
   */
  private expiresSoon(state: TokenState): boolean {
    if (state.expiryAwaitsClockOffset) {
      const offsetMs = this.sender.clockOffsetMs;
      if (offsetMs === undefined) return false;
      state.expiresAtMs = computeExpiry(state.issuedAtMs, undefined, state.accessToken, offsetMs);
      state.expiryAwaitsClockOffset = false;
    }
    if (state.expiresAtMs === undefined) return false;
    const lifetime = state.expiresAtMs - state.issuedAtMs;
    const ahead = Math.min(this.refreshAheadMs, Math.max(0, lifetime / 2));
    return this.config.clock.now() >= state.expiresAtMs - ahead;
  }

  private canRenew(state: TokenState): boolean {
    return state.refreshToken !== undefined || this.password !== undefined;
  }

  /**
   * Replaces the tokens, unless another request already replaced `tokenUsed`. Concurrent callers
   * share one renewal, because a refresh token is spent by its first use.
   */
  private async renewTokens(
    reason: 'expiring' | 'expired' | 'revoked',
    tokenUsed: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    if (this.tokenState?.accessToken !== tokenUsed) {
      return;
    }
    // The renewal runs with its own signal, so one waiter's abort does not fail the others.
    await this.renewalFlight.run((own) => this.runRenewal(reason, own), signal);
  }

  private async runRenewal(
    reason: 'expiring' | 'expired' | 'revoked',
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const state = this.tokenState;
    const { logger } = this.config;
    if (reason === 'revoked') {
      logger.info('The access token was revoked; signing in again with the e-mail and password');
      await this.passwordGrant(signal);
    } else if (state?.refreshToken !== undefined) {
      logger.info(
        reason === 'expired'
          ? 'The access token expired; refreshing it'
          : 'The access token expires soon; refreshing it',
      );
      await this.refreshOrSignIn(state.refreshToken, signal);
    } else if (this.password !== undefined) {
      logger.info('The access token expired; signing in again with the e-mail and password');
      await this.passwordGrant(signal);
    } else {
      throw new TokenExpiredError(
        'The access token expired and neither a refresh token nor a password was given to renew it',
      );
    }
    this.refreshedFlag = true;
  }

  /** Obtains a new MFA token, unless another request already replaced `staleToken`. */
  private async renewMfaToken(
    staleToken: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    if (this.mfaTokenValue !== staleToken && this.mfaTokenValue !== undefined) {
      return;
    }
    if (this.codes === undefined) {
      const { totpSecret, mfaToken } = this.config.inputNames;
      throw new MfaRequiredError(
        staleToken === undefined
          ? `MFA is enabled for this account: set ${totpSecret}, or ${mfaToken} with a current MFA token`
          : `The API rejected the MFA token (${mfaToken}); set ${totpSecret} so that a new one can be obtained`,
      );
    }
    await this.mfaFlight.run(async (own) => {
      this.adoptMfaToken(await exchangeCode('/mfas/token', this.codeExchangeDeps(own)));
    }, signal);
  }

  private adoptMfaToken(body: unknown): string {
    const token = isRecord(body) ? body.token : undefined;
    if (typeof token !== 'string' || token === '' || token.length > 100) {
      throw new ResponseNotJsonError(
        'Obtaining an MFA token: the response of POST /mfas/token has no valid token',
        '',
        { method: 'POST', path: '/mfas/token' },
      );
    }
    this.report(token);
    this.mfaTokenValue = token;
    this.config.logger.info('Obtained an MFA token');
    this.onMfaToken?.(token);
    return token;
  }

  private codeExchangeDeps(signal: AbortSignal | undefined): Parameters<typeof exchangeCode>[1] {
    const codes = this.codes;
    if (codes === undefined) {
      throw new InvalidOptionError('totpSecret', 'the TOTP secret is missing');
    }
    return {
      codes,
      post: (path: MfaCodePath, body: Uint8Array) => this.postCode(path, body, signal),
      serverNow: () => this.sender.serverNow(),
      sleep: this.config.sleep,
      logger: this.config.logger,
      signal,
      totpSecretName: this.config.inputNames.totpSecret,
      mfaTokenName: this.config.inputNames.mfaToken,
    };
  }

  /** Sends a given code to `POST /mfas/token`, which turns MFA on or mints another MFA token. */
  private async sendGivenTokenCode(codeOptions: MfaCodeOptions): Promise<string> {
    await this.signIn(codeOptions.signal);
    const body = await sendGivenCode(
      '/mfas/token',
      codeOptions.code,
      this.givenCodeDeps(codeOptions),
    );
    return this.adoptMfaToken(body);
  }

  private givenCodeDeps(codeOptions: MfaCodeOptions): Parameters<typeof sendGivenCode>[2] {
    return {
      post: (path: MfaCodePath, body: Uint8Array) => this.postCode(path, body, codeOptions.signal),
      serverNow: () => this.sender.serverNow(),
    };
  }

  /**
   * Sends a `{"challenge":{"code"}}` body once. `/mfas/delete` is a protected route and carries
   * the MFA token; `/mfas/token` needs none. A 401 is returned after the repair, so that the
   * caller decides whether the code may be sent again.
   */
  private postCode(
    path: MfaCodePath,
    body: Uint8Array,
    signal: AbortSignal | undefined,
  ): Promise<SendResult & { method: string }> {
    return this.sendAuthenticated(
      {
        method: 'POST',
        url: endpointUrl(this.apiUrl, path),
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body,
        retry: 'never',
        signal,
        timeoutMs: undefined,
      },
      path === '/mfas/delete' ? 'repair' : 'omit',
      false,
    );
  }

  private authHeaders(mfa: MfaHandling): Record<string, string> {
    const headers: Record<string, string> =
      this.credentials.type === 'plain'
        ? plainAuthHeaders(this.email ?? '', this.password ?? '')
        : { authorization: `Bearer ${this.tokenState?.accessToken ?? ''}` };
    if (mfa !== 'omit' && this.mfaTokenValue !== undefined) {
      headers['x-api-mfa'] = this.mfaTokenValue;
    }
    return headers;
  }

  /**
   * Sends a request with the session's credentials and repairs authentication once per kind of
   * failure: an expired token is renewed, revoked tokens lead to a new sign-in when a password
   * is held, and with `mfa` set to `repair` a missing or rejected MFA token is replaced from the
   * TOTP secret. A request revoked because a refresh replaced its token meanwhile is resent once
   * with the new token. A 401 is safe to resend because the API rejected it before acting on it.
   * With `resend` false the 401 response is returned after the repair instead, so that a request
   * carrying a TOTP code is never sent twice.
   */
  private async sendAuthenticated(
    request: Parameters<HttpSender['send']>[0],
    mfa: MfaHandling,
    resend = true,
  ): Promise<SendResult & { method: string }> {
    const signal = request.signal;
    await this.prepareTokens(signal);
    const repaired = new Set<AuthProblem>();
    let resentAfterRotation = false;
    for (;;) {
      const tokenUsed = this.tokenState?.accessToken;
      const mfaUsed = this.mfaTokenValue;
      const result = await this.sender.send({
        ...request,
        headers: { ...request.headers, ...this.authHeaders(mfa) },
      });
      if (result.status === 431 && this.credentials.type === 'plain') {
        const path = request.url.pathname;
        throw plainHeadersTooLargeError(request.method, path, this.config.inputNames.grant);
      }
      if (result.status !== 401) {
        return { ...result, method: request.method };
      }
      const problem = classify401(result);
      const context = { method: request.method, path: request.url.pathname, status: 401 };
      const plain = this.credentials.type === 'plain';
      if (problem === 'credentials' || (plain && problem !== 'mfa')) {
        const who =
          this.email === undefined ? 'the given token' : escapeControlCharacters(this.email);
        throw new InvalidCredentialsError(
          `The API rejected the credentials of ${who} (${readErrorBody(result).message ?? 'status 401'})`,
          context,
        );
      }
      if (problem === 'mfa' && mfa === 'send') {
        return { ...result, method: request.method };
      }
      if (problem === 'revoked' && !resentAfterRotation) {
        // A refresh revokes the access token it replaces, so a request that carried the old
        // token and reached the API after the refresh is revoked although the session already
        // has the new token. Such a request is sent again once with the current token.
        await this.renewalFlight.settled();
        if (tokenUsed !== this.tokenState?.accessToken) {
          resentAfterRotation = true;
          if (!resend) {
            return { ...result, method: request.method };
          }
          continue;
        }
      }
      if (repaired.has(problem)) {
        throw this.unrepairedError(problem, context);
      }
      repaired.add(problem);
      if (problem === 'mfa') {
        if (mfa === 'omit') {
          throw new MfaRequiredError('The API requires an MFA token on an MFA endpoint', context);
        }
        await this.renewMfaToken(mfaUsed, signal);
      } else if (problem === 'revoked') {
        if (this.password === undefined) {
          throw new TokenRevokedError(
            'The access token was revoked and no password was given to sign in again; run the login again',
            context,
          );
        }
        await this.renewTokens('revoked', tokenUsed, signal);
      } else {
        await this.renewTokens('expired', tokenUsed, signal);
      }
      if (!resend) {
        return { ...result, method: request.method };
      }
    }
  }

  private unrepairedError(
    problem: AuthProblem,
    context: { method: string; path: string; status: number },
  ): Error {
    switch (problem) {
      case 'mfa':
        return new MfaRequiredError('The API rejected the new MFA token as well', context);
      case 'revoked':
        return new TokenRevokedError(
          'The API revoked the tokens again right after a new sign-in',
          context,
        );
      default:
        return new TokenExpiredError(
          'The API reports the access token as expired right after renewing it',
          context,
        );
    }
  }

  /** Signs in when there are no tokens yet, and renews tokens that expire soon. */
  private async prepareTokens(signal: AbortSignal | undefined): Promise<void> {
    if (this.credentials.type === 'plain') {
      return;
    }
    if (this.tokenState === undefined) {
      await this.signIn(signal);
      return;
    }
    const state = this.tokenState;
    if (!this.expiresSoon(state) || !this.canRenew(state)) {
      return;
    }
    try {
      await this.renewTokens('expiring', state.accessToken, signal);
    } catch (error: unknown) {
      // A token that has not expired yet still works, so a failed early renewal only warns.
      const stillValid =
        state.expiresAtMs !== undefined && this.config.clock.now() < state.expiresAtMs;
      if (!(error instanceof RipsAuthError) || !stillValid || error.code === 'ABORTED') {
        throw error;
      }
      this.config.logger.warning(
        `Could not renew the access token before it expires (${error.code}); using it until then`,
      );
    }
  }
}

/**
 * Creates a {@link Session}. Equivalent to `new Session(options)`.
 */
export function createSession(options: SessionOptions): Session {
  return new Session(options);
}
