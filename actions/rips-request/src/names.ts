/** Names of the action's inputs, as declared in action.yml. */
export const INPUTS = {
  apiUrl: 'api-url',
  method: 'method',
  path: 'path',
  query: 'query',
  body: 'body',
  bodyFile: 'body-file',
  headers: 'headers',
  accessToken: 'access-token',
  refreshToken: 'refresh-token',
  clientId: 'client-id',
  clientName: 'client-name',
  mfaToken: 'mfa-token',
  email: 'email',
  password: 'password',
  totpSecret: 'totp-secret',
  expectedStatus: 'expected-status',
  failOnError: 'fail-on-error',
  paginate: 'paginate',
  maxPages: 'max-pages',
  outputFile: 'output-file',
  maskJsonFields: 'mask-json-fields',
  timeoutSeconds: 'timeout-seconds',
  retries: 'retries',
  retryUnsafeMethods: 'retry-unsafe-methods',
  allowInsecureHttp: 'allow-insecure-http',
} as const;

/**
 * Variables that rips-login exports with `export-env`. An empty input falls back to the
 * variable of the same meaning.
 */
export const ENV = {
  apiUrl: 'RIPS_API_URL',
  accessToken: 'RIPS_ACCESS_TOKEN',
  refreshToken: 'RIPS_REFRESH_TOKEN',
  mfaToken: 'RIPS_MFA_TOKEN',
  clientId: 'RIPS_CLIENT_ID',
  expiresAt: 'RIPS_EXPIRES_AT',
  email: 'RIPS_EMAIL',
  password: 'RIPS_PASSWORD',
} as const;
