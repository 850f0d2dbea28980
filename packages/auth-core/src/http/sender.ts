import type { ResolvedConfig } from '../config.js';
import {
  AbortedError,
  NetworkError,
  RipsAuthError,
  TimeoutError,
  type RipsAuthErrorOptions,
} from '../errors.js';
import {
  Cancellation,
  cancellableTransportOf,
  type CancellableRequest,
  type CancellableTransport,
  type TransportResponse,
} from './transport.js';

/**
 * When a request may be sent again after a failure.
 * - `safe`: network errors, 408, 429 and 5xx (idempotent methods, or a caller that allows it).
 * - `sign-in`: only when the request cannot have reached the server (connection refused, DNS)
 *   or the server asked for a retry (429, or 503 with `Retry-After`).
 * - `never`: one attempt (a caller's POST, or a request that carries an MFA code).
 */
export type RetryPolicy = 'safe' | 'sign-in' | 'never';

/** One request as the session layer builds it. */
export interface SendRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: Uint8Array | undefined;
  retry: RetryPolicy;
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
}

/** The final response to a {@link SendRequest}. */
export interface SendResult extends TransportResponse {
  url: URL;
  durationMs: number;
  attempts: number;
  /** Set when a retry was allowed but the wait from `Retry-After` passed the deadline. */
  retryDeclined?: RetryDeclined;
}

/** A retry that was not made because the server asked for a wait longer than the time left. */
export interface RetryDeclined {
  /** The wait that `Retry-After` requested, in milliseconds. */
  retryAfterMs: number;
  /** The time left before the deadline, in milliseconds. */
  remainingMs: number;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 10_000;

/**
 * Parses a `Retry-After` value (RFC 9110 §10.2.3), a number of seconds or an HTTP date, into
 * the wait in milliseconds. A date is compared with `nowMs`, preferably the server's clock, and
 * one in the past gives 0. An empty or malformed value gives undefined.
 *
 * @example
 * ```ts
 * parseRetryAfter('12', Date.now()); // 12000
 * parseRetryAfter('Thu, 01 Jan 2026 00:01:00 GMT', Date.UTC(2026, 0, 1)); // 60000
 * ```
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined || value.trim() === '') {
    return undefined;
  }
  const text = value.trim();
  if (/^\d+$/.test(text)) {
    return Number(text) * 1000;
  }
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

function shouldRetryStatus(policy: RetryPolicy, response: TransportResponse): boolean {
  const status = response.status;
  switch (policy) {
    case 'never':
      return false;
    case 'sign-in':
      return status === 429 || (status === 503 && response.headers['retry-after'] !== undefined);
    case 'safe':
      return status === 408 || status === 429 || status >= 500;
  }
}

function shouldRetryError(policy: RetryPolicy, error: unknown): boolean {
  if (!(error instanceof NetworkError)) {
    return false;
  }
  switch (policy) {
    case 'never':
      return false;
    case 'sign-in':
      return !error.mayHaveReachedServer;
    case 'safe':
      return true;
  }
}

/**
 * Sends requests with a total deadline, retries with exponential backoff and jitter, same-origin
 * redirects and an estimate of the server's clock from the `Date` header.
 */
export class HttpSender {
  /** Server clock minus local clock in milliseconds, from the latest `Date` header. */
  private serverOffsetMs: number | undefined;

  /** The sending function of the default transport, when `config.transport` is one. */
  private readonly cancellable: CancellableTransport | undefined;

  constructor(readonly config: ResolvedConfig) {
    this.cancellable = cancellableTransportOf(config.transport);
  }

  /** Returns the estimated server time in milliseconds, or local time before any response. */
  serverNow(): number {
    return this.config.clock.now() + (this.serverOffsetMs ?? 0);
  }

  /** Server clock minus local clock in milliseconds, once a response carried a `Date` header. */
  get clockOffsetMs(): number | undefined {
    return this.serverOffsetMs;
  }

  async send(request: SendRequest): Promise<SendResult> {
    const { clock, logger } = this.config;
    const timeoutMs = request.timeoutMs ?? this.config.timeoutMs;
    const started = clock.now();
    const deadline = started + timeoutMs;
    const maxAttempts = this.config.retries + 1;
    const path = request.url.pathname;
    for (let attempt = 1; ; attempt++) {
      let outcome: TransportResponse & { url: URL };
      let retryDeclined: RetryDeclined | undefined;
      try {
        outcome = await this.followRedirects(request, deadline, timeoutMs);
      } catch (error: unknown) {
        const delay = this.backoffMs(attempt);
        if (
          attempt < maxAttempts &&
          shouldRetryError(request.retry, error) &&
          clock.now() + delay < deadline
        ) {
          const cause = error instanceof NetworkError ? (error.errno ?? 'network error') : 'error';
          logger.info(
            `${request.method} ${path}: ${cause}; retrying in ${formatSeconds(delay)} (attempt ${attempt + 1} of ${maxAttempts})`,
          );
          await this.wait(delay, request.signal);
          continue;
        }
        throw error;
      }
      if (attempt < maxAttempts && shouldRetryStatus(request.retry, outcome)) {
        const retryAfter = parseRetryAfter(outcome.headers['retry-after'], this.serverNow());
        const delay = retryAfter ?? this.backoffMs(attempt);
        if (clock.now() + delay < deadline) {
          logger.info(
            `${request.method} ${path}: status ${outcome.status}; retrying in ${formatSeconds(delay)} (attempt ${attempt + 1} of ${maxAttempts})`,
          );
          await this.wait(delay, request.signal);
          continue;
        }
        logger.debug(
          `${request.method} ${path}: status ${outcome.status}; no retry because the wait of ${formatSeconds(delay)} passes the deadline`,
        );
        if (retryAfter !== undefined) {
          retryDeclined = {
            retryAfterMs: retryAfter,
            remainingMs: Math.max(0, deadline - clock.now()),
          };
        }
      }
      const durationMs = clock.now() - started;
      logger.debug(`${request.method} ${path}: status ${outcome.status} in ${durationMs} ms`);
      return {
        ...outcome,
        durationMs,
        attempts: attempt,
        ...(retryDeclined === undefined ? {} : { retryDeclined }),
      };
    }
  }

