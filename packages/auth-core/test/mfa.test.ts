import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import {
  createHttpTransport,
  generateTotp,
  HttpError,
  login,
  MfaAlreadyEnabledError,
  MfaCodeRejectedError,
  MFA_ATTEMPT_WINDOW_SECONDS,
  MFA_ATTEMPTS_PER_WINDOW,
  MfaNotEnabledError,
  MfaRateLimitedError,
  RipsAuthError,
  Session,
  type Transport,
} from '../src/index.js';
import {
  ALICE,
  BOB,
  DAVE,
  DEMO,
  resetTestBed,
  startTestBed,
  START_MS,
  type TestBed,
} from './helpers.js';

let bed: TestBed;
let ciClientId: string;

beforeAll(async () => {
  bed = await startTestBed();
  const response = await fetch(`${bed.emulator.url}/oauth/v2/global/clients`);
  ciClientId = ((await response.json()) as Record<string, string>).ci ?? '';
});
afterAll(async () => bed.close());
beforeEach(async () => resetTestBed(bed));

async function failure(promise: Promise<unknown>): Promise<RipsAuthError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(RipsAuthError);
  return error as RipsAuthError;
}

/** Creates a transport that records the TOTP codes sent to the MFA endpoints. */
function recordingTransport(codes: string[]): Transport {
  const inner = createHttpTransport();
  return async (request) => {
    if (request.url.pathname.startsWith('/mfas/') && request.body !== undefined) {
      const body = JSON.parse(Buffer.from(request.body).toString('utf8')) as {
        challenge?: { code?: string };
      };
      if (body.challenge?.code !== undefined) codes.push(body.challenge.code);
    }
    return inner(request);
  };
}

function passwordSession(
  user: { email: string; password: string },
  totpSecret?: string,
  codes?: string[],
) {
  return new Session({
    ...bed.options(),
    credentials: {
      type: 'password',
      email: user.email,
      password: user.password,
      clientId: ciClientId,
    },
    ...(totpSecret === undefined ? {} : { totpSecret }),
    ...(codes === undefined ? {} : { transport: recordingTransport(codes) }),
  });
}

