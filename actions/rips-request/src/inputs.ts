import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import * as core from '@actions/core';
import {
  InvalidOptionError,
  normalizeCredential,
  parseApiUrl,
  parseMethod,
  parseRetries,
  parseTimeoutSeconds,
  resolveRequestUrl,
  validateHeaders,
  type HttpMethod,
  type QueryParams,
  type SessionCredentials,
} from '@rips-actions/auth-core';

import type { Masker } from './mask.js';

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

/** Response fields whose string values are always masked, at any depth. */
export const DEFAULT_MASKED_FIELDS = [
  'access_token',
  'refresh_token',
  'token',
  'secret',
  'password',
  'plainPassword',
] as const;

/** Default and largest accepted value of `max-pages`. */
export const DEFAULT_MAX_PAGES = 100;
export const MAX_PAGES_LIMIT = 10_000;

/** Statuses that count as success: exact codes and classes such as 2 for `2xx`. */
export interface ExpectedStatus {
  codes: readonly number[];
  classes: readonly number[];
}

/** The request to send, validated. */
export interface RequestSpec {
  method: HttpMethod;
  path: string;
  query: QueryParams;
  headers: Record<string, string>;
  body: string | undefined;
  retryUnsafe: boolean;
}

/** Everything the action needs, read from its inputs and the `RIPS_*` variables. */
export interface ActionConfig {
  apiUrl: URL;
  allowInsecureHttp: boolean;
  request: RequestSpec;
  credentials: SessionCredentials;
  mfaToken: string | undefined;
  totpSecret: string | undefined;
  expectedStatus: ExpectedStatus;
  failOnError: boolean;
  paginate: boolean;
  maxPages: number;
  /** Absolute path of the `output-file` input, when given. */
  outputFile: string | undefined;
  /** Default masked fields plus `mask-json-fields`, in lower case. */
  maskedFields: ReadonlySet<string>;
  timeoutMs: number;
  retries: number;
  /** True when a token came from a `RIPS_*` variable, so renewed tokens are exported again. */
  tokensFromEnv: boolean;
}

/** Secret inputs and their fallbacks, read and masked before anything else. */
interface SecretValues {
  accessToken: string | undefined;
  refreshToken: string | undefined;
  mfaToken: string | undefined;
  password: string | undefined;
  totpSecret: string | undefined;
  tokensFromEnv: boolean;
}

/** Returns the trimmed input, or the trimmed variable when the input is empty. */
function withFallback(input: string, variable: string): string | undefined {
  const value = input.trim() !== '' ? input : (process.env[variable] ?? '');
  return value.trim() === '' ? undefined : value;
}

/** Masks a credential as given, then returns it without a pasted trailing line break. */
function maskCredential(mask: Masker, value: string | undefined): string | undefined {
  if (value === undefined) {
    return undefined;
  }
  mask(value);
  const normalized = normalizeCredential(value);
  mask(normalized);
  return normalized;
}

/** Masks a token and returns it trimmed, because tokens never contain spaces. */
function maskToken(mask: Masker, value: string | undefined): string | undefined {
  const normalized = maskCredential(mask, value);
  if (normalized === undefined) {
    return undefined;
  }
  const trimmed = normalized.trim();
  mask(trimmed);
  return trimmed;
}

/**
 * Reads every secret input and its fallback variable and masks each value, in all the forms
 * auth-core derives, before any check runs, so that no error message can echo it unmasked.
 */
function readSecrets(mask: Masker): SecretValues {
  const opts = { trimWhitespace: false };
  const accessInput = core.getInput(INPUTS.accessToken, opts);
  const refreshInput = core.getInput(INPUTS.refreshToken, opts);
  const accessToken = maskToken(mask, withFallback(accessInput, ENV.accessToken));
  const refreshToken = maskToken(mask, withFallback(refreshInput, ENV.refreshToken));
  const mfaToken = maskToken(
    mask,
    withFallback(core.getInput(INPUTS.mfaToken, opts), ENV.mfaToken),
  );
  const password = maskCredential(
    mask,
    withFallback(core.getInput(INPUTS.password, opts), ENV.password),
  );
  const totpSecret = maskCredential(mask, core.getInput(INPUTS.totpSecret, opts) || undefined);
  const tokensFromEnv =
    (accessToken !== undefined && accessInput.trim() === '') ||
    (refreshToken !== undefined && refreshInput.trim() === '');
  return { accessToken, refreshToken, mfaToken, password, totpSecret, tokensFromEnv };
}

/** Describes a JSON parse failure by position only, because the text may contain a credential. */
function jsonError(option: string, error: unknown, expected: string): InvalidOptionError {
  const detail = error instanceof Error ? /position \d+/.exec(error.message)?.[0] : undefined;
  const where = detail === undefined ? '' : ` at ${detail}`;
  return new InvalidOptionError(
    option,
    `invalid JSON${where}; expected ${expected} (the text is not shown because it may contain a credential)`,
    { cause: error },
  );
}

