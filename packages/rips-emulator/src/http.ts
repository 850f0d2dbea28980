import type { IncomingMessage, ServerResponse } from 'node:http';

import { MAX_BODY_BYTES, MAX_PAGE_SIZE } from './constants.js';
import { ApiError, invalidInput } from './errors.js';

/** A JSON response that a route handler returns. */
export interface JsonResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** A request body, or a marker that it exceeded the size limit and was discarded. */
export type RequestBody = { tooLarge: false; bytes: Buffer } | { tooLarge: true };

/**
 * Reads the whole request body. A body over `maxBytes` is still read to its end and discarded,
 * so the client sees the 413 response instead of a reset connection.
 */
export async function readBody(
  req: IncomingMessage,
  maxBytes = MAX_BODY_BYTES,
): Promise<RequestBody> {
  if (
    req.headers['content-length'] === undefined &&
    req.headers['transfer-encoding'] === undefined
  ) {
    // No body can follow (RFC 9112 §6.3), so the stream is drained without an async iterator.
    req.resume();
    return { tooLarge: false, bytes: Buffer.alloc(0) };
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      tooLarge = true;
      chunks.length = 0;
    } else {
      chunks.push(chunk);
    }
  }
  return tooLarge ? { tooLarge: true } : { tooLarge: false, bytes: Buffer.concat(chunks) };
}

/** Returns a request header's value, or undefined when absent. Node.js lower-cases header names. */
export function getHeader(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Parses a JSON request body. An empty body is `undefined`. Malformed JSON raises 400. */
export function parseJsonBody(bytes: Buffer): unknown {
  if (bytes.length === 0) {
    return undefined;
  }
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    throw new ApiError(400, 'Invalid JSON', { errors: { body: 'malformed JSON' } });
  }
}

let cachedDateSecond = Number.NaN;
let cachedDate = '';

/** Formats an HTTP date (RFC 9110 §5.6.7), reusing the string within one second. */
export function httpDate(nowMs: number): string {
  const second = Math.floor(nowMs / 1000);
  if (second !== cachedDateSecond) {
    cachedDateSecond = second;
    cachedDate = new Date(second * 1000).toUTCString();
  }
  return cachedDate;
}

/** Sends a JSON response with the `Date` header taken from the emulator's clock. */
export function sendJson(
  res: ServerResponse,
  nowMs: number,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = Buffer.from(JSON.stringify(body ?? {}), 'utf8');
  res.writeHead(status, {
    ...headers,
    Date: httpDate(nowMs),
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(payload.length),
  });
  res.end(payload);
}

/** The `limit` and `offset` query parameters of a list endpoint. */
export interface Page {
  limit: number;
  offset: number;
}

function parseNonNegativeInteger(value: string | null, name: string, max?: number): number | null {
  if (value === null) {
    return null;
  }
  if (!/^\d{1,9}$/.test(value) || (max !== undefined && Number(value) > max)) {
    const expected = max === undefined ? 'a non-negative integer' : `an integer from 0 to ${max}`;
    throw invalidInput({ [name]: `expected ${expected}` });
  }
  return Number(value);
}

/** Reads `limit` (at most 500, default 500) and `offset` (default 0) from a query string. */
export function parsePage(query: URLSearchParams): Page {
  return {
    limit: parseNonNegativeInteger(query.get('limit'), 'limit', MAX_PAGE_SIZE) ?? MAX_PAGE_SIZE,
    offset: parseNonNegativeInteger(query.get('offset'), 'offset') ?? 0,
  };
}

/** Cuts one page out of a list and sets `X-API-Pagination-More` to 1 when more items follow. */
export function paginate<T>(items: readonly T[], page: Page): JsonResponse {
  const slice = items.slice(page.offset, page.offset + page.limit);
  const more = page.offset + slice.length < items.length;
  return { status: 200, body: slice, headers: { 'X-API-Pagination-More': more ? '1' : '0' } };
}
