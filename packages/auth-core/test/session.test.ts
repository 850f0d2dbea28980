import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import {
  createHttpTransport,
  InvalidHeaderError,
  login,
  RipsAuthError,
  Session,
  type LoginResult,
  type SessionOptions,
  type TokenSet,
  type Transport,
} from '../src/index.js';
import { ALICE, DEMO, resetTestBed, startTestBed, type TestBed } from './helpers.js';

/** Lifetime of the emulator's access tokens: 28 days. */
const TOKEN_LIFETIME_MS = 2_419_200_000;

let bed: TestBed;
let ciClientId: string;

beforeAll(async () => {
  bed = await startTestBed();
  const response = await fetch(`${bed.emulator.url}/oauth/v2/global/clients`);
  ciClientId = ((await response.json()) as Record<string, string>).ci ?? '';
});
afterAll(async () => bed.close());
beforeEach(async () => resetTestBed(bed));

async function signIn(user: typeof DEMO | typeof ALICE = DEMO): Promise<LoginResult> {
  const result = await login({ ...bed.options(), ...user, clientId: ciClientId });
  await bed.emulator.control.clearRequests();
  bed.logger.messages.length = 0;
  return result;
}

function bearerSession(result: LoginResult, extra: Partial<SessionOptions> = {}): Session {
  return new Session({
    ...bed.options(),
    credentials: {
      type: 'bearer',
      accessToken: result.accessToken ?? '',
      refreshToken: result.refreshToken,
      clientId: ciClientId,
    },
    mfaToken: result.mfaToken,
    ...extra,
  });
}

/**
 * A bearer session given the expiry on the local clock as well, the way rips-request passes
 * it, so that the session can refresh ahead of expiry before any response.
 */
function datedBearerSession(result: LoginResult): Session {
  return new Session({
    ...bed.options(),
    credentials: {
      type: 'bearer',
      accessToken: result.accessToken ?? '',
      refreshToken: result.refreshToken,
      expiresAt: result.expiresAt,
      clientId: ciClientId,
    },
    mfaToken: result.mfaToken,
  });
}

async function failure(promise: Promise<unknown>): Promise<RipsAuthError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(RipsAuthError);
  return error as RipsAuthError;
}

function count(lines: string[], line: string): number {
  return lines.filter((entry) => entry === line).length;
}

describe('Session requests', () => {
  it('sends a bearer request with the MFA token', async () => {
    const session = bearerSession(await signIn());
    const response = await session.request({ path: '/applications', query: { limit: 5 } });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(Array.isArray(response.json)).toBe(true);
    expect(response.text).toBe(JSON.stringify(response.json));
    expect(response.url.pathname).toBe('/applications');
    expect(response.attempts).toBe(1);
    const [entry] = await bed.requests();
    expect(entry?.headers).toEqual(expect.arrayContaining(['authorization', 'x-api-mfa']));
    expect(entry?.query).toEqual({ limit: '5' });
    expect(session.refreshed).toBe(false);
  });

  it('returns error answers without raising', async () => {
    const session = bearerSession(await signIn());
    const response = await session.request({ path: '/applications/999999' });
    expect(response.status).toBe(404);
    expect(response.json).toMatchObject({ code: 404 });
  });

  it('sends a JSON body and returns the created object', async () => {
    const session = bearerSession(await signIn());
    const response = await session.request({
      method: 'post',
      path: '/applications',
      json: { application: { name: 'web' } },
    });
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ name: 'web' });
  });

  it('validates the request before sending it', async () => {
    const session = bearerSession(await signIn());
    const other = await failure(session.request({ path: 'https://evil.example.com/applications' }));
    expect(other.code).toBe('INVALID_OPTION');
    expect(other.message).toBe(
      `path: expected a path such as /applications, or a URL under ${bed.emulator.url}; received a URL of https://evil.example.com`,
    );
    const header = await failure(
      session.request({ path: '/applications', headers: { Authorization: 'Bearer x' } }),
    );
    expect(header.message).toBe(
      'headers: Authorization carries credentials and is set by the authentication inputs; remove it',
    );
    const method = await failure(session.request({ method: 'TRACE', path: '/applications' }));
    expect(method.message).toBe(
      'method: expected one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, received "TRACE"',
    );
    expect(await bed.requests()).toEqual([]);
  });

  it('reads the status and the user', async () => {
    const session = bearerSession(await signIn());
    const status = await session.status();
    expect(status.version).toMatch(/^3\./);
    expect(status.user).toEqual({
      id: 1,
      email: DEMO.email,
      roles: expect.any(Array),
      mfaEnabled: true,
    });
  });
});

