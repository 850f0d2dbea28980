import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import {
  createHttpTransport,
  generateTotp,
  login,
  RipsAuthError,
  Session,
  type Transport,
} from '../src/index.js';
import { BOB, DAVE, DEMO, resetTestBed, startTestBed, START_MS, type TestBed } from './helpers.js';

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
    expect(again.code).toBe('HTTP_ERROR');
    expect(again.message).toBe(
      'Starting MFA enrolment failed: POST /mfas/secret returned status 400: MFA already enabled',
    );

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

  it('reports MFA not initialized as a rejected code', async () => {
    const session = passwordSession(
      { email: 'jürgen@example.com', password: 'pässwörd' },
      DEMO.totpSecret,
    );
    const error = await failure(session.obtainMfaToken());
    expect(error.code).toBe('MFA_CODE_REJECTED');
    expect(error.message).toBe(
      'totp-secret: MFA is not enabled for this account and no enrolment is pending',
    );
  });
});
