import * as http from 'node:http';
import * as https from 'node:https';
import { Readable } from 'node:stream';

import { HttpClient } from '@actions/http-client';

import { InvalidHeaderError, NetworkError, ResponseTooLargeError } from '../errors.js';

/** One HTTP exchange as auth-core hands it to a {@link Transport}. */
export interface TransportRequest {
  method: string;
  url: URL;
  /** Header names in lower case. Credentials are set here per request, never as defaults. */
  headers: Record<string, string>;
  body: Uint8Array | undefined;
  /** Aborts the exchange when the deadline passes or the caller cancels. */
  signal: AbortSignal;
  /** The transport rejects with {@link ResponseTooLargeError} past this many body bytes. */
  maxResponseBytes: number;
}

/** The response to a {@link TransportRequest}. Redirects are returned, never followed. */
export interface TransportResponse {
  status: number;
  /** Header names in lower case; repeated headers are joined with `, `. */
  headers: Record<string, string>;
  body: Uint8Array;
}

/**
 * Sends one HTTP request. It must not follow redirects or retry, must reject with the signal's
 * reason when the signal aborts, with {@link NetworkError} when the connection fails and with
 * {@link ResponseTooLargeError} past `maxResponseBytes`.
 */
export type Transport = (request: TransportRequest) => Promise<TransportResponse>;

/** System error codes that mean no byte of the request reached the server. */
const NOT_CONNECTED = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EADDRNOTAVAIL',
]);

/**
 * Node.js error codes for a header that `http.request` refuses before it opens a connection.
 * Their messages may quote the value, which can be a credential, so they are never passed on.
 */
const INVALID_HEADER_CODES = new Set(['ERR_INVALID_CHAR', 'ERR_HTTP_INVALID_HEADER_VALUE']);

/** Characters that Node.js accepts in a header value (its `checkInvalidHeaderChar`). */
const INVALID_HEADER_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    typeof error.code === 'string'
    ? error.code
    : undefined;
}

function toInvalidHeaderError(
  error: unknown,
  request: CancellableRequest,
): InvalidHeaderError | undefined {
  if (!INVALID_HEADER_CODES.has(errorCode(error) ?? '')) {
    return undefined;
  }
  const header = Object.entries(request.headers).find(([, value]) =>
    INVALID_HEADER_VALUE.test(value),
  )?.[0];
  const subject = header === undefined ? 'a header value' : `the value of the ${header} header`;
  return new InvalidHeaderError(
    `The request to ${request.url.pathname} was not sent: ${subject} is invalid because it ` +
      'contains a line break or another character that HTTP headers do not allow',
    header,
    { cause: error, method: request.method, path: request.url.pathname },
  );
}

function toNetworkError(error: unknown, url: URL): NetworkError {
  const errno = errorCode(error);
  const reason = errno ?? (error instanceof Error ? error.message : 'unknown error');
  return new NetworkError(
    `Could not complete the request to ${url.origin}: ${reason}`,
    {
      ...(errno === undefined ? {} : { errno }),
      mayHaveReachedServer: !NOT_CONNECTED.has(errno ?? ''),
    },
    { cause: error, path: url.pathname },
  );
}

function flattenHeaders(raw: http.IncomingHttpHeaders): Record<string, string> {
  const headers: Record<string, string> = {};
  // for...in allocates no array of entries. IncomingMessage headers have no inherited
  // enumerable properties, so it visits the same names as Object.entries.
  for (const name in raw) {
    const value = raw[name];
    if (value !== undefined) {
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
  }
  return headers;
}

/**
 * Cancellation of one exchange, with one listener at a time. The sender's deadline and a
 * caller's abort reach the default transport through it, so the hot path creates no
 * `AbortController` and passes no `signal` option to `http.request`. That option's listener
 * setup was the largest item of auth-core's own CPU time per request in a loopback profile.
 */
export class Cancellation {
  aborted = false;
  reason: unknown = undefined;
  private listener: ((reason: unknown) => void) | undefined;

  /** Sets the function called on abort in place of the previous one. Undefined removes it. */
  onAbort(listener: ((reason: unknown) => void) | undefined): void {
    this.listener = listener;
  }

  /** Marks the exchange aborted with `reason` and calls the listener. Later calls do nothing. */
  abort(reason: unknown): void {
    if (this.aborted) {
      return;
    }
    this.aborted = true;
    this.reason = reason;
    const listener = this.listener;
    this.listener = undefined;
    listener?.(reason);
  }
}

/** A {@link TransportRequest} without the signal, whose headers the transport may change. */
export type CancellableRequest = Omit<TransportRequest, 'signal'>;

/** The default transport's sending function, cancelled through a {@link Cancellation}. */
export type CancellableTransport = (
  request: CancellableRequest,
  cancel: Cancellation,
) => Promise<TransportResponse>;

const cancellableTransports = new WeakMap<Transport, CancellableTransport>();

/**
 * Returns the sending function behind a transport made by {@link createHttpTransport}, so that
 * the sender can cancel it without an `AbortSignal`, or undefined for any other transport.
 */
export function cancellableTransportOf(transport: Transport): CancellableTransport | undefined {
  return cancellableTransports.get(transport);
}

/** Reads a response body, stopping with an error once it passes `maxBytes`. */
function readBody(
  request: http.ClientRequest | undefined,
  message: http.IncomingMessage,
  maxBytes: number,
  cancel: Cancellation,
  url: URL,
): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const tooLarge = (): ResponseTooLargeError =>
      new ResponseTooLargeError(
        `The response from ${url.pathname} is larger than the limit of ${maxBytes} bytes`,
        maxBytes,
        {
          path: url.pathname,
          ...(message.statusCode === undefined ? {} : { status: message.statusCode }),
        },
      );
    const abort = (reason: unknown): void => {
      request?.destroy();
      message.destroy();
      reject(reason);
    };
    if (cancel.aborted) {
      abort(cancel.reason);
      return;
    }
    // reject() runs before destroy(), because destroy() emits 'aborted' at once and the first
    // rejection wins. A NetworkError from that handler would be retried and download the body
    // again.
    const declared = Number(message.headers['content-length'] ?? Number.NaN);
    if (declared > maxBytes) {
      cancel.onAbort(undefined);
      reject(tooLarge());
      message.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    cancel.onAbort(abort);
    message.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        cancel.onAbort(undefined);
        reject(tooLarge());
        message.destroy();
        return;
      }
      chunks.push(chunk);
    });
    message.on('end', () => {
      cancel.onAbort(undefined);
      resolve(Buffer.concat(chunks, size));
    });
    message.on('error', (error) => {
      cancel.onAbort(undefined);
      reject(cancel.aborted ? cancel.reason : toNetworkError(error, url));
    });
    message.on('aborted', () => {
      cancel.onAbort(undefined);
      reject(cancel.aborted ? cancel.reason : toNetworkError(new Error('connection reset'), url));
    });
  });
}

