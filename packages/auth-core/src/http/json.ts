import { HttpError, ResponseNotJsonError } from '../errors.js';
import { escapeControlCharacters } from '../text.js';
import type { SendResult } from './sender.js';

/** The parts of a response that the error helpers read. */
export type ResponseView = Pick<SendResult, 'status' | 'headers' | 'body' | 'url'>;

/** Fields of a RIPS or OAuth error body. */
export interface ApiErrorBody {
  code?: number | string;
  message?: string;
  error?: string;
  errorDescription?: string;
}

const MAX_EXCERPT = 80;
const MAX_API_MESSAGE = 200;
const MAX_CONTENT_TYPE = 60;

/**
 * Endpoints whose responses carry new credentials: tokens, MFA tokens and secrets, and OAuth
 * client secrets. Their bodies are never quoted, whatever the status.
 */
const CREDENTIAL_ENDPOINT = /\/(oauth\/v2\/auth\/tokens|oauth\/v2\/clients|mfas)(\/|$)/;

function cut(text: string, max: number): string {
  const printable = text.replace(/[\p{Cc}\u2028\u2029]+/gu, ' ').trim();
  return printable.length > max ? `${printable.slice(0, max)}…` : printable;
}

/**
 * Returns true when an error message may quote the start of the body. A 2xx body may carry a
 * credential in any field, and so may any body of a credential endpoint. What remains is an
 * error response of another endpoint, such as a proxy's HTML error page.
 */
function mayQuoteBody(result: ResponseView): boolean {
  const success = result.status >= 200 && result.status < 300;
  return !success && !CREDENTIAL_ENDPOINT.test(result.url.pathname);
}

/** Returns the first line of the body, cut short, or '' when the body must not be quoted. */
function excerptOf(result: ResponseView): string {
  if (result.body.byteLength === 0 || !mayQuoteBody(result)) {
    return '';
  }
  const firstLine =
    Buffer.from(result.body)
      .toString('utf8')
      .split(/\r\n|\r|\n/)[0] ?? '';
  return cut(firstLine, MAX_EXCERPT);
}

/**
 * Describes a body for an error message. It quotes at most the start of the first line, and
 * only for an error response of an endpoint that issues no credentials.
 */
export function describeBody(result: ResponseView): string {
  if (result.body.byteLength === 0) {
    return 'an empty body';
  }
  const type = cut(
    escapeControlCharacters(result.headers['content-type'] ?? 'no content type'),
    MAX_CONTENT_TYPE,
  );
  const size = `${result.body.byteLength} bytes of ${type}`;
  if (!mayQuoteBody(result)) {
    return `${size} (the body is not shown because it may contain a credential)`;
  }
  return `${size} starting "${excerptOf(result)}"`;
}

/**
 * Parses a JSON body, or returns undefined when it is empty or not JSON. The parser's error is
 * dropped on purpose: in Node.js 20 the message of a `SyntaxError` quotes part of the input,
 * which may be a credential.
 */
export function tryParseJson(body: Uint8Array): unknown {
  if (body.byteLength === 0) {
    return undefined;
  }
  try {
    return JSON.parse(Buffer.from(body).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Parses a JSON body that the operation needs, raising {@link ResponseNotJsonError} otherwise.
 * The error never carries the parser's error as its cause.
 */
export function parseJsonBody(result: ResponseView, method: string, operation: string): unknown {
  const parsed = tryParseJson(result.body);
  if (parsed === undefined) {
    throw new ResponseNotJsonError(
      `${operation}: expected a JSON body from ${method} ${result.url.pathname}, received status ${result.status} with ${describeBody(result)}`,
      excerptOf(result),
      { method, path: result.url.pathname, status: result.status },
    );
  }
  return parsed;
}

/** Returns true when `value` is a plain object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads the RIPS (`code`, `message`) and OAuth (`error`, `error_description`) error fields. */
export function readErrorBody(result: ResponseView): ApiErrorBody {
  const parsed = tryParseJson(result.body);
  if (!isRecord(parsed)) {
    return {};
  }
  const body: ApiErrorBody = {};
  if (typeof parsed.code === 'number' || typeof parsed.code === 'string') {
    body.code = parsed.code;
  }
  if (typeof parsed.message === 'string') {
    body.message = cut(parsed.message, MAX_API_MESSAGE);
  }
  if (typeof parsed.error === 'string') {
    body.error = cut(parsed.error, MAX_API_MESSAGE);
  }
  if (typeof parsed.error_description === 'string') {
    body.errorDescription = cut(parsed.error_description, MAX_API_MESSAGE);
  }
  return body;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Returns the origin that a redirect response points to when it is not the origin of the
 * request. Only the origin is named, because the path or query of the target may carry a token.
 */
function crossOriginTarget(result: ResponseView): string | undefined {
  const location = result.headers.location;
  if (!REDIRECT_STATUSES.has(result.status) || location === undefined) {
    return undefined;
  }
  try {
    const target = new URL(location, result.url);
    return target.origin === result.url.origin ? undefined : target.origin;
  } catch {
    return undefined;
  }
}

/**
 * Builds the {@link HttpError} for a response the operation does not accept. The message names
 * the operation, the request, the status and the API's message, or a short excerpt of a body
 * that is not JSON. For a redirect to another origin, which the sender returns instead of
 * following, it names that origin.
 */
export function httpErrorFrom(result: ResponseView, method: string, operation: string): HttpError {
  const body = readErrorBody(result);
  const apiMessage = body.message ?? body.errorDescription;
  const redirectOrigin = crossOriginTarget(result);
  const detail =
    redirectOrigin !== undefined
      ? `, a redirect to another origin (${redirectOrigin}); it was not followed because ` +
        'credentials are not sent across origins, so check that the API base URL is the ' +
        'address the API is served from'
      : apiMessage !== undefined
        ? `: ${apiMessage}`
        : tryParseJson(result.body) === undefined
          ? ` with ${describeBody(result)}`
          : '';
  const details: { apiCode?: number | string; apiMessage?: string; oauthError?: string } = {};
  if (body.code !== undefined) details.apiCode = body.code;
  if (apiMessage !== undefined) details.apiMessage = apiMessage;
  if (body.error !== undefined) details.oauthError = body.error;
  return new HttpError(
    `${operation} failed: ${method} ${result.url.pathname} returned status ${result.status}${detail}`,
    details,
    { method, path: result.url.pathname, status: result.status },
  );
}