describe('Session token renewal', () => {
  it('shares one refresh among 50 concurrent requests that find the token expired', async () => {
    const tokens: TokenSet[] = [];
    const session = bearerSession(await signIn(), { onTokens: (set) => tokens.push(set) });
    await bed.emulator.control.expireUser(DEMO.email);
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => session.request({ path: '/applications' })),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(50).fill(200));
    const lines = await bed.requestLines();
    expect(count(lines, 'POST /oauth/v2/auth/tokens 200')).toBe(1);
    expect(count(lines, 'GET /applications 401')).toBe(50);
    expect(count(lines, 'GET /applications 200')).toBe(50);
    expect(lines).toHaveLength(101);
    expect(tokens).toHaveLength(1);
    expect(session.refreshed).toBe(true);
    expect(session.tokens?.accessToken).toBe(tokens[0]?.accessToken);
    expect(bed.logger.messages).toContain('info: The access token expired; refreshing it');
  });

  it('keeps a shared refresh alive when the request that started it aborts', async () => {
    const inner = createHttpTransport();
    const starter = new AbortController();
    let starterExpired!: () => void;
    let otherExpired!: () => void;
    const starterSeen = new Promise<void>((resolve) => (starterExpired = resolve));
    const otherSeen = new Promise<void>((resolve) => (otherExpired = resolve));
    const transport: Transport = async (request) => {
      const id = request.headers['x-request-id'];
      // The second request is sent while the refresh started by the first one is running.
      if (id === 'other') await starterSeen;
      if (request.url.pathname === '/oauth/v2/auth/tokens') {
        await otherSeen;
        starter.abort();
      }
      const response = await inner(request);
      if (response.status === 401 && id === 'starter') starterExpired();
      if (response.status === 401 && id === 'other') otherExpired();
      return response;
    };
    const session = bearerSession(await signIn(), { transport });
    await bed.emulator.control.expireUser(DEMO.email);

    const [started, other] = await Promise.allSettled([
      session.request({
        path: '/applications',
        headers: { 'x-request-id': 'starter' },
        signal: starter.signal,
      }),
      session.request({ path: '/applications', headers: { 'x-request-id': 'other' } }),
    ]);

    expect(started.status).toBe('rejected');
    const error = started.status === 'rejected' ? (started.reason as RipsAuthError) : undefined;
    expect(error?.code).toBe('ABORTED');
    expect(error?.message).toBe('Waiting for the token renewal was cancelled');
    expect(other.status === 'fulfilled' ? other.value.status : other.reason).toBe(200);
    const lines = await bed.requestLines();
    expect(count(lines, 'POST /oauth/v2/auth/tokens 200')).toBe(1);
    expect(count(lines, 'GET /applications 200')).toBe(1);
    expect(session.refreshed).toBe(true);
  });

  it('cancels a shared refresh once every waiter aborts', async () => {
    const inner = createHttpTransport();
    const controller = new AbortController();
    let tokenSignal: AbortSignal | undefined;
    const transport: Transport = async (request) => {
      if (request.url.pathname === '/oauth/v2/auth/tokens') {
        tokenSignal = request.signal;
        controller.abort();
      }
      return inner(request);
    };
    const session = bearerSession(await signIn(), { transport });
    await bed.emulator.control.expireUser(DEMO.email);

    const error = await failure(
      session.request({ path: '/applications', signal: controller.signal }),
    );
    expect(error.code).toBe('ABORTED');
    expect(tokenSignal?.aborted).toBe(true);
    expect(session.refreshed).toBe(false);
  });

  it('refreshes once when the new token is expired too', async () => {
    const inner = createHttpTransport();
    const session = bearerSession(await signIn(), {
      transport: async (request) => {
        if (request.url.pathname !== '/applications') return inner(request);
        return { status: 401, headers: { 'x-api-expired': '1' }, body: Buffer.from('{}') };
      },
    });
    const error = await failure(session.request({ path: '/applications' }));
    expect(error.code).toBe('TOKEN_EXPIRED');
    expect(error.message).toBe(
      'The API reports the access token as expired right after renewing it',
    );
    expect(await bed.requestLines()).toEqual(['POST /oauth/v2/auth/tokens 200']);
  });

  it('refreshes ahead of expiry without a 401', async () => {
    const session = datedBearerSession(await signIn());
    bed.clock.ms += 2_419_200_000 - 30_000;
    expect((await session.request({ path: '/applications' })).status).toBe(200);
    expect(await bed.requestLines()).toEqual([
      'POST /oauth/v2/auth/tokens 200',
      'GET /applications 200',
    ]);
    expect(bed.logger.messages).toContain('info: The access token expires soon; refreshing it');
  });

  it('shares one early renewal among concurrent requests', async () => {
    const session = datedBearerSession(await signIn());
    bed.clock.ms += 2_419_200_000 - 30_000;
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => session.request({ path: '/applications' })),
    );
    expect(responses.every((response) => response.status === 200)).toBe(true);
    const lines = await bed.requestLines();
    expect(count(lines, 'POST /oauth/v2/auth/tokens 200')).toBe(1);
    expect(count(lines, 'GET /applications 200')).toBe(20);
    expect(lines).toHaveLength(21);
  });

  it('keeps using a valid token when early renewal fails', async () => {
    const session = datedBearerSession(await signIn());
    bed.clock.ms += 2_419_200_000 - 30_000;
    await bed.emulator.control.addFault({
      path: '/oauth/v2/auth/tokens',
      kind: 'status',
      status: 500,
    });
    expect((await session.request({ path: '/applications' })).status).toBe(200);
    expect(await bed.requestLines()).toEqual([
      'POST /oauth/v2/auth/tokens 500',
      'GET /applications 200',
    ]);
    expect(bed.logger.messages).toContain(
      'warning: Could not renew the access token before it expires (HTTP_ERROR); using it until then',
    );
    expect(session.refreshed).toBe(false);
  });

  it('keeps a given token that expires soon only by the local clock', async () => {
    const session = bearerSession(await signIn());
    // The token has 240 s left on the server clock, which is 300 s behind the local clock, so
    // by the JWT exp read on the local clock it expired 60 s ago.
    bed.clock.ms += TOKEN_LIFETIME_MS + 60_000;
    await bed.emulator.control.setClockOffset(-300);
    await bed.emulator.control.clearRequests();

    expect((await session.request({ path: '/applications' })).status).toBe(200);
    expect(await bed.requestLines()).toEqual(['GET /applications 200']);
    expect(session.refreshed).toBe(false);
  });

  it('refreshes a given token ahead once the clock offset is known', async () => {
    const session = bearerSession(await signIn());
    bed.clock.ms += TOKEN_LIFETIME_MS + 60_000;
    await bed.emulator.control.setClockOffset(-300);
    await bed.emulator.control.clearRequests();
    await session.request({ path: '/applications' });
    // 40 s left on the server clock: inside the 60 s refresh-ahead margin.
    bed.clock.ms += 200_000;

    expect((await session.request({ path: '/applications' })).status).toBe(200);
    expect(await bed.requestLines()).toEqual([
      'GET /applications 200',
      'POST /oauth/v2/auth/tokens 200',
      'GET /applications 200',
    ]);
    expect(bed.logger.messages).toContain('info: The access token expires soon; refreshing it');
    expect(session.refreshed).toBe(true);
  });

  it('resends a request revoked by a concurrent refresh', async () => {
    const inner = createHttpTransport();
    let refreshDone!: () => void;
    const refreshed = new Promise<void>((resolve) => (refreshDone = resolve));
    const transport: Transport = async (request) => {
      // The held request reaches the API with the old token after the refresh rotated it.
      if (request.headers['x-request-id'] === 'held') await refreshed;
      const response = await inner(request);
      if (request.url.pathname === '/oauth/v2/auth/tokens') refreshDone();
      return response;
    };
    const result = await signIn();
    // An access and a refresh token without a password, as rips-request passes them.
    const session = new Session({
      ...bed.options(),
      credentials: {
        type: 'bearer',
        accessToken: result.accessToken ?? '',
        refreshToken: result.refreshToken,
        clientId: ciClientId,
      },
      mfaToken: result.mfaToken,
      transport,
    });
    await bed.emulator.control.expireUser(DEMO.email);

    const [first, held] = await Promise.all([
      session.request({ path: '/applications' }),
      session.request({ path: '/applications', headers: { 'x-request-id': 'held' } }),
    ]);

    expect(first.status).toBe(200);
    expect(held.status).toBe(200);
    const lines = await bed.requestLines();
    expect(count(lines, 'POST /oauth/v2/auth/tokens 200')).toBe(1);
    expect(count(lines, 'GET /applications 401')).toBe(2);
    expect(count(lines, 'GET /applications 200')).toBe(2);
    expect(lines).toHaveLength(5);
    expect(session.refreshed).toBe(true);
  });

  it('reports the new tokens before returning them', async () => {
    const session = bearerSession(await signIn());
    await bed.emulator.control.expireUser(DEMO.email);
    bed.secrets.length = 0;
    await session.request({ path: '/applications' });
    const tokens = session.tokens;
    expect(bed.secrets).toEqual([
      tokens?.accessToken,
      `Bearer ${tokens?.accessToken}`,
      tokens?.refreshToken,
    ]);
  });

  it('fails with TOKEN_EXPIRED without a refresh token or password', async () => {
    const result = await signIn();
    const session = new Session({
      ...bed.options(),
      credentials: { type: 'bearer', accessToken: result.accessToken ?? '' },
      mfaToken: result.mfaToken,
    });
    await bed.emulator.control.expireUser(DEMO.email);
    const error = await failure(session.request({ path: '/applications' }));
    expect(error.code).toBe('TOKEN_EXPIRED');
    expect(error.message).toBe(
      'The access token expired and neither a refresh token nor a password was given to renew it',
    );
  });

  it('renews an expired token with the password', async () => {
    const result = await signIn();
    const session = new Session({
      ...bed.options(),
      credentials: {
        type: 'bearer',
        accessToken: result.accessToken ?? '',
        clientId: ciClientId,
        email: DEMO.email,
        password: DEMO.password,
      },
      mfaToken: result.mfaToken,
    });
    await bed.emulator.control.expireUser(DEMO.email);
    expect((await session.request({ path: '/applications' })).status).toBe(200);
    expect(await bed.requestLines()).toEqual([
      'GET /applications 401',
      'POST /oauth/v2/auth/tokens 200',
      'GET /applications 200',
    ]);
  });

  it('signs in again on X-API-Revoked when it holds a password', async () => {
    const result = await signIn();
    const session = bearerSession(result, {
      credentials: {
        type: 'bearer',
        accessToken: result.accessToken ?? '',
        refreshToken: result.refreshToken,
        clientId: ciClientId,
        email: DEMO.email,
        password: DEMO.password,
      },
    });
    await bed.emulator.control.revokeUser(DEMO.email);
    expect((await session.request({ path: '/applications' })).status).toBe(200);
    expect(session.refreshed).toBe(true);
    expect(await bed.requestLines()).toEqual([
      'GET /applications 401',
      'POST /oauth/v2/auth/tokens 200',
      'GET /applications 200',
    ]);
    expect(bed.logger.messages).toContain(
      'info: The access token was revoked; signing in again with the e-mail and password',
    );
  });

  it('fails with TOKEN_REVOKED when it holds no password', async () => {
    const session = bearerSession(await signIn());
    await bed.emulator.control.revokeUser(DEMO.email);
    const error = await failure(session.request({ path: '/applications' }));
    expect(error.code).toBe('TOKEN_REVOKED');
    expect(error.message).toBe(
      'The access token was revoked and no password was given to sign in again; run the login again',
    );
    expect(error.status).toBe(401);
    expect(await bed.requestLines()).toEqual(['GET /applications 401']);
  });

  it('reports tokens replaced by another refresh as revoked', async () => {
    const result = await signIn(ALICE);
    await login({ ...bed.options(), refreshToken: result.refreshToken, clientId: ciClientId });
    const session = bearerSession(result);
    await bed.emulator.control.clearRequests();
    const error = await failure(session.request({ path: '/applications' }));
    // The refresh revoked the access token as well, so the API reports it revoked.
    expect(error.code).toBe('TOKEN_REVOKED');
  });

  it('falls back to the password when the refresh token is rejected', async () => {
    const result = await signIn(ALICE);
    const session = new Session({
      ...bed.options(),
      credentials: {
        type: 'bearer',
        accessToken: result.accessToken ?? '',
        refreshToken: 'def50200spent',
        clientId: ciClientId,
        email: ALICE.email,
        password: ALICE.password,
      },
    });
    await bed.emulator.control.expireUser(ALICE.email);
    expect((await session.request({ path: '/applications' })).status).toBe(200);
    expect(await bed.requestLines()).toEqual([
      'GET /applications 401',
      'POST /oauth/v2/auth/tokens 401',
      'POST /oauth/v2/auth/tokens 200',
      'GET /applications 200',
    ]);
  });

  it('raises REFRESH_REJECTED from a request when no password is held', async () => {
    const result = await signIn(ALICE);
    const session = new Session({
      ...bed.options(),
      credentials: {
        type: 'bearer',
        accessToken: result.accessToken ?? '',
        refreshToken: 'def50200spent',
        clientId: ciClientId,
      },
    });
    await bed.emulator.control.expireUser(ALICE.email);
    const error = await failure(session.request({ path: '/applications' }));
    expect(error.code).toBe('REFRESH_REJECTED');
  });
});