function parseJsonObject(option: string, text: string, expected: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error: unknown) {
    throw jsonError(option, error, expected);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    let kind: string = typeof value;
    if (Array.isArray(value)) {
      kind = 'an array';
    } else if (value === null) {
      kind = 'null';
    }
    throw new InvalidOptionError(option, `expected ${expected}, received ${kind}`);
  }
  return value as Record<string, unknown>;
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** Parses the `query` input: a JSON object of names to scalars or arrays of scalars. */
export function parseQuery(text: string): QueryParams {
  if (text.trim() === '') {
    return {};
  }
  const expected = 'a JSON object such as {"limit": 10}';
  const query: QueryParams = {};
  for (const [name, value] of Object.entries(parseJsonObject(INPUTS.query, text, expected))) {
    if (isScalar(value) || (Array.isArray(value) && value.every(isScalar))) {
      query[name] = value;
    } else {
      throw new InvalidOptionError(
        INPUTS.query,
        `the value of "${name}" must be a string, number, boolean or an array of them`,
      );
    }
  }
  return query;
}

/** Parses the `headers` input: a JSON object of header names to strings, without credentials. */
export function parseHeaders(text: string): Record<string, string> {
  if (text.trim() === '') {
    return {};
  }
  const expected = 'a JSON object such as {"X-Request-Id": "ci-42"}';
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(parseJsonObject(INPUTS.headers, text, expected))) {
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new InvalidOptionError(INPUTS.headers, `the value of "${name}" must be a string`);
    }
    headers[name] = String(value);
  }
  return validateHeaders(headers, INPUTS.headers);
}

/** Reads the request body from `body` or `body-file` and checks that it is JSON. */
function readBody(bodyText: string, bodyFile: string): string | undefined {
  if (bodyText.trim() !== '' && bodyFile.trim() !== '') {
    throw new InvalidOptionError(INPUTS.body, 'give body or body-file, not both');
  }
  let option: string = INPUTS.body;
  let body = bodyText;
  if (bodyFile.trim() !== '') {
    option = INPUTS.bodyFile;
    try {
      body = readFileSync(resolve(bodyFile.trim()), 'utf8');
    } catch (error: unknown) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
      throw new InvalidOptionError(option, `failed to read ${bodyFile.trim()} (${code})`, {
        cause: error,
      });
    }
  }
  if (body.trim() === '') {
    return undefined;
  }
  try {
    JSON.parse(body);
  } catch (error: unknown) {
    throw jsonError(option, error, 'a JSON request body');
  }
  return body;
}

/**
 * Parses `expected-status`: codes such as 200 or 404 and classes such as 2xx, separated by
 * commas, spaces or line breaks. An empty value means any 2xx status.
 */
export function parseExpectedStatus(text: string): ExpectedStatus {
  const items = text.split(/[\s,]+/).filter((item) => item !== '');
  if (items.length === 0) {
    return { codes: [], classes: [2] };
  }
  const codes: number[] = [];
  const classes: number[] = [];
  for (const item of items) {
    if (/^[1-5]xx$/i.test(item)) {
      classes.push(Number(item[0]));
    } else if (/^[1-5]\d\d$/.test(item)) {
      codes.push(Number(item));
    } else {
      throw new InvalidOptionError(
        INPUTS.expectedStatus,
        `expected HTTP statuses such as 200,404 or 2xx, received "${item.slice(0, 20)}"`,
      );
    }
  }
  return { codes, classes };
}

/** Parses `max-pages`: a whole number from 1 to {@link MAX_PAGES_LIMIT}. */
export function parseMaxPages(text: string): number {
  const trimmed = text.trim();
  if (trimmed === '') {
    return DEFAULT_MAX_PAGES;
  }
  const pages = /^\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!(pages >= 1 && pages <= MAX_PAGES_LIMIT)) {
    throw new InvalidOptionError(
      INPUTS.maxPages,
      `expected a whole number from 1 to ${MAX_PAGES_LIMIT}, received "${trimmed.slice(0, 20)}"`,
    );
  }
  return pages;
}

/** Parses `mask-json-fields` (commas or line breaks) and adds the default fields. */
function parseMaskedFields(lines: string[]): ReadonlySet<string> {
  const extra = lines.flatMap((line) => line.split(','));
  const fields = [...DEFAULT_MASKED_FIELDS, ...extra]
    .map((field) => field.trim().toLowerCase())
    .filter((field) => field !== '');
  return new Set(fields);
}

