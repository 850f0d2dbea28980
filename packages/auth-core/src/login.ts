import type { ClientOptions } from './config.js';
import { InvalidCredentialsError, MfaNotEnabledError } from './errors.js';
import { resolveInputNames, type InputNames } from './names.js';
import { chooseGrant, normalizeCredential, type AuthMethod, type GrantOption } from './options.js';
import { createSecretReporter } from './secrets.js';
import { Session, type SessionCredentials } from './session.js';
import { escapeControlCharacters } from './text.js';

/** Options of {@link login}: the inputs of the rips-login action. */
export interface LoginOptions extends ClientOptions {
  /**
   * Grant to use. `auto` picks refresh when a refresh token is given, else password. Default:
   * `auto`.
   */
  grant?: GrantOption;
  email?: string | undefined;
  password?: string | undefined;
  refreshToken?: string | undefined;
  /** OAuth client id; when empty the client is looked up by `clientName`. */
  clientId?: string | undefined;
  /** Name of a global OAuth client. Default: `ci`. */
  clientName?: string | undefined;
  /** Base32 TOTP secret, to obtain an MFA token. */
  totpSecret?: string | undefined;
  /** An existing MFA token. */
  mfaToken?: string | undefined;
}

/** The outcome of {@link login}. Token fields are absent for plain authentication. */
export interface LoginResult {
  method: Exclude<AuthMethod, 'bearer'>;
  accessToken?: string;
  refreshToken?: string;
  tokenType?: string;
  /** Lifetime of the access token in seconds, from the token response. */
  expiresIn?: number;
  expiresAt?: Date;
  clientId?: string;
  mfaToken?: string;
  user: { id: number | string; email: string };
  /** Warnings that were also sent to the logger, for example about ignored inputs. */
  warnings: string[];
}

function present(value: string | undefined): boolean {
  return value !== undefined && normalizeCredential(value) !== '';
}

function credentialsFor(
  method: Exclude<AuthMethod, 'bearer'>,
  options: LoginOptions,
  names: InputNames,
  warn: (message: string) => void,
): SessionCredentials {
  const email = options.email ?? '';
  const password = options.password ?? '';
  const client = { clientId: options.clientId, clientName: options.clientName };
  const ignored = (name: string): void =>
    warn(`${name} is ignored because ${names.grant} is ${method}`);
  switch (method) {
    case 'plain':
      if (present(options.refreshToken)) ignored(names.refreshToken);
      if (present(options.clientId)) ignored(names.clientId);
      return { type: 'plain', email, password };
    case 'password':
      if (present(options.refreshToken)) ignored(names.refreshToken);
      return { type: 'password', email, password, ...client };
    case 'refresh':
      if (options.grant === 'refresh') {
        if (present(options.password)) ignored(names.password);
        return { type: 'refresh', refreshToken: options.refreshToken ?? '', ...client };
      }
      // With grant auto, a password is the fallback when the refresh token is rejected.
      return {
        type: 'refresh',
        refreshToken: options.refreshToken ?? '',
        ...client,
        ...(present(options.email) && present(options.password) ? { email, password } : {}),
      };
  }
}

/**
 * Runs the sign-in sequence of the RIPS API with its minimum round trips:
 *
 * 1. resolve the client id by name when no id is given;
 * 2. obtain tokens with the password or refresh grant, or skip this for plain headers;
 * 3. obtain an MFA token from the TOTP secret unless an MFA token is given;
 * 4. confirm the credentials and learn the user with `GET /status`. When the API rejects a
 *    given MFA token there, a new one is obtained from the TOTP secret and the status is read
 *    again.
 *
 * Every secret reaches `onSecret` before it is used or returned, each value once.
 *
 * @example
 * ```ts
 * const result = await login({
 *   apiUrl: 'https://rips.example.com',
 *   email: 'ci@example.com',
 *   password,
 *   totpSecret,
 *   onSecret: (value) => core.setSecret(value),
 *   logger: { debug: core.debug, info: core.info, warning: core.warning },
 * });
 * core.setOutput('access-token', result.accessToken);
 * ```
 */
export async function login(options: LoginOptions): Promise<LoginResult> {
  const report = createSecretReporter(options.onSecret);
  // Mask first: the inputs reach the handler before any validation can fail.
  report(options.password);
  report(options.refreshToken);
  report(options.totpSecret);
  report(options.mfaToken);

  const names = resolveInputNames(options.inputNames);
  const warnings: string[] = [];
  const logger = options.logger;
  const warn = (message: string): void => {
    warnings.push(message);
    logger?.warning(message);
  };
  const method = chooseGrant({
    grant: options.grant ?? 'auto',
    email: options.email,
    password: options.password,
    refreshToken: options.refreshToken,
    inputNames: names,
  });
  // Warnings of the session, such as a refresh token falling back to the password, also go to
  // the result.
  const sessionLogger = {
    debug: (message: string) => logger?.debug(message),
    info: (message: string) => logger?.info(message),
    warning: warn,
  };
  const session = new Session(
    {
      ...options,
      logger: sessionLogger,
      credentials: credentialsFor(method, options, names, warn),
      mfaToken: options.mfaToken,
      totpSecret: options.totpSecret,
    },
    report,
  );

  logger?.info(`Signing in to ${session.apiUrl.href} with the ${method} method`);
  await session.signIn();
  // NOTE: with plain headers this is the first request, so the code follows the local clock.
  // A server clock more than one step off rejects it, and the retry uses the Date header.
  if (!present(options.mfaToken) && present(options.totpSecret)) {
    try {
      await session.obtainMfaToken();
    } catch (error: unknown) {
      if (!(error instanceof MfaNotEnabledError)) {
        throw error;
      }
      warn(
        `${names.totpSecret} is set but MFA is not enabled for this account; the secret was not used`,
      );
    }
  }
  const { user } = await session.status();
  if (user === undefined) {
    throw new InvalidCredentialsError(
      'GET /status returned no user, so the API did not accept the credentials',
      { method: 'GET', path: '/status' },
    );
  }
  const tokens = session.tokens;
  const result: LoginResult = {
    method: session.lastGrant ?? method,
    user: { id: user.id, email: user.email },
    warnings,
  };
  if (tokens !== undefined) {
    result.accessToken = tokens.accessToken;
    result.tokenType = tokens.tokenType;
    if (tokens.refreshToken !== undefined) result.refreshToken = tokens.refreshToken;
    if (tokens.expiresIn !== undefined) result.expiresIn = tokens.expiresIn;
    if (tokens.expiresAt !== undefined) result.expiresAt = tokens.expiresAt;
    if (tokens.clientId !== undefined) result.clientId = tokens.clientId;
  }
  if (session.mfaToken !== undefined) {
    result.mfaToken = session.mfaToken;
  }
  const expiry =
    result.expiresAt === undefined
      ? ''
      : `; the access token expires at ${result.expiresAt.toISOString()}`;
  logger?.info(
    `Signed in as ${escapeControlCharacters(user.email)} with the ${result.method} method${expiry}`,
  );
  return result;
}