describe('Session sign-in on demand', () => {
  it('signs in and obtains MFA on demand', async () => {
    const mfaTokens: string[] = [];
    const session = new Session({
      ...bed.options(),
      credentials: { type: 'password', ...{ email: DEMO.email, password: DEMO.password } },
      totpSecret: DEMO.totpSecret,
      onMfaToken: (token) => mfaTokens.push(token),
    });
    expect((await session.request({ path: '/applications' })).status).toBe(200);
    expect(await bed.requestLines()).toEqual([
      'GET /oauth/v2/global/clients 200',
      'POST /oauth/v2/auth/tokens 200',
      'GET /applications 401',
      'POST /mfas/token 200',
      'GET /applications 200',
    ]);
    expect(mfaTokens).toEqual([session.mfaToken]);
    expect(session.clientId).toBe(ciClientId);
  });

  it('shares one sign-in and one MFA token among concurrent first requests', async () => {
    const session = new Session({
      ...bed.options(),
      credentials: {
        type: 'password',
        email: DEMO.email,
        password: DEMO.password,
        clientId: ciClientId,
      },
      totpSecret: DEMO.totpSecret,
    });
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => session.request({ path: '/applications' })),
    );
    expect(responses.every((response) => response.status === 200)).toBe(true);
    const lines = await bed.requestLines();
    expect(count(lines, 'POST /oauth/v2/auth/tokens 200')).toBe(1);
    expect(count(lines, 'POST /mfas/token 200')).toBe(1);
  });

  it('sends plain headers on every request', async () => {
    const session = new Session({
      ...bed.options(),
      credentials: { type: 'plain', email: ALICE.email, password: ALICE.password },
    });
    await session.request({ path: '/applications' });
    await session.request({ path: '/applications' });
    const requests = await bed.requests();
    expect(requests.map((entry) => entry.auth)).toEqual(['plain', 'plain']);
  });

  it('fails with MFA_REQUIRED for plain headers without MFA inputs', async () => {
    const session = new Session({
      ...bed.options(),
      credentials: { type: 'plain', email: DEMO.email, password: DEMO.password },
    });
    const error = await failure(session.request({ path: '/applications' }));
    expect(error.code).toBe('MFA_REQUIRED');
  });

  it('rejects a blank password before sending', async () => {
    expect(
      () =>
        new Session({
          ...bed.options(),
          credentials: { type: 'password', email: DEMO.email, password: '\n' },
        }),
    ).toThrow('password: the password method needs a password; it is empty');
  });
});

