import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  createOAuthClient,
  JsonTooDeepError,
  login,
  ResponseNotJsonError,
  RipsAuthError,
  Session,
  type ClientOptions,
} from '../src/index.js';
import { startFakeApi, type FakeApi } from './fake-api.js';

const ACCESS = 'LEAKEDACCESSTOKEN0123456789';
const REFRESH = 'LEAKEDREFRESH987654321';
const TRUNCATED_TOKENS = `{"access_token":"${ACCESS}","expires_in":3600,"token_type":"bearer","refresh_token":"${REFRESH}"`;
const TOKENS = `${TRUNCATED_TOKENS}}`;

let api: FakeApi;

beforeEach(async () => {
  api = await startFakeApi();
});
afterEach(async () => api.close());

function options(): ClientOptions & { apiUrl: string } {
  return {
    apiUrl: api.url,
    retries: 0,
    timeoutMs: 5_000,
    sleep: async () => {},
  };
}

async function failure(promise: Promise<unknown>): Promise<RipsAuthError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(RipsAuthError);
  return error as RipsAuthError;
}

/** Asserts that no part of the error, its cause chain included, contains `LEAKED`. */
function expectNoLeak(error: RipsAuthError): void {
  const texts: string[] = [];
  let current: unknown = error;
  while (current !== undefined) {
    texts.push(String(current));
    if (current instanceof Error) {
      texts.push(current.message, String(current.stack));
      current = current.cause;
    } else {
      current = undefined;
    }
  }
  texts.push(JSON.stringify(error));
  for (const text of texts) {
    expect(text).not.toMatch(/LEAKED/i);
  }
  expect(error.cause).toBeUndefined();
}

describe('bodies of credential responses', () => {
  it('does not quote a truncated token response', async () => {
    api.on('POST /oauth/v2/auth/tokens', { status: 200, body: TRUNCATED_TOKENS });
    const error = await failure(
      login({ ...options(), email: 'ci@example.com', password: 'pw', clientId: '1_abc' }),
    );
    expect(error).toBeInstanceOf(ResponseNotJsonError);
    expect(error.code).toBe('RESPONSE_NOT_JSON');
    expect(error.message).toBe(
      'The token request: expected a JSON body from POST /oauth/v2/auth/tokens, received ' +
        `status 200 with ${TRUNCATED_TOKENS.length} bytes of application/json (the body is not ` +
        'shown because it may contain a credential)',
    );
    expect((error as ResponseNotJsonError).excerpt).toBe('');
    expectNoLeak(error);
  });

  it('does not quote an HTML MFA token response', async () => {
    api.on('POST /oauth/v2/auth/tokens', { status: 200, body: TOKENS });
    const html = '<html><body>token: LEAKEDMFATOKEN42</body></html>';
    api.on('POST /mfas/token', {
      status: 200,
      headers: { 'content-type': 'text/html' },
      body: html,
    });
    const error = await failure(
      login({
        ...options(),
        email: 'ci@example.com',
        password: 'pw',
        clientId: '1_abc',
        totpSecret: 'JBSWY3DPEHPK3PXP',
      }),
    );
    expect(error.code).toBe('RESPONSE_NOT_JSON');
    expect(error.message).toBe(
      'Sending a TOTP code to /mfas/token: expected a JSON body from POST /mfas/token, received ' +
        `status 200 with ${html.length} bytes of text/html (the body is not shown because it ` +
        'may contain a credential)',
    );
    expectNoLeak(error);
  });

  it('does not quote a truncated response to a refresh', async () => {
    api.on('POST /oauth/v2/auth/tokens', { status: 200, body: TRUNCATED_TOKENS });
    const session = new Session({
      ...options(),
      credentials: {
        type: 'bearer',
        accessToken: 'old-access-token',
        refreshToken: 'old-refresh-token',
        expiresAt: new Date(Date.now() - 1_000),
        clientId: '1_abc',
      },
    });
    const error = await failure(session.request({ path: '/applications' }));
    expect(error.code).toBe('RESPONSE_NOT_JSON');
    expect(error.message).toMatch(/^The token request: expected a JSON body/);
    expect(api.requests).toEqual(['POST /oauth/v2/auth/tokens']);
    expectNoLeak(error);
  });

  it('does not quote an error page of the token endpoint', async () => {
    api.on('POST /oauth/v2/auth/tokens', {
      status: 502,
      headers: { 'content-type': 'text/html' },
      body: `<html>${ACCESS}</html>`,
    });
    const error = await failure(
      login({ ...options(), email: 'ci@example.com', password: 'pw', clientId: '1_abc' }),
    );
    expect(error.code).toBe('HTTP_ERROR');
    expect(error.message).toBe(
      'The token request failed: POST /oauth/v2/auth/tokens returned status 502 with 40 bytes ' +
        'of text/html (the body is not shown because it may contain a credential)',
    );
    expectNoLeak(error);
  });

  it('does not quote a truncated OAuth client', async () => {
    api.on('POST /oauth/v2/auth/tokens', { status: 200, body: TOKENS });
    const body = '{"id":7,"name":"deploy","random_id":"r4nd","secret":"LEAKEDCLIENTSECRET"';
    api.on('POST /oauth/v2/clients', { status: 201, body });
    const session = new Session({
      ...options(),
      credentials: { type: 'password', email: 'ci@example.com', password: 'pw', clientId: '1_a' },
    });
    const error = await failure(createOAuthClient(session, { name: 'deploy' }));
    expect(error.code).toBe('RESPONSE_NOT_JSON');
    expect(error.message).toBe(
      'Creating an OAuth client: expected a JSON body from POST /oauth/v2/clients, received ' +
        `status 201 with ${body.length} bytes of application/json (the body is not shown ` +
        'because it may contain a credential)',
    );
    expectNoLeak(error);
  });

  it('does not quote a 2xx body of another endpoint', async () => {
    api.on('POST /oauth/v2/auth/tokens', { status: 200, body: TOKENS });
    api.on('GET /status', { status: 200, body: '{"user":{"id":1,"note":"LEAKEDTEXT"' });
    const session = new Session({
      ...options(),
      credentials: { type: 'password', email: 'ci@example.com', password: 'pw', clientId: '1_a' },
    });
    const error = await failure(session.status());
    expect(error.message).toBe(
      'Reading the API status: expected a JSON body from GET /status, received status 200 ' +
        'with 35 bytes of application/json (the body is not shown because it may contain a ' +
        'credential)',
    );
    expectNoLeak(error);
  });

  it('quotes the title of an error page of another endpoint', async () => {
    api.on('POST /oauth/v2/auth/tokens', { status: 200, body: TOKENS });
    api.on('GET /status', {
      status: 502,
      headers: { 'content-type': 'text/html' },
      body: '<html><title>502 Bad Gateway</title>\n::stop-commands::x\n</html>',
    });
    const session = new Session({
      ...options(),
      credentials: { type: 'password', email: 'ci@example.com', password: 'pw', clientId: '1_a' },
    });
    const error = await failure(session.status());
    expect(error.code).toBe('HTTP_ERROR');
    expect(error.message).toBe(
      'Reading the API status failed: GET /status returned status 502 with 63 bytes of ' +
        'text/html titled "502 Bad Gateway"',
    );
  });

  it('quotes the first non-empty line of an untitled error page', async () => {
    api.on('POST /oauth/v2/auth/tokens', { status: 200, body: TOKENS });
    api.on('GET /status', {
      status: 503,
      headers: { 'content-type': 'text/plain' },
      body: '\n  upstream connect error\n::stop-commands::x\n',
    });
    const session = new Session({
      ...options(),
      credentials: { type: 'password', email: 'ci@example.com', password: 'pw', clientId: '1_a' },
      retries: 0,
    });
    const error = await failure(session.status());
    expect(error.code).toBe('HTTP_ERROR');
    expect(error.message).toBe(
      'Reading the API status failed: GET /status returned status 503 with 45 bytes of ' +
        'text/plain starting "upstream connect error"',
    );
  });
});