describe('obtaining an MFA token', () => {
  it('waits for the next time step when the current one was used elsewhere', async () => {
    await login({ ...bed.options(), ...DEMO, clientId: ciClientId });
    await bed.emulator.control.clearRequests();
    bed.sleeps.length = 0;
    const codes: string[] = [];
    const session = passwordSession(DEMO, DEMO.totpSecret, codes);
    await session.obtainMfaToken();
    expect(await bed.requestLines()).toEqual([
      'POST /oauth/v2/auth/tokens 200',
      'POST /mfas/token 400',
      'POST /mfas/token 200',
    ]);
    // 10.5 s into the step by the server clock estimate: wait to 0.5 s past its end.
    expect(bed.sleeps).toEqual([20_000]);
    expect(codes).toEqual([
      await generateTotp(DEMO.totpSecret, { timeMs: START_MS }),
      await generateTotp(DEMO.totpSecret, { timeMs: START_MS + 30_000 }),
    ]);
    expect(bed.logger.messages).toContain(
      'info: The API rejected the TOTP code (Code already used); trying the next time step',
    );
  });

  it('sends three codes of three steps at most, then fails with MFA_CODE_REJECTED', async () => {
    const codes: string[] = [];
    const session = passwordSession(DEMO, BOB.totpSecret, codes);
    const error = await failure(session.obtainMfaToken());
    expect(error.code).toBe('MFA_CODE_REJECTED');
    expect(error.message).toBe(
      'totp-secret: the API rejected 3 TOTP codes of consecutive time steps (last response: Invalid code); check that the secret belongs to this account',
    );
    expect(error).toMatchObject({ apiMessage: 'Invalid code', status: 400, path: '/mfas/token' });
    expect(await bed.requestLines()).toEqual([
      'POST /oauth/v2/auth/tokens 200',
      'POST /mfas/token 400',
      'POST /mfas/token 400',
      'POST /mfas/token 400',
    ]);
    expect(new Set(codes).size).toBe(3);
    expect(bed.sleeps).toEqual([20_000, 30_000]);
  });

  it('explains single use when every step was taken', async () => {
    const session = passwordSession(DEMO, DEMO.totpSecret);
    // Another job with the same secret spends each step before this session's code arrives.
    await bed.emulator.control.addFault({
      path: '/mfas/token',
      kind: 'status',
      status: 400,
      body: { code: 400, message: 'Code already used' },
      times: 3,
    });
    const error = await failure(session.obtainMfaToken());
    expect(error.code).toBe('MFA_CODE_REJECTED');
    expect(error.message).toBe(
      'totp-secret: the API rejected 3 TOTP codes of consecutive time steps (last response: ' +
        'Code already used). TOTP codes are single-use: the API accepts each code once per ' +
        '30-second step, so another job or process that uses the same secret took these steps. ' +
        'Reuse an MFA token through mfa-token, give parallel jobs their own account, or sign in ' +
        'one job at a time',
    );
    expect(error).toMatchObject({ apiMessage: 'Code already used', status: 400 });
    expect(await bed.requestLines()).toEqual([
      'POST /oauth/v2/auth/tokens 200',
      'POST /mfas/token 400',
      'POST /mfas/token 400',
      'POST /mfas/token 400',
    ]);
  });

  it('waits out a short rate limit once', async () => {
    const session = passwordSession(DEMO, DEMO.totpSecret);
    await bed.emulator.control.addFault({
      path: '/mfas/token',
      kind: 'status',
      status: 429,
      retryAfter: 12,
      body: { code: 429, message: 'Too many wrong codes' },
    });
    await session.obtainMfaToken();
    expect(await bed.requestLines()).toEqual([
      'POST /oauth/v2/auth/tokens 200',
      'POST /mfas/token 429',
      'POST /mfas/token 200',
    ]);
    expect(bed.sleeps[0]).toBe(12_000);
  });

  it('fails with MFA_RATE_LIMITED and the wait when the limit lasts', async () => {
    const session = passwordSession(DEMO, DEMO.totpSecret);
    await bed.emulator.control.addFault({
      path: '/mfas/token',
      kind: 'status',
      status: 429,
      retryAfter: 60,
      body: { code: 429, message: 'Too many wrong codes' },
    });
    const error = await failure(session.obtainMfaToken());
    expect(error.code).toBe('MFA_RATE_LIMITED');
    expect(error.message).toBe(
      'The API rejects TOTP codes after too many wrong codes; retry in 60 s',
    );
    expect(error).toMatchObject({ retryAfterSeconds: 60, status: 429 });
  });

  it('waits for the window after three wrong codes from elsewhere', async () => {
    const session = passwordSession(DEMO, DEMO.totpSecret);
    await session.signIn();
    const current = await generateTotp(DEMO.totpSecret, { timeMs: bed.clock.ms });
    const wrong = ['000000', '111111', '222222', '333333'].filter((code) => code !== current);
    for (const code of wrong.slice(0, 3)) {
      const response = await fetch(`${bed.emulator.url}/mfas/token`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${session.tokens?.accessToken ?? ''}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ challenge: { code } }),
      });
      expect(response.status).toBe(400);
    }
    await session.obtainMfaToken();
    expect(await bed.requestLines()).toEqual([
      'POST /oauth/v2/auth/tokens 200',
      'POST /mfas/token 400',
      'POST /mfas/token 400',
      'POST /mfas/token 400',
      'POST /mfas/token 429',
      'POST /mfas/token 200',
    ]);
    // The oldest wrong code leaves the window 30 s after it was sent.
    expect(bed.sleeps).toEqual([30_000]);
  });

  it('never sends the same code twice in one session', async () => {
    const codes: string[] = [];
    const session = passwordSession(DEMO, DEMO.totpSecret, codes);
    await session.obtainMfaToken();
    await session.obtainMfaToken();
    expect(codes).toHaveLength(2);
    expect(codes[0]).not.toBe(codes[1]);
    expect(bed.sleeps).toEqual([20_000]);
  });

  it('sends a new code after renewing an expired token', async () => {
    const codes: string[] = [];
    const session = passwordSession(DEMO, DEMO.totpSecret, codes);
    await session.signIn();
    await bed.emulator.control.expireUser(DEMO.email);
    await session.obtainMfaToken();
    expect(await bed.requestLines()).toEqual([
      'POST /oauth/v2/auth/tokens 200',
      'POST /mfas/token 401',
      'POST /oauth/v2/auth/tokens 200',
      'POST /mfas/token 200',
    ]);
    expect(codes).toHaveLength(2);
    expect(codes[1]).not.toBe(codes[0]);
    expect(bed.sleeps).toEqual([20_000]);
  });

  it('accepts the secret with spaces, lower case and padding', async () => {
    const session = passwordSession(DEMO, 'jbsw y3dp ehpk 3pxp==');
    await expect(session.obtainMfaToken()).resolves.toMatch(/\S/);
  });

  it('rejects a malformed secret before sending anything', async () => {
    expect(() => passwordSession(DEMO, 'not-base32!')).toThrow(
      'totp-secret: expected a base32 secret (letters A-Z and digits 2-7, as an authenticator app shows it)',
    );
    expect(await bed.requests()).toEqual([]);
  });
});

