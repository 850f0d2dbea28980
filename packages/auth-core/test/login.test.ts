import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import {
  generateTotp,
  login,
  RipsAuthError,
  secretForms,
  type LoginOptions,
} from '../src/index.js';
import { ALICE, DAVE, DEMO, JURGEN, resetTestBed, startTestBed, type TestBed } from './helpers.js';

const BOB_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

let bed: TestBed;
let ciClientId: string;

beforeAll(async () => {
  bed = await startTestBed();
  const response = await fetch(`${bed.emulator.url}/oauth/v2/global/clients`);
  ciClientId = ((await response.json()) as Record<string, string>).ci ?? '';
});
afterAll(async () => bed.close());
beforeEach(async () => resetTestBed(bed));

function run(options: Omit<LoginOptions, 'apiUrl'>) {
  return login({ ...bed.options(), ...options });
}

async function failure(promise: Promise<unknown>): Promise<RipsAuthError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(RipsAuthError);
  return error as RipsAuthError;
}

describe('login with the password grant', () => {
  it('signs in with MFA in four requests when the client is named', async () => {
    const result = await run({ ...DEMO });
    expect(result.method).toBe('password');
    expect(result.user).toEqual({ id: 1, email: DEMO.email });
    expect(result.tokenType).toBe('Bearer');
    expect(result.expiresIn).toBe(2_419_200);
    // The JWT exp, shifted by the clock offset estimated from the whole-second Date header,
    // comes out half a second earlier than expires_in and wins.
    expect(result.expiresAt?.getTime()).toBe(bed.clock.ms + 2_419_200_000 - 500);
    expect(result.clientId).toBe(ciClientId);
    expect(result.accessToken).toMatch(/^eyJ/);
    expect(result.refreshToken).toMatch(/^def50200/);
    expect(result.mfaToken).toMatch(/^\S{1,100}$/);
    expect(result.warnings).toEqual([]);
    expect(await bed.requestLines()).toEqual([
      'GET /oauth/v2/global/clients 200',
      'POST /oauth/v2/auth/tokens 200',
      'POST /mfas/token 200',
      'GET /status 200',
    ]);
  });

  it('signs in with MFA in three requests when the client id is given', async () => {
    const result = await run({ ...DEMO, clientId: ciClientId });
    expect(result.clientId).toBe(ciClientId);
    expect(await bed.requestLines()).toEqual([
      'POST /oauth/v2/auth/tokens 200',
      'POST /mfas/token 200',
      'GET /status 200',
    ]);
  });

  it('signs in without MFA in two requests', async () => {
    const result = await run({ ...ALICE, clientId: ciClientId });
    expect(result.user).toEqual({ id: 2, email: ALICE.email });
    expect(result.mfaToken).toBeUndefined();
    expect(await bed.requestLines()).toEqual(['POST /oauth/v2/auth/tokens 200', 'GET /status 200']);
  });

  it('sends no credentials header on the token request', async () => {
    await run({ ...ALICE, clientId: ciClientId });
    const [token, status] = await bed.requests();
    expect(token?.headers).not.toContain('authorization');
    expect(token?.headers).not.toContain('x-api-mfa');
    expect(status?.auth).toBe('bearer');
  });

  it('uses a given MFA token without a TOTP secret', async () => {
    const first = await run({ ...DEMO, clientId: ciClientId });
    await bed.emulator.control.clearRequests();
    const result = await run({
      email: DEMO.email,
      password: DEMO.password,
      clientId: ciClientId,
      mfaToken: first.mfaToken,
    });
    expect(result.mfaToken).toBe(first.mfaToken);
    expect(await bed.requestLines()).toEqual(['POST /oauth/v2/auth/tokens 200', 'GET /status 200']);
  });

  it('replaces a stale MFA token from the TOTP secret in two more requests', async () => {
    const result = await run({ ...DEMO, clientId: ciClientId, mfaToken: 'stale-token' });
    expect(result.mfaToken).not.toBe('stale-token');
    expect(await bed.requestLines()).toEqual([
      'POST /oauth/v2/auth/tokens 200',
      'GET /status 401',
      'POST /mfas/token 200',
      'GET /status 200',
    ]);
  });

  it('fails with MFA_REQUIRED when MFA is on and nothing is given', async () => {
    const error = await failure(
      run({ email: DEMO.email, password: DEMO.password, clientId: ciClientId }),
    );
    expect(error.code).toBe('MFA_REQUIRED');
    expect(error.message).toBe(
      'MFA is enabled for this account: set totp-secret, or mfa-token with a current MFA token',
    );
    expect(await bed.requestLines()).toEqual(['POST /oauth/v2/auth/tokens 200', 'GET /status 401']);
  });

  it('fails for a stale MFA token without secret', async () => {
    const error = await failure(
      run({ email: DEMO.email, password: DEMO.password, clientId: ciClientId, mfaToken: 'stale' }),
    );
    expect(error.code).toBe('MFA_REQUIRED');
    expect(error.message).toBe(
      'The API rejected the MFA token (mfa-token); set totp-secret so that a new one can be obtained',
    );
  });

  it('warns when a TOTP secret is given for a user without MFA', async () => {
    const result = await run({ ...ALICE, clientId: ciClientId, totpSecret: DEMO.totpSecret });
    expect(result.warnings).toEqual([
      'totp-secret is set but MFA is not enabled for this account; the secret was not used',
    ]);
    expect(bed.logger.messages).toContain(
      'warning: totp-secret is set but MFA is not enabled for this account; the secret was not used',
    );
    expect(result.mfaToken).toBeUndefined();
    expect(await bed.requestLines()).toEqual([
      'POST /oauth/v2/auth/tokens 200',
      'POST /mfas/token 400',
      'GET /status 200',
    ]);
  });

  it('rejects a wrong password with INVALID_CREDENTIALS', async () => {
    const error = await failure(
      run({ email: ALICE.email, password: 'wrong', clientId: ciClientId }),
    );
    expect(error.code).toBe('INVALID_CREDENTIALS');
    expect(error.message).toBe(
      'Sign-in failed for alice@example.com: the API rejected the e-mail or password (Invalid credentials)',
    );
    expect(error.status).toBe(401);
    expect(await bed.requestLines()).toEqual(['POST /oauth/v2/auth/tokens 401']);
  });

  it('reports an empty token response as not JSON', async () => {
    await bed.emulator.control.addFault({
      path: '/oauth/v2/auth/tokens',
      kind: 'empty',
      status: 200,
    });
    const error = await failure(run({ ...ALICE, clientId: ciClientId }));
    expect(error.code).toBe('RESPONSE_NOT_JSON');
    expect(error.message).toBe(
      'The token request: expected a JSON body from POST /oauth/v2/auth/tokens, received status 200 with an empty body',
    );
  });

  it('rejects an unknown client id', async () => {
    const error = await failure(run({ ...ALICE, clientId: '99_nope' }));
    expect(error.code).toBe('INVALID_CREDENTIALS');
    expect(error.message).toMatch(
      /^client-id: the API does not accept the OAuth client id "99_nope" \(/,
    );
  });

  it('lists the offered names for an unknown client name', async () => {
    const error = await failure(run({ ...ALICE, clientName: 'deploy' }));
    expect(error.code).toBe('CLIENT_NOT_FOUND');
    expect(error.message).toBe(
      'client-name: no OAuth client named "deploy"; the API offers: ci, ui-client',
    );
    expect(await bed.requestLines()).toEqual(['GET /oauth/v2/global/clients 200']);
  });

  it('signs in with a non-ASCII e-mail and password', async () => {
    const result = await run({ ...JURGEN, clientId: ciClientId });
    expect(result.user.email).toBe(JURGEN.email);
  });

  it('keeps spaces and drops one trailing line break of the password', async () => {
    const result = await run({
      email: DAVE.email,
      password: `${DAVE.password}\n`,
      clientId: ciClientId,
    });
    expect(result.user.email).toBe(DAVE.email);
  });
});

describe('login with the refresh grant', () => {
  it('signs in with a refresh token in three requests with MFA', async () => {
    const first = await run({ ...DEMO, clientId: ciClientId });
    await bed.emulator.control.clearRequests();
    const result = await run({
      refreshToken: first.refreshToken,
      clientId: ciClientId,
      mfaToken: first.mfaToken,
    });
    expect(result.method).toBe('refresh');
    expect(result.user.email).toBe(DEMO.email);
    expect(result.refreshToken).not.toBe(first.refreshToken);
    expect(await bed.requestLines()).toEqual(['POST /oauth/v2/auth/tokens 200', 'GET /status 200']);
  });

  it('fails with REFRESH_REJECTED for a spent refresh token', async () => {
    const first = await run({ ...ALICE, clientId: ciClientId });
    await run({ refreshToken: first.refreshToken, clientId: ciClientId });
    await bed.emulator.control.clearRequests();
    const error = await failure(run({ refreshToken: first.refreshToken, clientId: ciClientId }));
    expect(error.code).toBe('REFRESH_REJECTED');
    expect(error.message).toMatch(
      /^The API rejected the refresh token \(invalid_grant: .*\); sign in with the password again$/,
    );
    expect(await bed.requestLines()).toEqual(['POST /oauth/v2/auth/tokens 401']);
  });

  it('falls back to the password with auto', async () => {
    const result = await run({ ...ALICE, refreshToken: 'def50200dead', clientId: ciClientId });
    expect(result.method).toBe('password');
    expect(result.user.email).toBe(ALICE.email);
    expect(result.warnings).toEqual([
      'The API rejected the refresh token; signing in with the e-mail and password instead',
    ]);
    expect(bed.logger.messages).toContain(
      'warning: The API rejected the refresh token; signing in with the e-mail and password instead',
    );
    expect(await bed.requestLines()).toEqual([
      'POST /oauth/v2/auth/tokens 401',
      'POST /oauth/v2/auth/tokens 200',
      'GET /status 200',
    ]);
  });

  it('does not fall back with grant refresh', async () => {
    const error = await failure(
      run({ ...ALICE, grant: 'refresh', refreshToken: 'def50200dead', clientId: ciClientId }),
    );
    expect(error.code).toBe('REFRESH_REJECTED');
    expect(bed.logger.messages).toContain('warning: password is ignored because grant is refresh');
  });
});

describe('login with plain headers', () => {
  it('signs in with MFA in two requests', async () => {
    const result = await run({ ...DEMO, grant: 'plain' });
    expect(result.method).toBe('plain');
    expect(result.accessToken).toBeUndefined();
    expect(result.mfaToken).toBeDefined();
    expect(result.user.email).toBe(DEMO.email);
    const requests = await bed.requests();
    expect(requests.map((entry) => `${entry.method} ${entry.path} ${entry.status}`)).toEqual([
      'POST /mfas/token 200',
      'GET /status 200',
    ]);
    expect(requests[1]?.auth).toBe('plain');
    expect(requests[1]?.headers).toEqual(
      expect.arrayContaining([
        'x-api-email',
        'x-api-password',
        'x-api-email-enc',
        'x-api-password-enc',
        'x-api-mfa',
      ]),
    );
  });

  it('sends only the -Enc pair for non-ASCII credentials', async () => {
    await run({ ...JURGEN, grant: 'plain' });
    const [status] = await bed.requests();
    expect(status?.headers).toContain('x-api-email-enc');
    expect(status?.headers).not.toContain('x-api-email');
    expect(status?.headers).not.toContain('x-api-password');
  });

  it('rejects a wrong password with INVALID_CREDENTIALS', async () => {
    const error = await failure(run({ email: ALICE.email, password: 'nope', grant: 'plain' }));
    expect(error.code).toBe('INVALID_CREDENTIALS');
    expect(error.message).toBe(
      'The API rejected the credentials of alice@example.com (Invalid credentials)',
    );
  });

  it('warns about ignored inputs', async () => {
    const result = await run({
      ...ALICE,
      grant: 'plain',
      refreshToken: 'def50200aa',
      clientId: 'x',
    });
    expect(result.warnings).toEqual([
      'refresh-token is ignored because grant is plain',
      'client-id is ignored because grant is plain',
    ]);
  });
});

describe('login with a credential that cannot be a header', () => {
  it.each([
    ['an inner line break', 'abcdef\r\nghijkl'],
    ['a control character', 'abcdef\u0007ghijkl'],
    ['a character above U+00FF', 'abcdef\u2028ghijkl'],
  ])('rejects an mfa-token with %s before sending', async (_case, mfaToken) => {
    const error = await failure(
      run({ ...DEMO, clientId: ciClientId, totpSecret: DEMO.totpSecret, mfaToken }),
    );
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.message).toBe(
      'mfa-token: the MFA token contains a line break or another character that the X-API-MFA ' +
        'header cannot carry; set it to the value alone, on one line',
    );
    expect(error.message).not.toContain('abcdef');
    expect(bed.sleeps).toEqual([]);
    expect(await bed.requestLines()).toEqual([]);
  });

  it('reports the MFA token before rejecting it', async () => {
    const mfaToken = 'abcdef\nghijkl';
    await failure(run({ ...DEMO, mfaToken }));
    expect(bed.secrets).toContain(mfaToken);
  });
});