describe('Session header values', () => {
  it('rejects an access token with a line break before sending', async () => {
    const error = (() => {
      try {
        new Session({
          ...bed.options(),
          credentials: { type: 'bearer', accessToken: 'header.payload\nsignature' },
        });
      } catch (caught: unknown) {
        return caught as RipsAuthError;
      }
      return undefined;
    })();
    expect(error?.code).toBe('INVALID_OPTION');
    expect(error?.message).toBe(
      'access-token: the access token contains a line break or another character that the ' +
        'Authorization header cannot carry; set it to the value alone, on one line',
    );
  });

  it('rejects an MFA token with a control character in useMfaToken', async () => {
    const session = bearerSession(await signIn());
    expect(() => session.useMfaToken('abc\u0000def')).toThrow(
      /^mfa-token: the MFA token contains a line break/,
    );
    expect(session.mfaToken).not.toBe('abc\u0000def');
  });

  it('raises INVALID_HEADER for a header Node.js refuses, without retrying', async () => {
    const session = bearerSession(await signIn(), { retries: 3 });
    const error = await failure(
      session.request({ path: '/applications', headers: { 'x-trace': 'one\u0001two' } }),
    );
    expect(error).toBeInstanceOf(InvalidHeaderError);
    expect(error).toMatchObject({ code: 'INVALID_HEADER', header: 'x-trace', method: 'GET' });
    expect(error.message).toBe(
      'The request to /applications was not sent: the value of the x-trace header is invalid ' +
        'because it contains a line break or another character that HTTP headers do not allow',
    );
    expect(error.message).not.toContain('one');
    expect(bed.sleeps).toEqual([]);
    expect(await bed.requestLines()).toEqual([]);
  });
});

