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
  request: TransportRequest,
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
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined) {
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
  }
  return headers;
}

/** Reads a response body, stopping with an error once it passes `maxBytes`. */
function readBody(
  message: http.IncomingMessage,
  maxBytes: number,
  signal: AbortSignal,
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
    // reject() runs before destroy(), because destroy() emits 'aborted' at once and the first
    // rejection wins. A NetworkError from that handler would be retried and download the body
    // again.
    const declared = Number(message.headers['content-length'] ?? Number.NaN);
    if (declared > maxBytes) {
      reject(tooLarge());
      message.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onAbort = (): void => {
      message.destroy();
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    message.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        signal.removeEventListener('abort', onAbort);
        reject(tooLarge());
        message.destroy();
        return;
      }
      chunks.push(chunk);
    });
    message.on('end', () => {
      signal.removeEventListener('abort', onAbort);
      resolve(Buffer.concat(chunks));
    });
    message.on('error', (error) => {
      signal.removeEventListener('abort', onAbort);
      reject(signal.aborted ? signal.reason : toNetworkError(error, url));
    });
    message.on('aborted', () => {
      signal.removeEventListener('abort', onAbort);
      reject(signal.aborted ? signal.reason : toNetworkError(new Error('connection reset'), url));
    });
  });
}

/**
 * Creates the default transport over `@actions/http-client`, which routes through the proxy
 * named by `HTTPS_PROXY`/`HTTP_PROXY` unless `NO_PROXY` matches. That client always bypasses
 * the proxy for loopback hosts.
 *
 * The client's own `request` helpers are not used: they follow redirects with credentials,
 * retry on their own and time out only on an idle socket. Each exchange is sent with
 * `requestRaw`, carrying the abort signal so that the total deadline closes the socket.
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
  return async (request) => {
    const { url, signal } = request;
    if (signal.aborted) {
      throw signal.reason;
    }
    const headers: http.OutgoingHttpHeaders = { ...request.headers };
    if (request.body !== undefined) {
      headers['content-length'] = request.body.byteLength;
    }
    const secure = url.protocol === 'https:';
    const client = clientFor(url.protocol);
    let port = Number(url.port);
    if (url.port === '') {
      port = secure ? 443 : 80;
    }
    const info = {
      parsedUrl: url,
      httpModule: secure ? https : http,
      options: {
        host: url.hostname.replace(/^\[|\]$/g, ''),
        port,
        path: `${url.pathname}${url.search}`,
        method: request.method,
        headers,
        agent: client.getAgent(url.href),
        signal,
      } satisfies http.RequestOptions,
    };
    const data = request.body === undefined ? null : Readable.from([Buffer.from(request.body)]);
    let response;
    try {
      response = await client.requestRaw(info, data);
    } catch (error: unknown) {
      if (signal.aborted) {
        throw signal.reason;
      }
      throw toInvalidHeaderError(error, request) ?? toNetworkError(error, url);
    }
    const message = response.message;
    const body = await readBody(message, request.maxResponseBytes, signal, url);
    return { status: message.statusCode ?? 0, headers: flattenHeaders(message.headers), body };
  };
}