describe('MFA enrolment', () => {
  it('begins, enables and disables MFA', async () => {
    const session = passwordSession(DAVE);
    const enrolment = await session.beginMfaEnrolment();
    expect(enrolment.secret).toMatch(/^[A-Z2-7]{16,}$/);
    expect(enrolment.issuer).toBe('RIPS');
    expect(enrolment.label).toBe('RIPS:dave@example.com');
    expect(enrolment.uri).toBe(
      `otpauth://totp/RIPS:dave%40example.com?secret=${enrolment.secret}&issuer=RIPS`,
    );
    expect(bed.secrets).toContain(enrolment.secret);

    const mfaToken = await session.enableMfa(enrolment.secret);
    expect(session.mfaToken).toBe(mfaToken);
    expect(bed.secrets).toContain(mfaToken);
    expect((await session.status()).user?.mfaEnabled).toBe(true);

    const again = await failure(session.beginMfaEnrolment());
    expect(again).toBeInstanceOf(MfaAlreadyEnabledError);
    expect(again).toBeInstanceOf(HttpError);
    expect(again.code).toBe('MFA_ALREADY_ENABLED');
    expect(again.message).toBe(
      'Starting MFA enrolment failed: MFA is already enabled for this account (POST /mfas/secret returned status 400: MFA already enabled); turn MFA off before enrolling a new secret',
    );
    expect(again).toMatchObject({ status: 400, apiMessage: 'MFA already enabled' });

    await session.disableMfa();
    expect(session.mfaToken).toBeUndefined();
    expect((await session.status()).user?.mfaEnabled).toBe(false);
    expect(await bed.requestLines()).toEqual([
      'POST /oauth/v2/auth/tokens 200',
      'POST /mfas/secret 200',
      'POST /mfas/token 200',
      'GET /status 200',
      'POST /mfas/secret 400',
      'POST /mfas/delete 200',
      'GET /status 200',
    ]);
    // Enabling used the first step, so disabling waited for the next one.
    expect(bed.sleeps).toEqual([20_000]);
  });

  it('needs the TOTP secret to disable MFA', async () => {
    const session = passwordSession(DEMO);
    const error = await failure(session.disableMfa());
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.message).toBe('totpSecret: turning MFA off needs the TOTP secret; it is missing');
  });

  it('reports MFA not initialized as MFA_NOT_INITIALIZED', async () => {
    const session = passwordSession(
      { email: 'jürgen@example.com', password: 'pässwörd' },
      DEMO.totpSecret,
    );
    const error = await failure(session.obtainMfaToken());
    expect(error).toBeInstanceOf(MfaNotEnabledError);
    expect(error).toBeInstanceOf(MfaCodeRejectedError);
    expect(error.code).toBe('MFA_NOT_INITIALIZED');
    expect(error.message).toBe(
      'totp-secret: MFA is not enabled for this account and no enrolment is pending',
    );
    expect(error).toMatchObject({ apiMessage: 'MFA not initialized', status: 400 });
  });

  it('raises MFA_ALREADY_ENABLED without an MFA token and sends no code', async () => {
    const codes: string[] = [];
    const session = passwordSession(DEMO, DEMO.totpSecret, codes);
    const error = await failure(session.beginMfaEnrolment());
    expect(error).toBeInstanceOf(MfaAlreadyEnabledError);
    expect(error.code).toBe('MFA_ALREADY_ENABLED');
    expect(error.message).toBe(
      'Starting MFA enrolment failed: MFA is already enabled for this account (POST /mfas/secret returned status 401: MFA token required); turn MFA off before enrolling a new secret',
    );
    expect(error).toMatchObject({ status: 401, path: '/mfas/secret' });
    expect(codes).toEqual([]);
    expect(await bed.requestLines()).toEqual([
      'POST /oauth/v2/auth/tokens 200',
      'POST /mfas/secret 401',
    ]);
  });
});