/** Reads `RIPS_EXPIRES_AT` (ISO 8601 or epoch seconds); a malformed value is ignored. */
function readExpiresAt(): Date | undefined {
  const text = (process.env[ENV.expiresAt] ?? '').trim();
  if (text === '') {
    return undefined;
  }
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text);
  if (Number.isNaN(ms)) {
    core.warning(`${ENV.expiresAt} is not a date; the token's own expiry is used instead`);
    return undefined;
  }
  return new Date(ms);
}

/**
 * Chooses how to authenticate. A bearer token wins over a refresh token, which wins over an
 * e-mail and password; the e-mail and password stay available for signing in again.
 */
function chooseCredentials(secrets: SecretValues): SessionCredentials {
  const email = withFallback(core.getInput(INPUTS.email), ENV.email)?.trim();
  const clientId = withFallback(core.getInput(INPUTS.clientId), ENV.clientId)?.trim();
  const clientName = core.getInput(INPUTS.clientName) || undefined;
  const { accessToken, refreshToken, password } = secrets;
  if (accessToken === undefined && refreshToken === undefined) {
    if (email === undefined && password === undefined) {
      throw new InvalidOptionError(
        INPUTS.accessToken,
        'no credentials given; set access-token, refresh-token, or email and password, or run ' +
          'rips-login with export-env before this step (secrets are not passed to workflows ' +
          'from forks)',
      );
    }
    if (email === undefined) {
      throw new InvalidOptionError(INPUTS.email, 'a password is given but the e-mail is empty');
    }
    if (password === undefined) {
      throw new InvalidOptionError(
        INPUTS.password,
        'an e-mail is given but the password is empty (secrets are not passed to workflows from forks)',
      );
    }
    if (clientId !== undefined || clientName !== undefined) {
      core.warning(
        'client-id and client-name are ignored: e-mail and password are sent as headers',
      );
    }
    return { type: 'plain', email, password };
  }
  if (clientId !== undefined && clientName !== undefined) {
    core.warning('client-name is ignored because client-id is set');
  }
  const shared = { refreshToken, clientId, clientName, email, password };
  if (accessToken !== undefined) {
    return { type: 'bearer', accessToken, expiresAt: readExpiresAt(), ...shared };
  }
  return { type: 'refresh', ...shared, refreshToken: refreshToken ?? '' };
}

/** Reads the request inputs and checks them against the API base URL. */
function readRequest(apiUrl: URL): RequestSpec {
  const method = parseMethod(core.getInput(INPUTS.method), INPUTS.method);
  const path = core.getInput(INPUTS.path, { required: true });
  const query = parseQuery(core.getInput(INPUTS.query));
  // Resolving now reports a path on another host before any credential is sent.
  resolveRequestUrl(apiUrl, path, query, INPUTS.path);
  const headers = parseHeaders(core.getInput(INPUTS.headers));
  const body = readBody(core.getInput(INPUTS.body), core.getInput(INPUTS.bodyFile));
  const retryUnsafe = core.getBooleanInput(INPUTS.retryUnsafeMethods);
  return { method, path, query, headers, body, retryUnsafe };
}

/**
 * Reads the inputs, with the `RIPS_*` variables as fallbacks, into a checked configuration.
 * Secrets are masked first. Raises {@link InvalidOptionError} naming the input at fault.
 */
export function readConfig(mask: Masker): ActionConfig {
  const secrets = readSecrets(mask);
  const allowInsecureHttp = core.getBooleanInput(INPUTS.allowInsecureHttp);
  const apiUrl = parseApiUrl(withFallback(core.getInput(INPUTS.apiUrl), ENV.apiUrl) ?? '', {
    allowInsecureHttp,
    option: INPUTS.apiUrl,
  });
  const request = readRequest(apiUrl);
  const credentials = chooseCredentials(secrets);
  const outputFile = core.getInput(INPUTS.outputFile);
  return {
    apiUrl,
    allowInsecureHttp,
    request,
    credentials,
    mfaToken: secrets.mfaToken,
    totpSecret: secrets.totpSecret,
    expectedStatus: parseExpectedStatus(core.getInput(INPUTS.expectedStatus)),
    failOnError: core.getBooleanInput(INPUTS.failOnError),
    paginate: core.getBooleanInput(INPUTS.paginate),
    maxPages: parseMaxPages(core.getInput(INPUTS.maxPages)),
    outputFile: outputFile === '' ? undefined : resolve(outputFile),
    maskedFields: parseMaskedFields(core.getMultilineInput(INPUTS.maskJsonFields)),
    timeoutMs:
      parseTimeoutSeconds(core.getInput(INPUTS.timeoutSeconds), INPUTS.timeoutSeconds) * 1000,
    retries: parseRetries(core.getInput(INPUTS.retries), INPUTS.retries),
    tokensFromEnv: secrets.tokensFromEnv,
  };
}
