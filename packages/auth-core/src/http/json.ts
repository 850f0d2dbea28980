import { HttpError, JsonTooDeepError, ResponseNotJsonError } from '../errors.js';
import { escapeControlCharacters } from '../text.js';
import type { SendResult } from './sender.js';

/** The parts of a response that the error helpers read. */
export type ResponseView = Pick<SendResult, 'status' | 'headers' | 'body' | 'url'> &
  Partial<Pick<SendResult, 'retryDeclined'>>;

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
 * Maximum nesting depth of arrays and objects in a parsed body. V8 parses deeper JSON, but code
 * that walks the value recursively, such as `JSON.stringify` or a masking pass, then overflows
 * the stack. Real API responses stay far below this depth.
 */
export const MAX_JSON_DEPTH = 512;

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

/** How far into a body to look for an HTML title or a first non-empty line. */
const EXCERPT_SCAN_BYTES = 4096;

/**
 * Returns what an error message quotes of a body: the title of an HTML page (a proxy's error
 * page starts with a doctype that carries no information), else the first non-empty line, cut
 * short. It returns '' when the body must not be quoted.
 */
function excerptOf(result: ResponseView): string {
  return quotedPart(result)?.text ?? '';
}

function quotedPart(result: ResponseView): { kind: 'title' | 'start'; text: string } | undefined {
  if (result.body.byteLength === 0 || !mayQuoteBody(result)) {
    return undefined;
  }
  const start = Buffer.from(result.body.subarray(0, EXCERPT_SCAN_BYTES)).toString('utf8');
  const title = /<title[^>]*>([^<]*)<\/title>/i.exec(start)?.[1]?.trim();
  if (title !== undefined && title !== '') {
    return { kind: 'title', text: cut(title, MAX_EXCERPT) };
  }
  const firstLine = start.split(/\r\n|\r|\n/).find((line) => line.trim() !== '') ?? '';
  return { kind: 'start', text: cut(firstLine, MAX_EXCERPT) };
}

/**
 * Describes a body for an error message. It quotes at most an HTML title or the start of the
 * first non-empty line, and only for an error response of an endpoint that issues no
 * credentials.
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
  const part = quotedPart(result);
  if (part === undefined) {
    return `${size} (the body is not shown because it may contain a credential)`;
  }
  return part.kind === 'title'
    ? `${size} titled "${part.text}"`
    : `${size} starting "${part.text}"`;
}

/** The outcome of {@link parseJsonText}. */
export type JsonParseResult =
  { kind: 'json'; value: unknown } | { kind: 'invalid' } | { kind: 'too-deep' };

/** Returns true when arrays and objects in valid JSON `text` nest deeper than `maxDepth`. */
function nestsDeeperThan(text: string, maxDepth: number): boolean {
  // A depth of d needs d opening brackets, so shorter texts need no scan.
  if (text.length <= maxDepth) {
    return false;
  }
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const character = text.charCodeAt(index);
    if (inString) {
      if (character === 0x5c) {
        index++; // skips the escaped character, which may be a quote
      } else if (character === 0x22) {
        inString = false;
      }
    } else if (character === 0x22) {
      inString = true;
    } else if (character === 0x5b || character === 0x7b) {
      depth++;
      if (depth > maxDepth) {
        return true;
      }
    } else if (character === 0x5d || character === 0x7d) {
      depth--;
    }
  }
  return false;
}

/**
 * Parses a JSON body. The parser's error is dropped on purpose: in Node.js 20 the message of a
 * `SyntaxError` quotes part of the input, which may be a credential. A `RangeError` (stack
 * overflow) and JSON nested deeper than {@link MAX_JSON_DEPTH} give `too-deep`.
 */
export function parseJsonText(body: Uint8Array): JsonParseResult {
  if (body.byteLength === 0) {
    return { kind: 'invalid' };
  }
  const text = Buffer.from(body).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (error: unknown) {
    return error instanceof RangeError ? { kind: 'too-deep' } : { kind: 'invalid' };
  }
  return nestsDeeperThan(text, MAX_JSON_DEPTH) ? { kind: 'too-deep' } : { kind: 'json', value };
}

/** Parses a JSON body, or returns undefined when it is empty, not JSON or nested too deeply. */
export function tryParseJson(body: Uint8Array): unknown {
  const parsed = parseJsonText(body);
  return parsed.kind === 'json' ? parsed.value : undefined;
}

function tooDeepError(result: ResponseView, method: string, operation: string): JsonTooDeepError {
  const path = result.url.pathname;
  return new JsonTooDeepError(
    `${operation}: the JSON body from ${method} ${path} is nested too deeply, with more than ` +
      `${MAX_JSON_DEPTH} levels of arrays and objects (status ${result.status})`,
    MAX_JSON_DEPTH,
    { method, path, status: result.status },
  );
}

/**
 * Parses a body that may or may not be JSON: returns the value, or undefined when the body is
 * not JSON. Raises {@link JsonTooDeepError} for JSON nested too
 * deeply, because callers walk the value recursively.
 */
export function parseOptionalJsonBody(
  result: ResponseView,
  method: string,
  operation: string,
): unknown {
  const parsed = parseJsonText(result.body);
  if (parsed.kind === 'too-deep') {
    throw tooDeepError(result, method, operation);
  }
  return parsed.kind === 'json' ? parsed.value : undefined;
}

/**
 * Parses a JSON body that the operation needs. Raises {@link JsonTooDeepError} for JSON nested
 * too deeply and {@link ResponseNotJsonError} for any other body that is not JSON. Neither
 * error carries the parser's error as its cause.
 */
export function parseJsonBody(result: ResponseView, method: string, operation: string): unknown {
  const parsed = parseJsonText(result.body);
  if (parsed.kind === 'too-deep') {
    throw tooDeepError(result, method, operation);
  }
  if (parsed.kind === 'invalid') {
    throw new ResponseNotJsonError(
      `${operation}: expected a JSON body from ${method} ${result.url.pathname}, received status ${result.status} with ${describeBody(result)}`,
      excerptOf(result),
      { method, path: result.url.pathname, status: result.status },
    );
  }
  return parsed.value;
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

/** Explains a retry that the sender gave up because `Retry-After` passed the deadline. */
function declinedRetryNote(result: ResponseView): string {
  const declined = result.retryDeclined;
  if (declined === undefined) {
    return '';
  }
  const wait = Math.ceil(declined.retryAfterMs / 1000);
  const left = Math.floor(declined.remainingMs / 1000);
  return (
    `; no retry was made because the API asked to wait ${wait} s (Retry-After), longer than the ` +
    `${left} s left before the request's deadline (timeout-seconds)`
  );
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
    `${operation} failed: ${method} ${result.url.pathname} returned status ${result.status}${detail}${declinedRetryNote(result)}`,
    details,
    { method, path: result.url.pathname, status: result.status },
  );
}
