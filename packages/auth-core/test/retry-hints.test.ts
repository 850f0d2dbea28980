import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { RipsAuthError, Session } from '../src/index.js';
import { startFakeApi, type FakeApi } from './fake-api.js';

const NOW = Date.UTC(2026, 0, 1);

let api: FakeApi;

beforeEach(async () => {
  api = await startFakeApi();
});
afterEach(async () => api.close());

async function failure(promise: Promise<unknown>): Promise<RipsAuthError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(RipsAuthError);
  return error as RipsAuthError;
}

function bearerSession(): Session {
  return new Session({
    apiUrl: api.url,
    clock: { now: () => NOW },
    sleep: async () => {},
    timeoutMs: 30_000,
    credentials: { type: 'bearer', accessToken: 'access-token-1' },
  });
}

describe('Retry-After past the deadline', () => {
  it('explains why a 503 was not retried', async () => {
    api.on('GET /status', {
      status: 503,
      headers: { 'retry-after': '120' },
      body: JSON.stringify({ code: 503, message: 'Service Unavailable' }),
    });
    const error = await failure(bearerSession().status());
    expect(error.code).toBe('HTTP_ERROR');
    expect(error.status).toBe(503);
    expect(error.message).toBe(
      'Reading the API status failed: GET /status returned status 503: Service Unavailable; no ' +
        'retry was made because the API asked to wait 120 s (Retry-After), longer than the 30 s ' +
        "left before the request's deadline (timeout-seconds)",
    );
    expect(api.requests).toEqual(['GET /status']);
  });

  it('returns the declined retry with the response', async () => {
    api.on('GET /applications', { status: 503, headers: { 'retry-after': '45' } });
    const response = await bearerSession().request({ path: '/applications' });
    expect(response.status).toBe(503);
    expect(response.retryDeclined).toEqual({ retryAfterMs: 45_000, remainingMs: 30_000 });
  });

  it('says nothing of Retry-After once the retries are spent', async () => {
    api.on('GET /status', { status: 503, headers: { 'retry-after': '1' } });
    const session = new Session({
      apiUrl: api.url,
      clock: { now: () => NOW },
      sleep: async () => {},
      retries: 1,
      credentials: { type: 'bearer', accessToken: 'access-token-1' },
    });
    const error = await failure(session.status());
    expect(error.message).toBe(
      'Reading the API status failed: GET /status returned status 503 with an empty body',
    );
    expect(api.requests).toEqual(['GET /status', 'GET /status']);
  });
});

describe('431 with plain headers', () => {
  it('suggests the password grant', async () => {
    api.on('GET /status', { status: 431 });
    const session = new Session({
      apiUrl: api.url,
      sleep: async () => {},
      credentials: { type: 'plain', email: 'ci@example.com', password: 'x'.repeat(20_000) },
    });
    const error = await failure(session.status());
    expect(error.code).toBe('HTTP_ERROR');
    expect(error.status).toBe(431);
    expect(error.message).toBe(
      'GET /status returned status 431 (Request Header Fields Too Large): the e-mail and ' +
        'password are too long to send as headers with the plain method; set grant to ' +
        'password, which sends them in the body of a token request',
    );
  });

  it('returns a 431 to a bearer request', async () => {
    api.on('GET /applications', { status: 431 });
    const response = await bearerSession().request({ path: '/applications' });
    expect(response.status).toBe(431);
  });
});
