import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { login, readJwtExpiry } from '../src/index.js';
import { startFakeApi, type FakeApi } from './fake-api.js';
import { recordingLogger, type RecordingLogger } from './helpers.js';

/** 2026-01-01T00:00:00Z, a whole second, so the Date header gives a 500 ms clock offset. */
const NOW = Date.UTC(2026, 0, 1);
const NOW_SECONDS = NOW / 1000;

let api: FakeApi;
let logger: RecordingLogger;

beforeEach(async () => {
  api = await startFakeApi();
  logger = recordingLogger();
});
afterEach(async () => api.close());

/** Builds an unsigned JWT; the client reads `exp` without verifying the signature. */
function jwt(payload: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part(payload)}.c2lnbmF0dXJl`;
}

function serveTokens(accessToken: string, expiresIn: unknown): void {
  const headers = { date: new Date(NOW).toUTCString() };
  api.on('POST /oauth/v2/auth/tokens', {
    status: 200,
    headers,
    body: JSON.stringify({
      access_token: accessToken,
      expires_in: expiresIn,
      token_type: 'bearer',
    }),
  });
  api.on('GET /status', {
    status: 200,
    headers,
    body: JSON.stringify({ user: { id: 1, email: 'ci@example.com' } }),
  });
}

function run() {
  return login({
    apiUrl: api.url,
    clock: { now: () => NOW },
    retries: 0,
    timeoutMs: 5_000,
    logger,
    email: 'ci@example.com',
    password: 'pw',
    clientId: '1_abc',
  });
}

const IGNORED =
  'debug: Ignoring the expires_in of the token response because it is not a whole number of ' +
  'seconds from 0 to 315360000; the JWT exp dates the access token instead';

describe('token expiry from the API', () => {
  it.each([[1e308], [-1e308], [-1], ['3600'], ['NaN'], [3599.5], [315_360_001], [null]])(
    'falls back to the JWT exp for expires_in %j',
    async (expiresIn) => {
      serveTokens(jwt({ exp: NOW_SECONDS + 3600 }), expiresIn);
      const result = await run();
      expect(result.expiresIn).toBeUndefined();
      expect(result.expiresAt?.toISOString()).toBe('2026-01-01T00:59:59.500Z');
      expect(logger.messages).toContain(IGNORED);
    },
  );

  it('has no expiry when neither value is usable', async () => {
    serveTokens(jwt({ exp: 1e300 }), 1e308);
    const result = await run();
    expect(result.expiresIn).toBeUndefined();
    expect(result.expiresAt).toBeUndefined();
    expect(logger.messages).toContain('info: Signed in as ci@example.com with the password method');
  });

  it('uses expires_in when the JWT exp is out of range', async () => {
    serveTokens(jwt({ exp: -1e300 }), 600);
    const result = await run();
    expect(result.expiresIn).toBe(600);
    expect(result.expiresAt?.toISOString()).toBe('2026-01-01T00:10:00.000Z');
  });

  it('accepts expires_in of ten years', async () => {
    serveTokens('not-a-jwt', 315_360_000);
    const result = await run();
    expect(result.expiresIn).toBe(315_360_000);
    expect(result.expiresAt?.getTime()).toBe(NOW + 315_360_000_000);
  });
});

describe('readJwtExpiry', () => {
  it.each([
    [{ exp: NOW_SECONDS }, NOW_SECONDS],
    [{ exp: 8.64e12 }, 8.64e12],
    [{ exp: 8.64e12 + 1 }, undefined],
    [{ exp: 1e308 }, undefined],
    [{ exp: '1767225600' }, undefined],
    [{}, undefined],
  ])('reads %j as %s', (payload, expected) => {
    expect(readJwtExpiry(jwt(payload))).toBe(expected);
  });
});