/**
 * Wraps `module` for http-client's `requestRaw`, which creates the ClientRequest itself and
 * offers no other way to reach it. An abort of `cancel` destroys the request with the reason, so
 * that `requestRaw` rejects.
 */
function cancellableModule(
  module: typeof http | typeof https,
  cancel: Cancellation,
  onRequest: (request: http.ClientRequest) => void,
): typeof http {
  const request = (
    options: http.RequestOptions,
    callback: (message: http.IncomingMessage) => void,
  ): http.ClientRequest => {
    const created = module.request(options, callback);
    onRequest(created);
    cancel.onAbort((reason) => {
      created.destroy(reason instanceof Error ? reason : new Error('The request was aborted'));
    });
    return created;
  };
  // requestRaw calls only `request` on the module it is given.
  return { request } as unknown as typeof http;
}

/**
 * Creates the default transport over `@actions/http-client`, which routes through the proxy
 * named by `HTTPS_PROXY`/`HTTP_PROXY` unless `NO_PROXY` matches. That client always bypasses
 * the proxy for loopback hosts.
 *
 * The client's own `request` helpers are not used: they follow redirects with credentials,
 * retry on their own and time out only on an idle socket. Each exchange is sent with
 * `requestRaw`, and an abort of the request's signal destroys the request, so that the total
 * deadline closes the socket.
 */
export function createHttpTransport(): Transport {
  // An HttpClient caches one agent for the scheme of its first request, so each scheme gets its
  // own client.
  const clients = new Map<string, HttpClient>();
  const clientFor = (protocol: string): HttpClient => {
    let client = clients.get(protocol);
    if (client === undefined) {
      client = new HttpClient(undefined, [], { allowRedirects: false, allowRetries: false });
      clients.set(protocol, client);
    }
    return client;
  };
  const send: CancellableTransport = async (request, cancel) => {
    const { url } = request;
    if (cancel.aborted) {
      throw cancel.reason;
    }
    const headers: http.OutgoingHttpHeaders = request.headers;
    if (request.body !== undefined) {
      headers['content-length'] = request.body.byteLength;
    }
    const secure = url.protocol === 'https:';
    const client = clientFor(url.protocol);
    let port = Number(url.port);
    if (url.port === '') {
      port = secure ? 443 : 80;
    }
    let sent: http.ClientRequest | undefined;
    const httpModule = cancellableModule(secure ? https : http, cancel, (created) => {
      sent = created;
    });

    const info = {
      parsedUrl: url,
      httpModule,
      options: {
        host: url.hostname.replace(/^\[|\]$/g, ''),
        port,
        path: `${url.pathname}${url.search}`,
        method: request.method,
        headers,
        agent: client.getAgent(url.href),
      } satisfies http.RequestOptions,
    };

    const data = request.body === undefined ? null : Readable.from([Buffer.from(request.body)]);
    let response;
    try {
      response = await client.requestRaw(info, data);
    } catch (error: unknown) {
      cancel.onAbort(undefined);
      if (cancel.aborted) {
        throw cancel.reason;
      }
      throw toInvalidHeaderError(error, request) ?? toNetworkError(error, url);
    }

    const message = response.message;
    const body = await readBody(sent, message, request.maxResponseBytes, cancel, url);
    return { status: message.statusCode ?? 0, headers: flattenHeaders(message.headers), body };
  };
  const transport: Transport = async (request) => {
    const { signal } = request;
    if (signal.aborted) {
      throw signal.reason;
    }
    const cancel = new Cancellation();
    const onAbort = (): void => cancel.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      return await send(
        {
          method: request.method,
          url: request.url,
          headers: { ...request.headers },
          body: request.body,
          maxResponseBytes: request.maxResponseBytes,
        },
        cancel,
      );
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  };
  cancellableTransports.set(transport, send);
  return transport;
}