  /** Exponential backoff with jitter: half the base delay fixed, half random. */
  private backoffMs(attempt: number): number {
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + (ceiling / 2) * this.config.random());
  }

  private async wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
    try {
      await this.config.sleep(ms, signal);
    } catch (error: unknown) {
      if (signal?.aborted === true) {
        throw new AbortedError('The request was cancelled', { cause: error });
      }
      throw error;
    }
  }

  /** Sends one attempt, following redirects that stay on the API's origin. */
  private async followRedirects(
    request: SendRequest,
    deadline: number,
    timeoutMs: number,
  ): Promise<TransportResponse & { url: URL }> {
    let url = request.url;
    let method = request.method;
    let body = request.body;
    for (let hop = 0; ; hop++) {
      const response = await this.exchange(method, url, request, body, deadline, timeoutMs);
      const location = response.headers.location;
      if (
        !REDIRECT_STATUSES.has(response.status) ||
        location === undefined ||
        hop >= MAX_REDIRECTS
      ) {
        return { ...response, url };
      }
      const target = new URL(location, url);
      if (target.origin !== this.config.apiUrl.origin) {
        // Credentials are per request and would follow the redirect, so a redirect that leaves
        // the API's origin is returned to the caller instead of followed.
        this.config.logger.debug(
          `${method} ${url.pathname}: not following a redirect to ${target.origin}, another origin`,
        );
        return { ...response, url };
      }
      if (
        response.status === 303 ||
        ((response.status === 301 || response.status === 302) && method !== 'HEAD')
      ) {
        method = method === 'HEAD' ? 'HEAD' : 'GET';
        body = undefined;
      }
      url = target;
    }
  }

  private async exchange(
    method: string,
    url: URL,
    request: SendRequest,
    body: Uint8Array | undefined,
    deadline: number,
    timeoutMs: number,
  ): Promise<TransportResponse> {
    const { config } = this;
    const context: RipsAuthErrorOptions = { method, path: url.pathname };
    if (request.signal?.aborted === true) {
      throw new AbortedError(`${method} ${url.pathname} was cancelled`, context);
    }
    const remaining = deadline - config.clock.now();
    if (remaining <= 0) {
      throw new TimeoutError(
        `${method} ${url.pathname} timed out after ${timeoutMs} ms`,
        timeoutMs,
        context,
      );
    }
    const cancel = new Cancellation();
    const timer = setTimeout(() => cancel.abort(new DeadlineReached()), remaining);
    const callerSignal = request.signal;
    const onCallerAbort =
      callerSignal === undefined ? undefined : (): void => cancel.abort(new CallerAborted());
    if (onCallerAbort !== undefined) {
      callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
    }
    const exchangeRequest: CancellableRequest = {
      method,
      url,
      headers: { ...request.headers, 'user-agent': config.userAgent },
      body,
      maxResponseBytes: config.maxResponseBytes,
    };
    try {
      const response = await this.transmit(exchangeRequest, cancel);
      this.observeDate(response.headers.date);
      return response;
    } catch (error: unknown) {
      if (cancel.aborted) {
        if (cancel.reason instanceof CallerAborted) {
          throw new AbortedError(`${method} ${url.pathname} was cancelled`, {
            ...context,
            cause: error,
          });
        }
        throw new TimeoutError(
          `${method} ${url.pathname} timed out after ${timeoutMs} ms`,
          timeoutMs,
          {
            ...context,
            cause: error,
          },
        );
      }
      if (error instanceof RipsAuthError) {
        throw error;
      }
      throw new NetworkError(
        `${method} ${url.pathname} failed: ${error instanceof Error ? error.message : String(error)}`,
        { mayHaveReachedServer: true },
        { ...context, cause: error },
      );
    } finally {
      clearTimeout(timer);
      if (onCallerAbort !== undefined) {
        callerSignal?.removeEventListener('abort', onCallerAbort);
      }
    }
  }

  /**
   * Hands one exchange to the transport. The default transport is cancelled directly, and any
   * other transport gets an `AbortSignal` that follows `cancel`, as {@link Transport} requires.
   */
  private transmit(request: CancellableRequest, cancel: Cancellation): Promise<TransportResponse> {
    if (this.cancellable !== undefined) {
      return this.cancellable(request, cancel);
    }
    const controller = new AbortController();
    cancel.onAbort((reason) => controller.abort(reason));
    return this.config.transport({ ...request, signal: controller.signal });
  }

  /**
   * Updates the server clock estimate. `Date` has whole seconds, so the server's time lies in
   * [Date, Date + 1 s) and the middle of that interval is taken.
   */
  private observeDate(date: string | undefined): void {
    if (date === undefined) {
      return;
    }
    const serverMs = Date.parse(date);
    if (!Number.isNaN(serverMs)) {
      this.serverOffsetMs = serverMs + 500 - this.config.clock.now();
    }
  }
}

class DeadlineReached extends Error {}
class CallerAborted extends Error {}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