describe('deeply nested JSON', () => {
  const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;

  function signedInSession(): Session {
    api.on('POST /oauth/v2/auth/tokens', { status: 200, body: TOKENS });
    return new Session({
      ...options(),
      credentials: { type: 'password', email: 'ci@example.com', password: 'pw', clientId: '1_a' },
    });
  }

  it('raises JsonTooDeepError from a request', async () => {
    api.on('GET /applications', { status: 200, body: deep });
    const error = await failure(signedInSession().request({ path: '/applications' }));
    expect(error).toBeInstanceOf(JsonTooDeepError);
    expect(error).toBeInstanceOf(ResponseNotJsonError);
    expect(error.code).toBe('RESPONSE_NOT_JSON');
    expect(error.message).toBe(
      'The request: the JSON body from GET /applications is nested too deeply, with more than ' +
        '512 levels of arrays and objects (status 200)',
    );
    expect(error.cause).toBeUndefined();
  });

  it('raises JsonTooDeepError from the status', async () => {
    api.on('GET /status', { status: 200, body: `{"user":${deep}}` });
    const error = await failure(signedInSession().status());
    expect(error).toBeInstanceOf(JsonTooDeepError);
    expect(error.message).toBe(
      'The request: the JSON body from GET /status is nested too deeply, with more than 512 ' +
        'levels of arrays and objects (status 200)',
    );
  });

  it('accepts JSON nested 512 levels deep', async () => {
    const body = `${'['.repeat(512)}"[{"${']'.repeat(512)}`;
    api.on('GET /applications', { status: 200, body });
    const response = await signedInSession().request({ path: '/applications' });
    expect(response.status).toBe(200);
    expect(Array.isArray(response.json)).toBe(true);
  });
});