/** Returns a 6-digit code that differs from the current code of `secret` on the fake clock. */
async function wrongCode(secret: string, offset = 0): Promise<string> {
  const current = await generateTotp(secret, { timeMs: bed.clock.ms });
  const candidates = ['000000', '111111', '222222', '333333', '444444'];
  return candidates.filter((code) => code !== current)[offset] ?? '555555';
}

describe('MFA with a given code', () => {
  it('enables and disables MFA with one request per code', async () => {
    const codes: string[] = [];
    const session = passwordSession(DAVE, undefined, codes);
    const { secret } = await session.beginMfaEnrolment();
    const first = await generateTotp(secret, { timeMs: bed.clock.ms });

    const mfaToken = await session.enableMfa({ code: first });
    expect(session.mfaToken).toBe(mfaToken);
    expect(bed.secrets).toContain(mfaToken);
    expect((await session.status()).user?.mfaEnabled).toBe(true);

    bed.clock.ms += 30_000;
    const second = await generateTotp(secret, { timeMs: bed.clock.ms });
    await session.disableMfa({ code: second });
    expect(session.mfaToken).toBeUndefined();
    expect((await session.status()).user?.mfaEnabled).toBe(false);
    expect(codes).toEqual([first, second]);
    expect(bed.sleeps).toEqual([]);
    expect(await bed.requestLines()).toEqual([
      'POST /oauth/v2/auth/tokens 200',
      'POST /mfas/secret 200',
      'POST /mfas/token 200',
      'GET /status 200',
      'POST /mfas/delete 200',
      'GET /status 200',
    ]);
  });

  it('sends a wrong code once and raises MFA_CODE_REJECTED', async () => {
    const codes: string[] = [];
    const session = passwordSession(DAVE, undefined, codes);
    const { secret } = await session.beginMfaEnrolment();
    const wrong = await wrongCode(secret);

    const error = await failure(session.enableMfa({ code: wrong }));
    expect(error).toBeInstanceOf(MfaCodeRejectedError);
    expect(error.code).toBe('MFA_CODE_REJECTED');
    expect(error.message).toBe(
      'The API rejected the TOTP code (Invalid code); check that the code belongs to this account and that the clock of its device is right',
    );
    expect(error).toMatchObject({ apiMessage: 'Invalid code', status: 400, path: '/mfas/token' });
    expect(codes).toEqual([wrong]);
    expect(bed.sleeps).toEqual([]);
    expect(session.mfaToken).toBeUndefined();
  });

  it('reports a reused code without sending another', async () => {
    const codes: string[] = [];
    const session = passwordSession(DEMO, undefined, codes);
    const code = await generateTotp(DEMO.totpSecret, { timeMs: bed.clock.ms });
    const mfaToken = await session.obtainMfaToken({ code });
    expect(session.mfaToken).toBe(mfaToken);

    const error = await failure(session.obtainMfaToken({ code }));
    expect(error.code).toBe('MFA_CODE_REJECTED');
    expect(error.message).toBe(
      'The API rejected the TOTP code (Code already used); the API accepts each code once, so send the code of the next 30 s step',
    );
    expect(error).toMatchObject({ apiMessage: 'Code already used', status: 400 });
    expect(codes).toEqual([code, code]);
    expect(session.mfaToken).toBe(mfaToken);
    expect(await bed.requestLines()).toEqual([
      'POST /oauth/v2/auth/tokens 200',
      'POST /mfas/token 200',
      'POST /mfas/token 400',
    ]);
  });

  it('raises MFA_RATE_LIMITED with the wait after three wrong codes', async () => {
    const session = passwordSession(DEMO);
    for (let attempt = 0; attempt < MFA_ATTEMPTS_PER_WINDOW; attempt++) {
      const rejected = await failure(
        session.obtainMfaToken({ code: await wrongCode(DEMO.totpSecret, attempt) }),
      );
      expect(rejected.code).toBe('MFA_CODE_REJECTED');
    }
    bed.clock.ms += 5_000;
    const right = await generateTotp(DEMO.totpSecret, { timeMs: bed.clock.ms });

    const error = await failure(session.obtainMfaToken({ code: right }));
    expect(error).toBeInstanceOf(MfaRateLimitedError);
    expect(error.code).toBe('MFA_RATE_LIMITED');
    expect(error.message).toBe(
      'The API rejects TOTP codes after too many wrong codes; retry in 25 s',
    );
    expect(error).toMatchObject({ retryAfterSeconds: 25, status: 429, path: '/mfas/token' });
    expect(bed.sleeps).toEqual([]);
    expect(await bed.requestLines()).toEqual([
      'POST /oauth/v2/auth/tokens 200',
      'POST /mfas/token 400',
      'POST /mfas/token 400',
      'POST /mfas/token 400',
      'POST /mfas/token 429',
    ]);
  });

  it('reads a Retry-After date on the server clock', async () => {
    const session = passwordSession(DEMO);
    await session.signIn();
    await bed.emulator.control.addFault({
      path: '/mfas/token',
      kind: 'status',
      status: 429,
      retryAfter: new Date(bed.clock.ms + 40_000).toUTCString(),
      body: { code: 429, message: 'Too many wrong codes' },
    });
    const error = await failure(session.obtainMfaToken({ code: '123456' }));
    expect(error.code).toBe('MFA_RATE_LIMITED');
    // The Date header has whole seconds, so the client's estimate is up to 1 s late.
    expect(error).toMatchObject({ retryAfterSeconds: 40 });
  });

  it('raises MFA_NOT_INITIALIZED without a pending enrolment', async () => {
    const session = passwordSession(ALICE);
    const enabling = await failure(session.enableMfa({ code: '123456' }));
    expect(enabling).toBeInstanceOf(MfaNotEnabledError);
    expect(enabling.code).toBe('MFA_NOT_INITIALIZED');
    expect(enabling.message).toBe(
      'MFA is not enabled for this account and no enrolment is pending',
    );
    expect(enabling).toMatchObject({ apiMessage: 'MFA not initialized', path: '/mfas/token' });

    const disabling = await failure(session.disableMfa({ code: '123456' }));
    expect(disabling.code).toBe('MFA_NOT_INITIALIZED');
    expect(disabling).toMatchObject({ status: 400, path: '/mfas/delete' });
  });

  it('raises MFA_ALREADY_ENABLED when the code endpoint reports it', async () => {
    const session = passwordSession(DEMO);
    await bed.emulator.control.addFault({
      path: '/mfas/token',
      kind: 'status',
      status: 400,
      body: { code: 400, message: 'MFA already enabled' },
    });
    const error = await failure(session.enableMfa({ code: '123456' }));
    expect(error.code).toBe('MFA_ALREADY_ENABLED');
    expect(error.message).toBe(
      'Sending a TOTP code failed: MFA is already enabled for this account (POST /mfas/token returned status 400: MFA already enabled); turn MFA off before enrolling a new secret',
    );
  });

  it('rejects a code that is not 6 digits before sending it', async () => {
    const session = passwordSession(DEMO);
    for (const code of ['12345', '1234567', '12a456', '']) {
      const error = await failure(session.enableMfa({ code }));
      expect(error.code).toBe('INVALID_OPTION');
      expect(error.message).toBe('code: expected a TOTP code of exactly 6 digits');
    }
    expect((await bed.requestLines()).filter((line) => line.includes('/mfas/'))).toEqual([]);
  });

  it('sends the code again only after renewing an expired token', async () => {
    const codes: string[] = [];
    const session = passwordSession(DEMO, undefined, codes);
    await session.signIn();
    await bed.emulator.control.expireUser(DEMO.email);
    const code = await generateTotp(DEMO.totpSecret, { timeMs: bed.clock.ms });

    await session.obtainMfaToken({ code });
    expect(codes).toEqual([code, code]);
    expect(await bed.requestLines()).toEqual([
      'POST /oauth/v2/auth/tokens 200',
      'POST /mfas/token 401',
      'POST /oauth/v2/auth/tokens 200',
      'POST /mfas/token 200',
    ]);
  });
});