describe('Session transport failures', () => {
  it('retries a GET on 503 and records every attempt', async () => {
    const session = bearerSession(await signIn());
    await bed.emulator.control.addFault({
      path: '/applications',
      kind: 'status',
      status: 503,
      times: 2,
    });
    const response = await session.request({ path: '/applications' });
    expect(response.status).toBe(200);
    expect(response.attempts).toBe(3);
    expect(await bed.requestLines()).toEqual([
      'GET /applications 503',
      'GET /applications 503',
      'GET /applications 200',
    ]);
    expect(bed.sleeps).toEqual([375, 750]);
  });

  it('does not retry a POST unless allowed', async () => {
    const session = bearerSession(await signIn());
    await bed.emulator.control.addFault({
      method: 'POST',
      path: '/applications',
      kind: 'status',
      status: 503,
    });
    const response = await session.request({
      method: 'POST',
      path: '/applications',
      json: { application: { name: 'x' } },
    });
    expect(response.status).toBe(503);
    expect(await bed.requestLines()).toEqual(['POST /applications 503']);
  });

  it('retries a POST when the caller allows it', async () => {
    const session = bearerSession(await signIn());
    await bed.emulator.control.addFault({
      method: 'POST',
      path: '/applications',
      kind: 'status',
      status: 503,
    });
    const response = await session.request({
      method: 'POST',
      path: '/applications',
      json: { application: { name: 'x' } },
      retryUnsafe: true,
    });
    expect(response.status).toBe(200);
    expect(await bed.requestLines()).toEqual(['POST /applications 503', 'POST /applications 200']);
  });

  it('honours Retry-After on 429', async () => {
    const session = bearerSession(await signIn());
    await bed.emulator.control.addFault({
      path: '/applications',
      kind: 'status',
      status: 429,
      retryAfter: 3,
    });
    expect((await session.request({ path: '/applications' })).status).toBe(200);
    expect(bed.sleeps).toEqual([3000]);
  });

  it('retries the token request on 429 and on 503 with Retry-After only', async () => {
    await bed.emulator.control.addFault({
      path: '/oauth/v2/auth/tokens',
      kind: 'status',
      status: 429,
    });
    await bed.emulator.control.addFault({
      path: '/oauth/v2/auth/tokens',
      kind: 'status',
      status: 503,
      retryAfter: 1,
    });
    await bed.emulator.control.addFault({
      path: '/oauth/v2/auth/tokens',
      kind: 'status',
      status: 503,
    });
    const error = await failure(login({ ...bed.options(), ...ALICE, clientId: ciClientId }));
    expect(error.code).toBe('HTTP_ERROR');
    expect(error.status).toBe(503);
    expect(await bed.requestLines()).toEqual([
      'POST /oauth/v2/auth/tokens 429',
      'POST /oauth/v2/auth/tokens 503',
      'POST /oauth/v2/auth/tokens 503',
    ]);
  });

  it('does not retry the token request on 500', async () => {
    await bed.emulator.control.addFault({
      path: '/oauth/v2/auth/tokens',
      kind: 'status',
      status: 500,
    });
    const error = await failure(login({ ...bed.options(), ...ALICE, clientId: ciClientId }));
    expect(error.code).toBe('HTTP_ERROR');
    expect(error.message).toMatch(
      /^The token request failed: POST \/oauth\/v2\/auth\/tokens returned status 500/,
    );
    expect(await bed.requestLines()).toEqual(['POST /oauth/v2/auth/tokens 500']);
  });

  it('raises TIMEOUT when the answer is late', async () => {
    const session = bearerSession(await signIn(), { timeoutMs: 200, retries: 0 });
    await bed.emulator.control.addFault({ path: '/applications', kind: 'delay', ms: 1000 });
    const error = await failure(session.request({ path: '/applications' }));
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toBe('GET /applications timed out after 200 ms');
  });

  it('raises ABORTED when the caller aborts', async () => {
    const session = bearerSession(await signIn());
    await bed.emulator.control.addFault({ path: '/applications', kind: 'delay', ms: 2000 });
    const controller = new AbortController();
    const pending = session.request({ path: '/applications', signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const error = await failure(pending);
    expect(error.code).toBe('ABORTED');
    expect(error.message).toBe('GET /applications was cancelled');
  });

  it('raises RESPONSE_TOO_LARGE past the size limit', async () => {
    const session = bearerSession(await signIn(), { maxResponseBytes: 1024 * 1024 });
    await bed.emulator.control.addFault({ path: '/applications', kind: 'large', mib: 2 });
    const error = await failure(session.request({ path: '/applications' }));
    expect(error.code).toBe('RESPONSE_TOO_LARGE');
    expect(error.message).toBe(
      'The response from /applications is larger than the limit of 1048576 bytes',
    );
  });

  it('raises RESPONSE_TOO_LARGE once for a chunked body past the limit', async () => {
    let requests = 0;
    const server = createHttpServer((_request, response) => {
      requests += 1;
      // No Content-Length: the body is sent chunked until the client closes the connection.
      response.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const write = (): void => {
        while (response.write(chunk)) {
          if (response.destroyed) return;
        }
        response.once('drain', write);
      };
      write();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = address !== null && typeof address !== 'string' ? address.port : 0;
    try {
      const session = new Session({
        ...bed.options(),
        apiUrl: `http://127.0.0.1:${port}`,
        credentials: { type: 'plain', email: ALICE.email, password: ALICE.password },
        maxResponseBytes: 1024 * 1024,
        retries: 2,
      });
      const error = await failure(session.request({ path: '/applications' }));
      expect(error.code).toBe('RESPONSE_TOO_LARGE');
      expect(error.message).toBe(
        'The response from /applications is larger than the limit of 1048576 bytes',
      );
      expect(requests).toBe(1);
      expect(bed.sleeps).toEqual([]);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('returns an HTML error page as text', async () => {
    const session = bearerSession(await signIn());
    await bed.emulator.control.addFault({
      path: '/applications',
      kind: 'html',
      status: 502,
      times: 4,
    });
    const response = await session.request({ path: '/applications', timeoutMs: 60_000 });
    expect(response.status).toBe(502);
    expect(response.json).toBeUndefined();
    expect(response.text).toMatch(/<html/i);
  });

  it('raises RESPONSE_NOT_JSON when the status body is not JSON', async () => {
    const session = bearerSession(await signIn());
    await bed.emulator.control.addFault({ path: '/status', kind: 'truncated-json', status: 200 });
    const error = await failure(session.status());
    expect(error.code).toBe('RESPONSE_NOT_JSON');
    expect(error.message).toMatch(
      /^Reading the API status: expected a JSON body from GET \/status, received status 200 with \d+ bytes of application\/json/,
    );
  });

  it('raises NETWORK_ERROR when the connection is reset', async () => {
    const session = bearerSession(await signIn(), { retries: 0 });
    await bed.emulator.control.addFault({ path: '/applications', kind: 'reset', after: 'headers' });
    const error = await failure(session.request({ path: '/applications' }));
    expect(error.code).toBe('NETWORK_ERROR');
  });

  it('does not follow a redirect to another origin', async () => {
    const session = bearerSession(await signIn());
    await bed.emulator.control.addFault({
      path: '/applications',
      kind: 'redirect',
      status: 302,
      location: 'http://127.0.0.2:9/applications',
    });
    const response = await session.request({ path: '/applications' });
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe('http://127.0.0.2:9/applications');
  });

  it('names the other origin of a redirect in the error', async () => {
    const session = bearerSession(await signIn());
    await bed.emulator.control.addFault({
      path: '/status',
      kind: 'redirect',
      status: 302,
      location: 'http://127.0.0.2:9/login?next=%2Fstatus',
    });
    const error = await failure(session.status());
    expect(error).toMatchObject({ code: 'HTTP_ERROR', status: 302, path: '/status' });
    expect(error.message).toBe(
      'Reading the API status failed: GET /status returned status 302, a redirect to another ' +
        'origin (http://127.0.0.2:9); it was not followed because credentials are not sent ' +
        'across origins, so check that the API base URL is the address the API is served from',
    );
  });

  it('raises NETWORK_ERROR for a refused connection after retrying', async () => {
    const port = await closedPort();
    const session = new Session({
      ...bed.options(),
      apiUrl: `http://127.0.0.1:${port}`,
      credentials: { type: 'plain', email: ALICE.email, password: ALICE.password },
      retries: 2,
    });
    const error = await failure(session.request({ path: '/applications' }));
    expect(error).toMatchObject({
      code: 'NETWORK_ERROR',
      errno: 'ECONNREFUSED',
      mayHaveReachedServer: false,
    });
    expect(error.message).toBe(
      `Could not complete the request to http://127.0.0.1:${port}: ECONNREFUSED`,
    );
    expect(bed.sleeps).toHaveLength(2);
  });
});

/** Finds a loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') {
    throw new Error('no port');
  }
  return address.port;
}
