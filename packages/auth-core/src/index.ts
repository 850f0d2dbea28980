export { DEFAULT_MAX_RESPONSE_BYTES, USER_AGENT, VERSION } from './config.js';
export type { ClientOptions } from './config.js';

export {
  AbortedError,
  ClientNotFoundError,
  HttpError,
  InvalidCredentialsError,
  InvalidHeaderError,
  InvalidOptionError,
  JsonTooDeepError,
  MfaAlreadyEnabledError,
  MfaCodeRejectedError,
  MfaNotEnabledError,
  MfaRateLimitedError,
  MfaRequiredError,
  NetworkError,
  RefreshRejectedError,
  ResponseNotJsonError,
  ResponseTooLargeError,
  RipsAuthError,
  TimeoutError,
  TokenExpiredError,
  TokenRevokedError,
} from './errors.js';
export type { ErrorCode, RequestContext, RipsAuthErrorOptions } from './errors.js';

export { parseRetryAfter } from './http/sender.js';
export type { RetryDeclined } from './http/sender.js';
export { createHttpTransport } from './http/transport.js';
export type { Transport, TransportRequest, TransportResponse } from './http/transport.js';

export { login } from './login.js';
export type { LoginOptions, LoginResult } from './login.js';

export { MFA_ATTEMPT_WINDOW_SECONDS, MFA_ATTEMPTS_PER_WINDOW } from './mfa/codes.js';
export {
  generateTotp,
  normalizeTotpSecret,
  otpauthUri,
  TOTP_PERIOD_SECONDS,
  totpTimeStep,
} from './mfa/totp.js';
export type { TotpAlgorithm, TotpOptions } from './mfa/totp.js';

export {
  createOAuthClient,
  DEFAULT_CLIENT_NAME,
  deleteOAuthClient,
  getOAuthClient,
  listGlobalClients,
  listOAuthClients,
  resolveClientId,
  updateOAuthClient,
} from './oauth/clients.js';
export type { GrantType, OAuthClient, OAuthClientInput, OAuthClientPage } from './oauth/clients.js';
export { readJwtExpiry } from './oauth/tokens.js';
export type { TokenSet } from './oauth/tokens.js';

export {
  chooseGrant,
  DEFAULT_RETRIES,
  DEFAULT_TIMEOUT_SECONDS,
  isLoopbackHost,
  MAX_RETRIES,
  MAX_TIMEOUT_SECONDS,
  normalizeCredential,
  parseApiUrl,
  parseGrant,
  parseHeaderLines,
  parseMethod,
  parseRetries,
  parseTimeoutSeconds,
  resolveRequestUrl,
  validateHeaders,
} from './options.js';
export type { AuthMethod, GrantInputs, GrantOption, HttpMethod, QueryParams } from './options.js';

export { ACTION_INPUT_NAMES, resolveInputNames } from './names.js';
export type { InputNames } from './names.js';

export { plainAuthHeaders } from './plain.js';

export { secretForms } from './secrets.js';
export type { SecretHandler } from './secrets.js';

export { realSleep, silentLogger, systemClock } from './seams.js';
export type { Clock, Logger, Sleep } from './seams.js';

export { createSession, Session } from './session.js';
export type {
  ApiRequest,
  ApiResponse,
  BearerCredentials,
  MfaCodeOptions,
  MfaEnrolment,
  PasswordCredentials,
  PlainCredentials,
  RefreshCredentials,
  SessionCredentials,
  SessionOptions,
  StatusInfo,
  UserInfo,
} from './session.js';
