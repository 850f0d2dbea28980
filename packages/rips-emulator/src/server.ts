import { randomBytes } from 'node:crypto';
import {
  createServer,
  STATUS_CODES,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';

import type { CryptoKey, JWK } from 'jose';

import { authKind } from './auth.js';
import {
  DEFAULT_REFRESH_TTL_SECONDS,
  DEFAULT_SCRYPT_COST,
  DEFAULT_TOKEN_TTL_SECONDS,
  MAX_BODY_BYTES,
} from './constants.js';
import { createControlClient, type ControlClient } from './control-client.js';
import { ApiError } from './errors.js';
import { applyFault, FaultStore, faultStatus } from './faults.js';
import { readBody, sendJson, type JsonResponse } from './http.js';
import { hashPassword } from './passwords.js';
import { createLogEntry, RequestLog } from './request-log.js';
import { findRoute, type Route } from './router.js';
import { CONTROL_PREFIX, createControlRoutes } from './routes/control.js';
import { mfaRoutes } from './routes/mfa.js';
import { oauthRoutes } from './routes/oauth.js';
import { resourceRoutes } from './routes/resources.js';
import { EmulatorState } from './state.js';
import { TokenStore } from './tokens.js';
import type { EmulatorOptions, RequestLogEntry } from './types.js';
import { createUserRecords, DEMO_USERS, loadUsersFile, parseUserSeeds } from './users.js';

/** A running emulator. */
export interface Emulator {
  /** Base URL, such as `http://127.0.0.1:40123`. */
  url: string;
  host: string;
  port: number;
  /** Stops accepting requests and closes every open connection. */
  close(): Promise<void>;
  /** Client of the control API. Its calls fail with 404 unless `control` is true. */
  control: ControlClient;
  /** Public key that verifies the RS256 access tokens. */
  publicKey: CryptoKey;
  /** The same public key as a JWK. */
  publicJwk: JWK;
}

const API_ROUTES: readonly Route[] = [...oauthRoutes, ...mfaRoutes, ...resourceRoutes];

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) {
    return fallback;
  }
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new TypeError(`${name}: expected a positive integer, received ${String(value)}`);
  }
  return value;
}

function nonNegativeInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) {
    return fallback;
  }
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new TypeError(`${name}: expected a non-negative integer, received ${String(value)}`);
  }
  return value;
}

/** Writes an unexpected error to stderr. Request data is never part of it. */
function reportInternalError(error: unknown): void {
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`rips-emulator: internal error: ${text}\n`);
}

interface Handler {
  state: EmulatorState;
  faults: FaultStore;
  log: RequestLog;
  controlRoutes: readonly Route[];
}

async function respond(
  handler: Handler,
  req: IncomingMessage,
  res: ServerResponse,
  url: RequestTarget,
  entry: RequestLogEntry | undefined,
): Promise<void> {
  const { state } = handler;
  const method = req.method ?? 'GET';
  const body = await readBody(req, MAX_BODY_BYTES);
  const send = (response: JsonResponse): void => {
    if (entry !== undefined) {
      entry.status = response.status;
    }
    sendJson(res, state.now(), response.status, response.body, response.headers);
  };

  try {
    const isControl = state.settings.control && url.pathname.startsWith(CONTROL_PREFIX);
    const fault = isControl ? undefined : handler.faults.take(method, url.pathname);
    if (fault !== undefined) {
      if (entry !== undefined) {
        entry.faultId = fault.id;
        entry.status = faultStatus(fault.fault);
      }
      if (await applyFault(fault.fault, res, state.now())) {
        return;
      }
    }
    if (body.tooLarge) {
      throw new ApiError(413, 'Request body too large', {
        errors: { body: `at most ${MAX_BODY_BYTES} bytes` },
      });
    }
    const routes = isControl ? handler.controlRoutes : API_ROUTES;
    const { route, params } = findRoute(routes, method, url.pathname);
    send(await route.handler({ state, req, query: url.searchParams, params, body: body.bytes }));
  } catch (error: unknown) {
    if (error instanceof ApiError) {
      send({ status: error.status, body: error.toBody(), headers: error.headers });
    } else {
      reportInternalError(error);
      send({ status: 500, body: { code: 500, message: 'Internal server error' } });
    }
  }
}

