import { InvalidOptionError } from './errors.js';
import { resolveInputNames, turnOnHint, type InputNames } from './names.js';

/** The `grant` input: which authentication method to use, or `auto` to choose from the inputs. */
export type GrantOption = 'auto' | 'password' | 'refresh' | 'plain';

/** The authentication method a sign-in actually uses. */
export type AuthMethod = 'password' | 'refresh' | 'plain' | 'bearer';

/** Query parameters; arrays repeat the parameter. */
export type QueryParams = Record<
  string,
  string | number | boolean | readonly (string | number | boolean)[]
>;

/** Default total deadline of one request, in seconds. */
export const DEFAULT_TIMEOUT_SECONDS = 30;
/** Default number of retries after the first attempt. */
export const DEFAULT_RETRIES = 3;
/** Maximum accepted value of the `retries` option. */
export const MAX_RETRIES = 10;
/** Maximum accepted value of the `timeout-seconds` option (one day). */
export const MAX_TIMEOUT_SECONDS = 86_400;

const GRANTS: readonly GrantOption[] = ['auto', 'password', 'refresh', 'plain'];
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** HTTP methods accepted by {@link parseMethod}. */
export type HttpMethod = (typeof METHODS)[number];

/** Header names that carry credentials and are set by auth-core alone. */
const CREDENTIAL_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'x-api-email',
  'x-api-password',
  'x-api-email-enc',
  'x-api-password-enc',
  'x-api-username',
  'x-api-mfa',
]);

/** Header names that the HTTP layer computes itself. */
const TRANSPORT_HEADERS = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
]);

/** RFC 9110 `token` characters, the only ones allowed in a header name. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Cuts a non-secret value for an error message. */
function shorten(value: string, max = 60): string {
  const printable = value.replace(/\p{Cc}/gu, '?');
  return printable.length > max ? `${printable.slice(0, max)}…` : printable;
}

/**
 * Drops one trailing line break (`\n` or `\r\n`), which pasting a secret into a settings page
 * often leaves. Everything else is kept, spaces included, because a password may begin or end
 * with a space.
 *
 * @example
 * ```ts
 * normalizeCredential('s3cret\n'); // 's3cret'
 * normalizeCredential(' s3cret \n\n'); // ' s3cret \n'
 * ```
 */
export function normalizeCredential(value: string): string {
  if (value.endsWith('\r\n')) {
    return value.slice(0, -2);
  }
  if (value.endsWith('\n')) {
    return value.slice(0, -1);
  }
  return value;
}

/** A line break, another control character or a character above U+00FF: no header carries it. */
const NOT_IN_HEADER = /[\p{Cc}\u{100}-\u{10FFFF}]/u;

/**
 * Raises {@link InvalidOptionError} for `option` when a credential contains a character that the
 * HTTP header `header` cannot carry, such as an inner line break left by pasting two lines.
 * Node.js would refuse the request later with an error that names neither the input nor the fix.
 * The message never contains the value.
 */
export function checkHeaderCredential(
  value: string,
  option: string,
  description: string,
  header: string,
): void {
  if (NOT_IN_HEADER.test(value)) {
    throw new InvalidOptionError(
      option,
      `the ${description} contains a line break or another character that the ${header} ` +
        'header cannot carry; set it to the value alone, on one line',
    );
  }
}

/** Returns true for `localhost`, `*.localhost`, 127.0.0.0/8 and `::1`. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    /^127(\.\d{1,3}){3}$/.test(host) ||
    host === '::1' ||
    host === '0:0:0:0:0:0:0:1'
  );
}

/**
 * Validates an API base URL and returns it without a trailing slash. The scheme must be
 * `https:`, or `http:` for a loopback host or when `allowInsecureHttp` is set, because plain
 * HTTP exposes credentials to the network. A path prefix is kept; user info, a query and a
 * fragment are rejected.
 *
 * @example
 * ```ts
 * parseApiUrl('https://rips.example.com/rips-api/').href; // 'https://rips.example.com/rips-api'
 * parseApiUrl('http://ci.example.com'); // throws InvalidOptionError (code INVALID_OPTION)
 * ```
 */
