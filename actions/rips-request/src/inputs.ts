import { readFileSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';

import * as core from '@actions/core';
import {
  InvalidOptionError,
  normalizeCredential,
  parseApiUrl,
  parseMethod,
  parseRetries,
  parseTimeoutSeconds,
  resolveRequestUrl,
  type HttpMethod,
  type QueryParams,
  type SessionCredentials,
} from '@rips-actions/auth-core';

import type { Masker } from './mask.js';
import { ENV, INPUTS } from './names.js';
import {
  jsonError,
  parseExpectedStatus,
  parseHeaders,
  parseMaskedFields,
  parseMaxPages,
  parseQuery,
  type ExpectedStatus,
} from './parsers.js';

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

/** Returns the input, else the variable when the input is blank, else undefined. */
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
 * Visible ASCII without spaces, a superset of the RFC 6750 `b64token` of bearer tokens, for
 * tokens sent in a header. A line break or non-ASCII text there fails the request in the HTTP
 * client, and a server may read a token with a space as no token at all.
 */
const HEADER_TOKEN = /^[\x21-\x7e]+$/;

/** RFC 6749 `VSCHAR` (visible ASCII and space), the characters of a refresh token. */
const BODY_TOKEN = /^[\x20-\x7e]+$/;

/** Rejects a token with characters that no token contains, without quoting the token. */
function checkToken(
  option: string,
  variable: string,
  token: string | undefined,
  allowed: RegExp,
): void {
  if (token !== undefined && !allowed.test(token)) {
    throw new InvalidOptionError(
      option,
      `the token contains spaces, line breaks, control characters or non-ASCII text, which no ` +
        `token contains; check the secret behind ${option} or ${variable}`,
    );
  }
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
  checkToken(INPUTS.accessToken, ENV.accessToken, accessToken, HEADER_TOKEN);
  checkToken(INPUTS.refreshToken, ENV.refreshToken, refreshToken, BODY_TOKEN);
  checkToken(INPUTS.mfaToken, ENV.mfaToken, mfaToken, HEADER_TOKEN);
  const tokensFromEnv =
    (accessToken !== undefined && accessInput.trim() === '') ||
    (refreshToken !== undefined && refreshInput.trim() === '');
  return { accessToken, refreshToken, mfaToken, password, totpSecret, tokensFromEnv };
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
          'rips-login with export-env: true earlier in the job so that the RIPS_* variables are ' +
          'set (secrets are not passed to workflows from forks)',
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
  const apiUrlText = withFallback(core.getInput(INPUTS.apiUrl), ENV.apiUrl);
  if (apiUrlText === undefined) {
    throw new InvalidOptionError(
      INPUTS.apiUrl,
      `the API base URL is missing; set ${INPUTS.apiUrl}, or run rips-login with export-env: ` +
        `true earlier in the job so that ${ENV.apiUrl} is set`,
    );
  }
  const apiUrl = parseApiUrl(apiUrlText, { allowInsecureHttp, option: INPUTS.apiUrl });
  const request = readRequest(apiUrl);
  const credentials = chooseCredentials(secrets);
  const outputFile = parseOutputFile(core.getInput(INPUTS.outputFile));
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
    outputFile,
    maskedFields: parseMaskedFields(core.getMultilineInput(INPUTS.maskJsonFields)),
    timeoutMs:
      parseTimeoutSeconds(core.getInput(INPUTS.timeoutSeconds), INPUTS.timeoutSeconds) * 1000,
    retries: parseRetries(core.getInput(INPUTS.retries), INPUTS.retries),
    tokensFromEnv: secrets.tokensFromEnv,
  };
}

/**
 * Resolves the `output-file` input and checks, before any request is sent, that the body can be
 * written there: the path must not be a directory, and its parent must be a directory or not
 * exist yet (it is created).
 */
export function parseOutputFile(value: string): string | undefined {
  if (value === '') {
    return undefined;
  }
  const path = resolve(value);
  const parent = statIfPresent(dirname(path));
  if (parent !== undefined && !parent.isDirectory()) {
    throw new InvalidOptionError(
      INPUTS.outputFile,
      `${dirname(path)} is not a directory, so ${path} cannot be written; choose another path`,
    );
  }
  if (statIfPresent(path)?.isDirectory() === true) {
    throw new InvalidOptionError(
      INPUTS.outputFile,
      `${path} is a directory; expected a file path, such as ${resolve(path, 'response.json')}`,
    );
  }
  return path;
}

/** Returns the file's status, or undefined when it or a folder on its path does not exist. */
function statIfPresent(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (error: unknown) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      return undefined;
    }
    throw error;
  }
}