describe('Session.useMfaToken', () => {
  it('disables MFA with a token given after creation', async () => {
    const enrolling = passwordSession(DAVE);
    const { secret } = await enrolling.beginMfaEnrolment();
    const mfaToken = await enrolling.enableMfa({
      code: await generateTotp(secret, { timeMs: bed.clock.ms }),
    });
    bed.clock.ms += 30_000;
    const code = await generateTotp(secret, { timeMs: bed.clock.ms });

    const session = passwordSession(DAVE);
    const missing = await failure(session.disableMfa({ code }));
    expect(missing.code).toBe('MFA_REQUIRED');
    expect(missing.message).toBe(
      'MFA is enabled for this account: set totp-secret, or mfa-token with a current MFA token',
    );

    bed.secrets.length = 0;
    session.useMfaToken(`${mfaToken}\n`);
    expect(bed.secrets).toEqual([`${mfaToken}\n`, mfaToken]);
    expect(session.mfaToken).toBe(mfaToken);
    await session.disableMfa({ code });
    expect((await session.status()).user?.mfaEnabled).toBe(false);
    // The missing MFA token was reported before the code was checked, so the code stayed fresh.
    expect((await bed.requestLines()).filter((line) => line.includes('/mfas/delete'))).toEqual([
      'POST /mfas/delete 401',
      'POST /mfas/delete 200',
    ]);
  });

  it("rejects an empty token with the caller's input name", () => {
    const session = new Session({
      ...bed.options(),
      credentials: { type: 'password', email: DEMO.email, password: DEMO.password },
      inputNames: { mfaToken: 'RIPS_MFA_TOKEN' },
    });
    expect(() => session.useMfaToken('\n')).toThrow('RIPS_MFA_TOKEN: the MFA token is empty');
    expect(() => passwordSession(DEMO).useMfaToken('')).toThrow(
      'mfa-token: the MFA token is empty',
    );
  });
});

describe('MFA attempt limit constants', () => {
  it('match the API limit of 3 wrong codes in 30 s', () => {
    expect(MFA_ATTEMPTS_PER_WINDOW).toBe(3);
    expect(MFA_ATTEMPT_WINDOW_SECONDS).toBe(30);
  });
});