export function parseApiUrl(
  value: string | URL,
  options: {
    allowInsecureHttp?: boolean;
    option?: string;
    /** Names for the messages; `option` wins over `apiUrl`. Default: the action input names. */
    inputNames?: Partial<InputNames>;
  } = {},
): URL {
  const names = resolveInputNames(options.inputNames);
  const option = options.option ?? names.apiUrl;

  const text = String(value).trim();
  if (text === '') {
    throw new InvalidOptionError(option, 'the API base URL is missing');
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch (error: unknown) {
    throw new InvalidOptionError(
      option,
      `expected an absolute http(s) URL such as https://rips.example.com, received "${shorten(text)}"`,
      { cause: error },
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InvalidOptionError(option, `expected an http or https URL, received ${url.protocol}`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new InvalidOptionError(
      option,
      'the URL must not contain user info; pass the e-mail and password as their own inputs',
    );
  }
  if (url.search !== '' || url.hash !== '') {
    throw new InvalidOptionError(option, 'the URL must not contain a query or fragment');
  }
  if (
    url.protocol === 'http:' &&
    !isLoopbackHost(url.hostname) &&
    options.allowInsecureHttp !== true
  ) {
    throw new InvalidOptionError(
      option,
      `plain http:// sends credentials unencrypted to ${url.hostname}; use https:// or ${turnOnHint(names.allowInsecureHttp)}`,
    );
  }
  url.pathname = url.pathname.replace(/\/+$/, '');
  return url;
}

/**
 * Parses the `timeout-seconds` input: a positive number of seconds up to one day. An empty
 * value gives {@link DEFAULT_TIMEOUT_SECONDS}.
 */
export function parseTimeoutSeconds(value: string | undefined, option = 'timeout-seconds'): number {
  const text = (value ?? '').trim();
  if (text === '') {
    return DEFAULT_TIMEOUT_SECONDS;
  }
  const seconds = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
  if (!(seconds > 0 && seconds <= MAX_TIMEOUT_SECONDS)) {
    throw new InvalidOptionError(
      option,
      `expected a number of seconds greater than 0 and at most ${MAX_TIMEOUT_SECONDS}, received "${shorten(text)}"`,
    );
  }
  return seconds;
}

/**
 * Parses the `retries` input: a whole number from 0 to {@link MAX_RETRIES}. An empty value
 * gives {@link DEFAULT_RETRIES}.
 */
export function parseRetries(value: string | undefined, option = 'retries'): number {
  const text = (value ?? '').trim();
  if (text === '') {
    return DEFAULT_RETRIES;
  }
  const retries = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(retries >= 0 && retries <= MAX_RETRIES)) {
    throw new InvalidOptionError(
      option,
      `expected a whole number from 0 to ${MAX_RETRIES}, received "${shorten(text)}"`,
    );
  }
  return retries;
}

/** Parses the `grant` input (case-insensitive). An empty value gives `auto`. */
export function parseGrant(value: string | undefined, option = 'grant'): GrantOption {
  const text = (value ?? '').trim().toLowerCase();
  if (text === '') {
    return 'auto';
  }
  const grant = GRANTS.find((candidate) => candidate === text);
  if (grant === undefined) {
    throw new InvalidOptionError(
      option,
      `expected one of ${GRANTS.join(', ')}, received "${shorten(text)}"`,
    );
  }
  return grant;
}

// GitHub gives no secrets to workflows that a pull request from a fork or Dependabot triggers, so
// an empty credential input there usually means a missing secret, not a missing input.
const MISSING_SECRET_HINT =
  'secrets are not passed to workflows triggered from forks or by Dependabot';

/** Inputs that decide the authentication method. Empty strings count as missing. */
export interface GrantInputs {
  grant: GrantOption;
  email?: string | undefined;
  password?: string | undefined;
  refreshToken?: string | undefined;
  /** Names for the messages. Default: the action input names. */
  inputNames?: Partial<InputNames> | undefined;
}

/**
 * Chooses the authentication method. `auto` picks the refresh grant when a refresh token is
 * given and the password grant otherwise. An explicit grant must have its inputs.
 *
 * @example
 * ```ts
 * chooseGrant({ grant: 'auto', email: 'a@example.com', password: 'pw' }); // 'password'
 * chooseGrant({ grant: 'auto', refreshToken: 'def502…' }); // 'refresh'
 * ```
 */
export function chooseGrant(inputs: GrantInputs): Exclude<AuthMethod, 'bearer'> {
  const hasRefresh = (inputs.refreshToken ?? '') !== '';
  const hasEmail = (inputs.email ?? '') !== '';
  const hasPassword = (inputs.password ?? '') !== '';
  const names = resolveInputNames(inputs.inputNames);
  const requirePassword = (grant: string): void => {
    if (!hasEmail) {
      throw new InvalidOptionError(names.email, `the ${grant} grant needs an e-mail; it is empty`);
    }
    if (!hasPassword) {
      throw new InvalidOptionError(
        names.password,
        `the ${grant} grant needs a password; it is empty (${MISSING_SECRET_HINT})`,
      );
    }
  };
  switch (inputs.grant) {
    case 'refresh':
      if (!hasRefresh) {
        throw new InvalidOptionError(
          names.refreshToken,
          `the refresh grant needs a refresh token; it is empty (${MISSING_SECRET_HINT})`,
        );
      }
      return 'refresh';
    case 'password':
    case 'plain':
      requirePassword(inputs.grant);
      return inputs.grant;
    case 'auto':
      if (hasRefresh) {
        return 'refresh';
      }
      if (!hasEmail && !hasPassword) {
        throw new InvalidOptionError(
          names.grant,
          `auto needs a refresh token, or an e-mail and a password; all are empty (${MISSING_SECRET_HINT})`,
        );
      }
      requirePassword('password');
      return 'password';
  }
}

/** Validates an HTTP method name and returns it in upper case. */
export function parseMethod(value: string | undefined, option = 'method'): HttpMethod {
  const text = (value ?? '').trim().toUpperCase();
  if (text === '') {
    return 'GET';
  }
  const method = METHODS.find((candidate) => candidate === text);
  if (method === undefined) {
    throw new InvalidOptionError(
      option,
      `expected one of ${METHODS.join(', ')}, received "${shorten(text)}"`,
    );
  }
  return method;
}

/**
 * Resolves a request path against the API base URL. The path is relative to the base URL's
 * prefix: `/applications` under `https://host/rips-api` gives
 * `https://host/rips-api/applications`.
 * A full URL is accepted only on the base URL's origin and below its prefix, so that credentials
 * are never sent elsewhere. Dot segments are rejected for the same reason. An empty path, a
 * fragment (`#`), whitespace and control characters are rejected before anything is sent,
 * because the fragment would be dropped silently and the path is logged.
 *
 * @example
 * ```ts
 * resolveRequestUrl(parseApiUrl('https://h/api'), '/applications', { limit: 10 }).href;
 * // 'https://h/api/applications?limit=10'
 * ```
 */
export function resolveRequestUrl(
  apiUrl: URL,
  path: string,
  query: QueryParams | URLSearchParams = {},
  option = 'path',
): URL {
  checkPathCharacters(path, option);
  const base = withoutTrailingSlashes(apiUrl.href);
  const text = path.trim();
  let url: URL;
  if (/^[a-z][a-z0-9+.-]*:/i.test(text) || text.startsWith('//')) {
    url = new URL(text, apiUrl);
    const prefix = new URL(base).pathname.replace(/\/+$/, '');
    if (url.origin !== apiUrl.origin || !`${url.pathname}/`.startsWith(`${prefix}/`)) {
      throw new InvalidOptionError(
        option,
        `expected a path such as /applications, or a URL under ${base}; received a URL of ${url.origin}`,
      );
    }
  } else {
    const relative = text.startsWith('/') ? text : `/${text}`;
    url = new URL(`${base}${relative}`);
  }
  const segments = text.split(/[?#]/)[0]?.split('/') ?? [];
  if (
    segments.some(
      (segment) =>
        segment === '.' ||
        segment === '..' ||
        /^%2e(%2e)?$/i.test(segment) ||
        segment === '.%2e' ||
        segment === '%2e.',
    )
  ) {
    throw new InvalidOptionError(option, 'the path must not contain "." or ".." segments');
  }
  // The hash setter parses the URL again, so it runs only when there is a fragment to drop.
  if (url.href.includes('#')) {
    url.hash = '';
  }
  if (query instanceof URLSearchParams) {
    for (const [name, value] of query) {
      url.searchParams.append(name, value);
    }
  } else {
    appendQuery(url, query);
  }
  return url;
}

/** Control characters and Unicode line separators, which would split a log line. */
const CONTROL_IN_PATH = /[\p{Cc}\u2028\u2029]/u;

/** Raises {@link InvalidOptionError} for a path that is empty or cannot be sent as given. */
function checkPathCharacters(path: string, option: string): void {
  // The path is not quoted in these messages, because a line break in it would split the log.
  if (path.trim() === '') {
    throw new InvalidOptionError(
      option,
      'the path is empty; expected a path such as /applications',
    );
  }
  if (CONTROL_IN_PATH.test(path)) {
    throw new InvalidOptionError(
      option,
      'the path contains a line break or another control character; percent-encode it, for example a line feed as %0A',
    );
  }
  if (/\s/u.test(path.trim())) {
    throw new InvalidOptionError(
      option,
      'the path contains whitespace; percent-encode it, for example a space as %20',
    );
  }
  if (path.includes('#')) {
    throw new InvalidOptionError(
      option,
      'the path contains a fragment (#), which is never sent to the API; remove it, or write %23 for a literal #',
    );
  }
}

/** Appends each query value to the URL in order, with the values of an array one by one. */
function appendQuery(url: URL, query: QueryParams): void {
  for (const [name, value] of Object.entries(query)) {
    const values = Array.isArray(value) ? value : [value];
    for (const item of values as readonly (string | number | boolean)[]) {
      url.searchParams.append(name, String(item));
    }
  }
}

/** Returns `text` without trailing `/` characters, in one pass instead of a regex scan. */
function withoutTrailingSlashes(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0x2f) {
    end--;
  }
  return end === text.length ? text : text.slice(0, end);
}

/**
 * Validates extra request headers and returns them with lower-case names. Credential headers
 * (`Authorization`, `X-API-*` credentials, `X-API-MFA`, `Cookie`) are rejected because auth-core
 * sets them from the credentials, and so are headers the HTTP layer computes (`Host`,
 * `Content-Length`).
 */
export function validateHeaders(
  headers: Record<string, string>,
  option = 'headers',
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.trim().toLowerCase();
    if (!HEADER_NAME.test(lower)) {
      throw new InvalidOptionError(option, `"${shorten(name)}" is not a valid header name`);
    }
    if (CREDENTIAL_HEADERS.has(lower)) {
      throw new InvalidOptionError(
        option,
        `${name} carries credentials and is set by the authentication inputs; remove it`,
      );
    }
    if (TRANSPORT_HEADERS.has(lower)) {
      throw new InvalidOptionError(option, `${name} is set by the HTTP client; remove it`);
    }
    if (/[\r\n\0]/.test(value)) {
      throw new InvalidOptionError(option, `the value of ${name} contains a line break or NUL`);
    }
    result[lower] = value;
  }
  return result;
}

/**
 * Parses header lines of the form `Name: value`, one per line, skipping blank lines, and
 * validates them with {@link validateHeaders}.
 */
export function parseHeaderLines(text: string, option = 'headers'): Record<string, string> {
  const headers: Record<string, string> = {};
  const lines = text.split('\n');
  for (const [index, rawLine] of lines.entries()) {
    const line = rawLine.replace(/\r$/, '');
    if (line.trim() === '') {
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) {
      // The line is not quoted because a malformed line may hold a credential.
      throw new InvalidOptionError(option, `line ${index + 1} is not of the form "Name: value"`);
    }
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return validateHeaders(headers, option);
}

/** Appends an endpoint path such as `/status` to the API base URL, keeping its path prefix. */
export function endpointUrl(apiUrl: URL, path: string): URL {
  return new URL(`${apiUrl.href.replace(/\/+$/, '')}${path}`);
}