describe('login with caller input names', () => {
  const CLI_NAMES = {
    apiUrl: '--api-url',
    allowInsecureHttp: '--allow-insecure-http',
    email: '--email',
    grant: '--grant',
    clientId: '--client-id',
    clientName: '--client-name',
    password: 'RIPS_PASSWORD',
    refreshToken: 'RIPS_REFRESH_TOKEN',
    totpSecret: 'RIPS_TOTP_SECRET',
    mfaToken: 'RIPS_MFA_TOKEN',
  };

  it("names the caller's TOTP secret in the unused-secret warning", async () => {
    const result = await run({
      ...ALICE,
      clientId: ciClientId,
      totpSecret: DEMO.totpSecret,
      inputNames: CLI_NAMES,
    });
    expect(result.warnings).toEqual([
      'RIPS_TOTP_SECRET is set but MFA is not enabled for this account; the secret was not used',
    ]);
  });

  it("names the caller's inputs in ignored-input warnings", async () => {
    const result = await run({
      ...ALICE,
      grant: 'plain',
      refreshToken: 'def50200aa',
      clientId: 'x',
      inputNames: CLI_NAMES,
    });
    expect(result.warnings).toEqual([
      'RIPS_REFRESH_TOKEN is ignored because --grant is plain',
      '--client-id is ignored because --grant is plain',
    ]);
  });

  it("names the caller's inputs when MFA is required", async () => {
    const missing = await failure(
      run({ ...DEMO, totpSecret: undefined, clientId: ciClientId, inputNames: CLI_NAMES }),
    );
    expect(missing.code).toBe('MFA_REQUIRED');
    expect(missing.message).toBe(
      'MFA is enabled for this account: set RIPS_TOTP_SECRET, or RIPS_MFA_TOKEN with a current MFA token',
    );
    const stale = await failure(
      run({
        ...DEMO,
        totpSecret: undefined,
        mfaToken: 'stale',
        clientId: ciClientId,
        inputNames: CLI_NAMES,
      }),
    );
    expect(stale.message).toBe(
      'The API rejected the MFA token (RIPS_MFA_TOKEN); set RIPS_TOTP_SECRET so that a new one can be obtained',
    );
  });

  it("names the caller's client inputs", async () => {
    const byName = await failure(run({ ...ALICE, clientName: 'deploy', inputNames: CLI_NAMES }));
    expect(byName.code).toBe('CLIENT_NOT_FOUND');
    expect(byName.message).toBe(
      '--client-name: no OAuth client named "deploy"; the API offers: ci, ui-client',
    );
    const byId = await failure(run({ ...ALICE, clientId: '99_nope', inputNames: CLI_NAMES }));
    expect(byId.code).toBe('INVALID_CREDENTIALS');
    expect(byId.message).toMatch(
      /^--client-id: the API does not accept the OAuth client id "99_nope" \(/,
    );
  });

  it("names the caller's inputs before sending anything", async () => {
    const noEmail = await failure(
      run({ password: 'pw', grant: 'password', inputNames: CLI_NAMES }),
    );
    expect(noEmail.message).toBe('--email: the password grant needs an e-mail; it is empty');
    const badSecret = await failure(
      run({ ...ALICE, totpSecret: 'not base32!', inputNames: CLI_NAMES }),
    );
    expect(badSecret.message).toBe(
      'RIPS_TOTP_SECRET: expected a base32 secret (letters A-Z and digits 2-7, as an authenticator app shows it)',
    );
    const insecure = await failure(
      login({
        ...bed.options(),
        ...ALICE,
        apiUrl: 'http://rips.example.com',
        inputNames: CLI_NAMES,
      }),
    );
    expect(insecure.message).toBe(
      '--api-url: plain http:// sends credentials unencrypted to rips.example.com; use https:// or pass --allow-insecure-http',
    );
    expect(await bed.requestLines()).toEqual([]);
  });
});

describe('login and the server clock', () => {
  it.each([90, -90])(
    'obtains the MFA token on the first code with the server %d s off',
    async (offset) => {
      await bed.emulator.control.setClockOffset(offset);
      const result = await run({ ...DEMO, clientId: ciClientId });
      expect(result.mfaToken).toBeDefined();
      expect(await bed.requestLines()).toEqual([
        'POST /oauth/v2/auth/tokens 200',
        'POST /mfas/token 200',
        'GET /status 200',
      ]);
    },
  );
});

describe('login with plain headers and a skewed server clock', () => {
  it('retries at once with the step the Date header shows', async () => {
    await bed.emulator.control.setClockOffset(-90);
    const result = await run({ ...DEMO, grant: 'plain' });
    expect(result.mfaToken).toBeDefined();
    // The first code is wasted because no response has shown the server's clock yet.
    expect(await bed.requestLines()).toEqual([
      'POST /mfas/token 400',
      'POST /mfas/token 200',
      'GET /status 200',
    ]);
    expect(bed.sleeps).toEqual([]);
  });
});

describe('login and secrets', () => {
  it('reports every secret before returning it, each once', async () => {
    const seen: string[] = [];
    const result = await login({
      ...bed.options(),
      ...DEMO,
      password: `${DEMO.password}\n`,
      totpSecret: 'jbsw y3dp ehpk 3pxp',
      clientId: ciClientId,
      onSecret: (value) => seen.push(value),
    });
    expect(seen).toEqual([
      `${DEMO.password}\n`,
      DEMO.password,
      'jbsw y3dp ehpk 3pxp',
      'JBSWY3DPEHPK3PXP',
      result.accessToken,
      `Bearer ${result.accessToken}`,
      result.refreshToken,
      result.mfaToken,
    ]);
  });

  it('reports the secrets before validation fails', async () => {
    const seen: string[] = [];
    const error = await failure(
      login({
        ...bed.options(),
        email: '',
        password: 'hunter2',
        onSecret: (value) => seen.push(value),
      }),
    );
    expect(error.code).toBe('INVALID_OPTION');
    expect(seen).toEqual(['hunter2']);
  });

  it('reports the base64 password sent in plain headers', async () => {
    const seen: string[] = [];
    await login({
      ...bed.options(),
      ...ALICE,
      grant: 'plain',
      onSecret: (value) => seen.push(value),
    });
    expect(seen).toEqual([ALICE.password, Buffer.from(ALICE.password).toString('base64')]);
  });

  it('keeps secrets out of error messages', async () => {
    const first = await run({ ...DEMO, clientId: ciClientId });
    const secrets = [
      DEMO.password,
      DEMO.totpSecret,
      first.accessToken,
      first.refreshToken,
      first.mfaToken,
    ];
    const failures: (() => Promise<unknown>)[] = [
      () => run({ email: DEMO.email, password: `${DEMO.password}x`, clientId: ciClientId }),
      () => run({ refreshToken: `${first.refreshToken}x`, clientId: ciClientId }),
      () =>
        run({
          email: DEMO.email,
          password: DEMO.password,
          clientId: ciClientId,
          mfaToken: `${first.mfaToken}x`,
        }),
      () =>
        run({ email: DEMO.email, password: DEMO.password, grant: 'plain', totpSecret: BOB_SECRET }),
      () => run({ email: DEMO.email, password: DEMO.password, totpSecret: `${DEMO.totpSecret}!` }),
      () =>
        login({
          ...bed.options(),
          email: DEMO.email,
          password: DEMO.password,
          apiUrl: 'http://rips.example.com',
        }),
    ];
    const messages: string[] = [];
    for (const attempt of failures) {
      const error = await failure(attempt());
      messages.push(error.message, String(error.stack));
    }
    const text = [...messages, ...bed.logger.messages].join('\n');
    for (const secret of secrets) {
      for (const form of secretForms(secret ?? '')) {
        expect(text).not.toContain(form);
      }
    }
  });

  it('keeps secrets out of log messages', async () => {
    const result = await run({ ...DEMO, clientId: ciClientId });
    const log = bed.logger.messages.join('\n');
    for (const secret of [
      DEMO.password,
      result.accessToken,
      result.refreshToken,
      result.mfaToken,
    ]) {
      expect(log).not.toContain(secret);
    }
    const code = await generateTotp(DEMO.totpSecret, { timeMs: bed.clock.ms });
    expect(log).not.toContain(code);
  });
});