/** The path and query of a request target. */
interface RequestTarget {
  pathname: string;
  searchParams: URLSearchParams;
}

/**
 * Splits a request target into path and query without URL parsing, which would read a target
 * such as `//host/path` as a host name and throws on some malformed targets.
 */
function splitTarget(target: string): RequestTarget {
  const queryStart = target.indexOf('?');
  if (queryStart === -1) {
    return { pathname: target, searchParams: new URLSearchParams() };
  }
  return {
    pathname: target.slice(0, queryStart),
    searchParams: new URLSearchParams(target.slice(queryStart + 1)),
  };
}

function createRequestListener(handler: Handler) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    let entry: RequestLogEntry | undefined;
    const { state } = handler;
    const url = splitTarget(req.url ?? '/');
    if (state.settings.control && !url.pathname.startsWith(CONTROL_PREFIX)) {
      entry = createLogEntry(req, url.pathname, url.searchParams, state.now(), authKind(req));
      handler.log.add(entry);
    }
    respond(handler, req, res, url, entry).catch((error: unknown) => {
      // Reached mostly when the client aborts while its body is read, so no response can be sent.
      const reason = error instanceof Error ? error.message : String(error);
      process.stderr.write(
        `rips-emulator: ${req.method ?? 'GET'} ${url.pathname} failed: ${reason}\n`,
      );
      res.destroy();
    });
  };
}

function listen(server: Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** Formats a base URL. IPv6 addresses go in brackets. */
function baseUrl(host: string, port: number): string {
  return host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}

/**
 * Starts an emulator of the RIPS API on `host:port` (127.0.0.1 and a free port by default).
 * Users come from `options.users` or, when absent, the MFA-enabled demo user.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const scryptCost = positiveInteger('scryptCost', options.scryptCost, DEFAULT_SCRYPT_COST);
  if ((scryptCost & (scryptCost - 1)) !== 0 || scryptCost < 2) {
    throw new TypeError(`scryptCost: expected a power of two, received ${scryptCost}`);
  }
  const seeds =
    typeof options.users === 'string'
      ? await loadUsersFile(options.users)
      : parseUserSeeds(options.users ?? DEMO_USERS);
  const tokens = await TokenStore.create({
    tokenTtlSeconds: positiveInteger(
      'tokenTtlSeconds',
      options.tokenTtlSeconds,
      DEFAULT_TOKEN_TTL_SECONDS,
    ),
    refreshTtlSeconds: positiveInteger(
      'refreshTtlSeconds',
      options.refreshTtlSeconds,
      DEFAULT_REFRESH_TTL_SECONDS,
    ),
    issuer: options.issuer,
  });
  const state = new EmulatorState(
    await createUserRecords(seeds, scryptCost),
    tokens,
    {
      clockSkewSteps: nonNegativeInteger('clockSkewSteps', options.clockSkewSteps, 1),
      scryptCost,
      control: options.control === true,
    },
    await hashPassword(randomBytes(16).toString('hex'), scryptCost),
    options.now ?? Date.now,
  );
  const faults = new FaultStore();
  const log = new RequestLog();
  const handler: Handler = { state, faults, log, controlRoutes: createControlRoutes(faults, log) };

  const server = createServer(
    // A client that never finishes its request is cut off after 30 s (Node's default is 300 s).
    { requestTimeout: 30_000, headersTimeout: 10_000 },
    createRequestListener(handler),
  );
  server.on('clientError', answerClientError);
  const host = options.host ?? '127.0.0.1';
  const address = await listen(server, host, nonNegativeInteger('port', options.port, 0));
  const url = baseUrl(host, address.port);

  return {
    url,
    host,
    port: address.port,
    control: createControlClient(url),
    publicKey: tokens.publicKey,
    publicJwk: tokens.publicJwk,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      }),
  };
}

/**
 * Responds to a request that Node's parser rejected (headers over the size limit, malformed request
 * line) with a JSON error body like every other error, then closes the connection.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const [status, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request header fields too large']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request timeout']
        : [400, 'Bad request'];
  const body = JSON.stringify({ code: status, message });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}
