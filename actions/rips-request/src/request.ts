import * as core from '@actions/core';
import {
  InvalidOptionError,
  Session,
  type ApiResponse,
  type QueryParams,
} from '@rips-actions/auth-core';

import type { ActionConfig } from './inputs.js';
import type { ExpectedStatus } from './parsers.js';
import type { Masker } from './mask.js';

/** `User-Agent` product token of this action. */
export const USER_AGENT = 'rips-request/0.1.0';

/** Response header that is `1` when a list has more items after this page. */
const MORE_HEADER = 'x-api-pagination-more';

/** The final response of a request, with all pages combined when pagination is on. */
export interface RequestOutcome {
  status: number;
  /** Headers of the last page, names in lower case. */
  headers: Record<string, string>;
  /** The body as text; with pagination, the items of all pages as one JSON array. */
  text: string;
  /** The parsed body when it is JSON, else undefined. */
  json: unknown;
  pages: number;
  /** Time spent on all pages, retries included, in milliseconds. */
  durationMs: number;
  /** Whether the status is one of `expected-status`. */
  expected: boolean;
}

/** Creates the auth-core session for the configured credentials. */
export function createSession(config: ActionConfig, mask: Masker): Session {
  return new Session({
    apiUrl: config.apiUrl,
    allowInsecureHttp: config.allowInsecureHttp,
    credentials: config.credentials,
    mfaToken: config.mfaToken,
    totpSecret: config.totpSecret,
    timeoutMs: config.timeoutMs,
    retries: config.retries,
    userAgent: USER_AGENT,
    onSecret: mask,
    logger: { debug: core.debug, info: core.info, warning: core.warning },
  });
}

/** Returns whether a status is one of the expected codes or classes. */
export function isExpectedStatus(status: number, expected: ExpectedStatus): boolean {
  return expected.codes.includes(status) || expected.classes.includes(Math.floor(status / 100));
}

/** Returns the request path without its query string, which the logs and the summary leave out. */
export function pathWithoutQuery(config: ActionConfig): string {
  return config.request.path.split('?')[0] ?? '';
}

function logResponse(config: ActionConfig, response: ApiResponse, page?: number): void {
  const method = config.request.method;
  const path = pathWithoutQuery(config);
  const where = page === undefined ? '' : ` (page ${page})`;
  // With debug logging on, auth-core already logs this line for every request it sends.
  if (!core.isDebug()) {
    core.info(`${method} ${path}${where}: status ${response.status} in ${response.durationMs} ms`);
  }
  if (response.attempts > 1) {
    core.debug(`${method} ${path}${where} took ${response.attempts} attempts`);
  }
}

async function send(session: Session, config: ActionConfig, query: QueryParams) {
  const { method, path, headers, body, retryUnsafe } = config.request;
  return session.request({
    method,
    path,
    query,
    headers,
    retryUnsafe,
    ...(body === undefined ? {} : { body }),
  });
}

/** Sends the request once, without pagination. */
async function sendOnce(session: Session, config: ActionConfig): Promise<RequestOutcome> {
  const response = await send(session, config, config.request.query);
  logResponse(config, response);
  return {
    status: response.status,
    headers: response.headers,
    text: response.text,
    json: response.json,
    pages: 1,
    durationMs: response.durationMs,
    expected: isExpectedStatus(response.status, config.expectedStatus),
  };
}

/** Reads the `offset` query parameter where pagination starts; 0 when absent. */
function startOffset(query: QueryParams): number {
  const value = query['offset'];
  const text = Array.isArray(value) ? undefined : String(value ?? '0');
  if (text === undefined || !/^\d+$/.test(text)) {
    throw new InvalidOptionError('query', 'with paginate, offset must be a whole number');
  }
  return Number(text);
}

/**
 * Follows `limit`/`offset` pagination while the API sends `X-API-Pagination-More: 1`, up to
 * `max-pages` pages, and combines the items of all pages into one array. A page with an
 * unexpected status ends the loop and becomes the outcome.
 */
async function sendPages(session: Session, config: ActionConfig): Promise<RequestOutcome> {
  const method = config.request.method;
  const path = pathWithoutQuery(config);
  const items: unknown[] = [];
  let offset = startOffset(config.request.query);
  let durationMs = 0;
  for (let page = 1; ; page++) {
    const response = await send(session, config, { ...config.request.query, offset });
    logResponse(config, response, page);
    durationMs += response.durationMs;
    const outcome = { status: response.status, headers: response.headers, pages: page };
    if (!isExpectedStatus(response.status, config.expectedStatus)) {
      return { ...outcome, text: response.text, json: response.json, durationMs, expected: false };
    }
    if (!Array.isArray(response.json)) {
      throw new InvalidOptionError(
        'paginate',
        `${method} ${path} returned a body that is not a JSON array on page ${page}; ` +
          'pagination needs a list endpoint such as /applications',
      );
    }
    items.push(...(response.json as unknown[]));
    const more = response.headers[MORE_HEADER] === '1';
    const done = (): RequestOutcome => ({
      ...outcome,
      text: JSON.stringify(items),
      json: items,
      durationMs,
      expected: true,
    });
    if (!more) {
      return done();
    }
    if (response.json.length === 0) {
      core.warning(`${method} ${path}: page ${page} was empty but announced more items; stopped`);
      return done();
    }
    if (page >= config.maxPages) {
      core.warning(
        `${method} ${path}: stopped after max-pages (${config.maxPages}) pages while the API ` +
          'announced more items; raise max-pages to fetch the rest',
      );
      return done();
    }
    offset += response.json.length;
  }
}

/** Sends the configured request, following pagination when `paginate` is true. */
export async function sendRequest(session: Session, config: ActionConfig): Promise<RequestOutcome> {
  return config.paginate ? sendPages(session, config) : sendOnce(session, config);
}
