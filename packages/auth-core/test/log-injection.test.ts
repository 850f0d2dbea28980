import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { login, RipsAuthError, Session, type LoginOptions } from '../src/index.js';
import { escapeControlCharacters } from '../src/text.js';
import { startFakeApi, type FakeApi } from './fake-api.js';
import { recordingLogger, type RecordingLogger } from './helpers.js';

const TOKENS = {
  access_token: 'access-token-1',
  expires_in: 3600,
  token_type: 'bearer',
  refresh_token: 'refresh-token-1',
};

let api: FakeApi;
let logger: RecordingLogger;
let secrets: string[];

beforeEach(async () => {
  api = await startFakeApi();
  logger = recordingLogger();
  secrets = [];
});
afterEach(async () => api.close());

function run(options: Partial<LoginOptions> = {}) {
  return login({
    apiUrl: api.url,
    retries: 0,
    timeoutMs: 5_000,
    sleep: async () => {},
    logger,
    onSecret: (value) => secrets.push(value),
    email: 'ci@example.com',
    password: 'pw',
    clientId: '1_abc',
    ...options,
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

function tokensWith(fields: Record<string, unknown>) {
  return { status: 200, body: JSON.stringify({ ...TOKENS, ...fields }) };
}

function statusWith(user: unknown) {
  return { status: 200, body: JSON.stringify({ version: '3.0', user }) };
}

describe('escapeControlCharacters', () => {
  it.each([
    ['plain text', 'ci@example.com', 'ci@example.com'],
    ['line feed', 'a\n::stop-commands::x', 'a\\n::stop-commands::x'],
    ['carriage return', 'a\r::x', 'a\\r::x'],
    ['tab', 'a\tb', 'a\\tb'],
    ['escape', 'a\u001b[31mb', 'a\\x1b[31mb'],
    ['NUL and DEL', 'a\u0000b\u007f', 'a\\x00b\\x7f'],
    ['C1 next line', 'a\u0085b', 'a\\x85b'],
    ['line separator', 'a\u2028b\u2029', 'a\\u2028b\\u2029'],
    ['non-ASCII letters', 'jürgen', 'jürgen'],
  ])('escapes %s', (_, input, expected) => {
    expect(escapeControlCharacters(input)).toBe(expected);
  });
});

describe('status user validation', () => {
  it('rejects an email with a line break', async () => {
    api.on('POST /oauth/v2/auth/tokens', tokensWith({}));
    api.on('GET /status', statusWith({ id: 1, email: 'x@y.z\n::stop-commands::pwned' }));
    const error = await failure(run());
    expect(error.code).toBe('RESPONSE_NOT_JSON');
    expect(error.status).toBe(200);
    expect(error.message).toBe(
      'Reading the API status: GET /status returned an unexpected user, whose email contains a ' +
        'line break or another control character',
    );
    expect(error.message).not.toContain('pwned');
    for (const message of logger.messages) {
      expect(message).not.toContain('\n');
      expect(message).not.toContain('pwned');
    }
  });

  it.each([
    [{ id: 'one', email: 'a@b.c' }, 'whose id is not a whole number or a string of digits'],
    [{ id: 1.5, email: 'a@b.c' }, 'whose id is not a whole number or a string of digits'],
    [{ id: -1, email: 'a@b.c' }, 'whose id is not a whole number or a string of digits'],
    [{ id: 1 }, 'whose email is not a string'],
    [{ id: 1, email: ' ' }, 'whose email is empty'],
    [{ id: 1, email: `${'a'.repeat(250)}@b.cd` }, 'whose email is longer than 254 characters'],
    [
      { id: 1, email: 'a@b.c\u001b]0;x' },
      'whose email contains a line break or another control character',
    ],
  ])('rejects the user %j', async (user, problem) => {
    api.on('POST /oauth/v2/auth/tokens', tokensWith({}));
    api.on('GET /status', statusWith(user));
    const error = await failure(run());
    expect(error.code).toBe('RESPONSE_NOT_JSON');
    expect(error.message).toBe(
      `Reading the API status: GET /status returned an unexpected user, ${problem}`,
    );
  });

  it('accepts a digit string id', async () => {
    api.on('POST /oauth/v2/auth/tokens', tokensWith({}));
    api.on('GET /status', statusWith({ id: '42', email: 'jürgen@example.com' }));
    const result = await run();
    expect(result.user).toEqual({ id: '42', email: 'jürgen@example.com' });
    expect(logger.messages).toContain(
      'info: Signed in as jürgen@example.com with the password method; the access token expires at ' +
        `${result.expiresAt?.toISOString()}`,
    );
  });
});

describe('token response checks', () => {
  it('normalises token_type to Bearer', async () => {
    api.on('POST /oauth/v2/auth/tokens', tokensWith({ token_type: 'BEARER' }));
    api.on('GET /status', statusWith({ id: 1, email: 'ci@example.com' }));
    const result = await run();
    expect(result.tokenType).toBe('Bearer');
  });

  it.each([['mac'], ['Bearer\n::stop-commands::x'], [7]])(
    'rejects token_type %j',
    async (tokenType) => {
      api.on('POST /oauth/v2/auth/tokens', tokensWith({ token_type: tokenType }));
      const error = await failure(run());
      expect(error.code).toBe('RESPONSE_NOT_JSON');
      expect(error.message).toBe(
        'The token request: the response of POST /oauth/v2/auth/tokens has a token_type other ' +
          'than Bearer, the only type auth-core can send',
      );
      expect(api.requests).toEqual(['POST /oauth/v2/auth/tokens']);
    },
  );

  it('rejects a token with a line break after masking it', async () => {
    const accessToken = 'access-line-1\n::stop-commands::x';
    api.on('POST /oauth/v2/auth/tokens', tokensWith({ access_token: accessToken }));
    const error = await failure(run());
    expect(error.code).toBe('RESPONSE_NOT_JSON');
    expect(error.message).toBe(
      'The token request: the response of POST /oauth/v2/auth/tokens has a token that contains ' +
        'a line break or another control character',
    );
    expect(secrets).toContain(accessToken);
    expect(secrets).toContain('access-line-1');
  });
});

describe('API text in messages', () => {
  it('escapes client names the API offers', async () => {
    api.on('GET /oauth/v2/global/clients', {
      status: 200,
      body: JSON.stringify({ 'ui\n::stop-commands::x': '1_a' }),
    });
    const error = await failure(run({ clientId: '', clientName: 'ci' }));
    expect(error.code).toBe('CLIENT_NOT_FOUND');
    expect(error.message).toBe(
      'client-name: no OAuth client named "ci"; the API offers: ui\\n::stop-commands::x',
    );
  });

  it('escapes the e-mail of a rejected sign-in', async () => {
    api.on('POST /oauth/v2/auth/tokens', {
      status: 401,
      body: JSON.stringify({ error: 'invalid_grant', error_description: 'Bad\ncredentials' }),
    });
    const error = await failure(run({ email: 'a@b.c\n::stop-commands::x' }));
    expect(error.code).toBe('INVALID_CREDENTIALS');
    expect(error.message).toBe(
      'Sign-in failed for a@b.c\\n::stop-commands::x: the API rejected the e-mail or password ' +
        '(Bad credentials)',
    );
  });
});

describe('request path checks', () => {
  it('rejects a fragment with a line break before sending', async () => {
    const session = new Session({
      apiUrl: api.url,
      logger,
      credentials: { type: 'bearer', accessToken: 'access-token-1' },
      inputNames: { path: '--path' },
    });
    const error = await failure(
      session.request({ path: '/oauth/v2/clients#\n::stop-commands::x' }),
    );
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.message).toBe(
      '--path: the path contains a line break or another control character; percent-encode ' +
        'it, for example a line feed as %0A',
    );
    expect(api.requests).toEqual([]);
    expect(logger.messages).toEqual([]);
  });
});
