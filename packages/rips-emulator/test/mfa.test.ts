import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  ALICE,
  BOB,
  call,
  CAROL,
  codeAt,
  login,
  mfaToken,
  rawHeaders,
  startTestEmulator,
  totpCode,
  type TestEmulator,
} from './helpers.js';

function challenge(code: unknown) {
  return { challenge: { code } };
}

describe('MFA', () => {
  let emulator: TestEmulator;

  beforeEach(async () => {
    emulator = await startTestEmulator();
  });

  afterEach(async () => {
    await emulator.close();
  });

  async function postToken(code: unknown, user: { email: string; password: string } = BOB) {
    return call(emulator, 'POST', '/mfas/token', {
      headers: rawHeaders(user),
      json: challenge(code),
    });
  }

  describe('answers on /mfas/token', () => {
    it.each([['12345'], ['1234567'], ['12a456'], [' 123456'], [123456], [null]])(
      'rejects the code %j as invalid input',
      async (code) => {
        const { status, body } = await postToken(code);
        expect(status).toBe(400);
        expect(body).toEqual({
          code: 400,
          message: 'Invalid input',
          errors: { code: 'expected exactly 6 digits' },
        });
      },
    );

    it('rejects a body without a challenge as invalid input', async () => {
      const { status, body } = await call(emulator, 'POST', '/mfas/token', {
        headers: rawHeaders(BOB),
        json: { code: '123456' },
      });
      expect(status).toBe(400);
      expect((body as { message: string }).message).toBe('Invalid input');
    });

    it('rejects a wrong code', async () => {
      const right = codeAt(emulator, BOB.totpSecret);
      const wrong = right === '000000' ? '111111' : '000000';
      const { status, body } = await postToken(wrong);
      expect(status).toBe(400);
      expect(body).toEqual({ code: 400, message: 'Invalid code' });
    });

    it('accepts a valid code and returns an MFA token', async () => {
      const { status, body } = await postToken(codeAt(emulator, BOB.totpSecret));
      expect(status).toBe(200);
      const mfa = body as Record<string, unknown>;
      expect(mfa['enabled']).toBe(true);
      expect(mfa['token']).toMatch(/^[0-9a-f]{40}$/);
      expect(mfa['issuer']).toBe('RIPS');
      expect(mfa['secret']).toBeUndefined();
    });

    it('rejects a code of a step already used', async () => {
      const code = codeAt(emulator, BOB.totpSecret);
      expect((await postToken(code)).status).toBe(200);
      const { status, body } = await postToken(code);
      expect(status).toBe(400);
      expect(body).toEqual({ code: 400, message: 'Code already used' });
    });

    it('rejects a code of a step before the one used', async () => {
      expect((await postToken(codeAt(emulator, BOB.totpSecret, 1))).status).toBe(200);
      const { status, body } = await postToken(codeAt(emulator, BOB.totpSecret));
      expect(status).toBe(400);
      expect(body).toEqual({ code: 400, message: 'Code already used' });
    });

    it('answers 429 after 3 wrong codes in 30 seconds', async () => {
      const right = codeAt(emulator, BOB.totpSecret);
      const wrong = right === '000000' ? '111111' : '000000';
      for (let attempt = 0; attempt < 3; attempt += 1) {
        expect((await postToken(wrong)).status).toBe(400);
        emulator.clock.ms += 5_000;
      }
      const { status, body, headers } = await postToken(codeAt(emulator, BOB.totpSecret));
      expect(status).toBe(429);
      expect(body).toEqual({ code: 429, message: 'Too many wrong codes' });
      expect(headers.get('retry-after')).toBe('15');
    });

    it('frees the window when the oldest wrong code leaves it', async () => {
      const right = codeAt(emulator, BOB.totpSecret);
      const wrong = right === '000000' ? '111111' : '000000';
      for (let attempt = 0; attempt < 3; attempt += 1) {
        expect((await postToken(wrong)).status).toBe(400);
        emulator.clock.ms += 10_000;
      }
      // Wrong codes at 0 s, 10 s and 20 s: at 30 s the first has left the window.
      const freed = await postToken(codeAt(emulator, BOB.totpSecret));
      expect(freed.status).toBe(200);
    });

    it('counts a reused code as a wrong one', async () => {
      const code = codeAt(emulator, BOB.totpSecret);
      expect((await postToken(code)).status).toBe(200);
      for (let attempt = 0; attempt < 3; attempt += 1) {
        expect((await postToken(code)).status).toBe(400);
      }
      expect((await postToken(code)).status).toBe(429);
    });

    it('does not count malformed input', async () => {
      for (let attempt = 0; attempt < 5; attempt += 1) {
        expect((await postToken('abc')).status).toBe(400);
      }
      expect((await postToken(codeAt(emulator, BOB.totpSecret))).status).toBe(200);
    });

    it('does not count correct codes', async () => {
      for (let step = 0; step < 4; step += 1) {
        emulator.clock.ms += 30_000;
        expect((await postToken(codeAt(emulator, BOB.totpSecret))).status).toBe(200);
      }
    });

    it('answers MFA not initialized when MFA is off and nothing is pending', async () => {
      const { status, body } = await postToken('123456', CAROL);
      expect(status).toBe(400);
      expect(body).toEqual({ code: 400, message: 'MFA not initialized' });
    });

    it('accepts one step of skew either side', async () => {
      expect((await postToken(codeAt(emulator, BOB.totpSecret, -1))).status).toBe(200);
      expect((await postToken(codeAt(emulator, BOB.totpSecret, 1))).status).toBe(200);
    });

    it('rejects a code two steps away', async () => {
      const { status, body } = await postToken(codeAt(emulator, BOB.totpSecret, 2));
      expect(status).toBe(400);
      expect(body).toEqual({ code: 400, message: 'Invalid code' });
    });

    it('honours a configured skew of zero steps', async () => {
      const strict = await startTestEmulator({ clockSkewSteps: 0 });
      try {
        const previous = await call(strict, 'POST', '/mfas/token', {
          headers: rawHeaders(BOB),
          json: challenge(codeAt(strict, BOB.totpSecret, -1)),
        });
        expect(previous.status).toBe(400);
        const current = await call(strict, 'POST', '/mfas/token', {
          headers: rawHeaders(BOB),
          json: challenge(codeAt(strict, BOB.totpSecret)),
        });
        expect(current.status).toBe(200);
      } finally {
        await strict.close();
      }
    });

    it('accepts bearer authentication without X-API-MFA', async () => {
      const tokens = await login(emulator, BOB);
      const { status } = await call(emulator, 'POST', '/mfas/token', {
        headers: { Authorization: `Bearer ${tokens.access_token}` },
        json: challenge(codeAt(emulator, BOB.totpSecret)),
      });
      expect(status).toBe(200);
    });

    it('rejects wrong primary credentials before the code', async () => {
      const { status, body } = await postToken(codeAt(emulator, BOB.totpSecret), {
        ...BOB,
        password: 'wrong',
      });
      expect(status).toBe(401);
      expect(body).toEqual({ code: 401, message: 'Invalid credentials' });
    });

    it('keeps earlier MFA tokens valid after minting another', async () => {
      const first = await mfaToken(emulator, BOB);
      emulator.clock.ms += 30_000;
      const second = await mfaToken(emulator, BOB);
      expect(second).not.toBe(first);
      for (const token of [first, second]) {
        const { status } = await call(emulator, 'GET', '/status', {
          headers: { ...rawHeaders(BOB), 'X-API-MFA': token },
        });
        expect(status).toBe(200);
      }
    });
  });

  describe('enrolment', () => {
    async function startEnrolment(user = CAROL) {
      const { status, body } = await call(emulator, 'POST', '/mfas/secret', {
        headers: rawHeaders(user),
      });
      expect(status).toBe(200);
      return body as { secret: string; issuer: string; label: string; enabled: boolean };
    }

    it('returns a pending secret for an authenticator app', async () => {
      const pending = await startEnrolment();
      expect(pending.secret).toMatch(/^[A-Z2-7]{32}$/);
      expect(pending.issuer).toBe('RIPS');
      expect(pending.label).toBe(`RIPS:${CAROL.email}`);
      expect(pending.enabled).toBe(false);
      const status = await call(emulator, 'GET', '/status', { headers: rawHeaders(CAROL) });
      expect((status.body as { user: { mfa: unknown } }).user.mfa).toEqual({ enabled: false });
    });

    it('turns MFA on with the first valid code', async () => {
      const { secret } = await startEnrolment();
      const { status, body } = await postToken(codeAt(emulator, secret), CAROL);
      expect(status).toBe(200);
      const token = (body as { token: string }).token;

      const without = await call(emulator, 'GET', '/status', { headers: rawHeaders(CAROL) });
      expect(without.status).toBe(401);
      expect(without.body).toEqual({ code: 401, message: 'MFA token required' });
      expect(without.headers.get('x-api-mfa-required')).toBe('1');

      const withToken = await call(emulator, 'GET', '/status', {
        headers: { ...rawHeaders(CAROL), 'X-API-MFA': token },
      });
      expect(withToken.status).toBe(200);
      expect((withToken.body as { user: { mfa: unknown } }).user.mfa).toEqual({ enabled: true });
    });

    it('replaces the pending secret on a second request', async () => {
      const first = await startEnrolment();
      const second = await startEnrolment();
      expect(second.secret).not.toBe(first.secret);
      const stale = await postToken(codeAt(emulator, first.secret), CAROL);
      expect(stale.status).toBe(400);
      expect(stale.body).toEqual({ code: 400, message: 'Invalid code' });
      expect((await postToken(codeAt(emulator, second.secret), CAROL)).status).toBe(200);
    });

    it('never turns MFA on with another account secret', async () => {
      const { secret } = await startEnrolment(CAROL);
      const { status, body } = await postToken(codeAt(emulator, secret), ALICE);
      expect(status).toBe(400);
      expect(body).toEqual({ code: 400, message: 'MFA not initialized' });
    });

    it('answers 401 to /mfas/secret without X-API-MFA once MFA is on', async () => {
      const { status, body, headers } = await call(emulator, 'POST', '/mfas/secret', {
        headers: rawHeaders(BOB),
      });
      expect(status).toBe(401);
      expect(body).toEqual({ code: 401, message: 'MFA token required' });
      expect(headers.get('x-api-mfa-required')).toBe('1');
    });

    it('answers 400 to /mfas/secret with X-API-MFA once MFA is on', async () => {
      const token = await mfaToken(emulator, BOB);
      const { status, body } = await call(emulator, 'POST', '/mfas/secret', {
        headers: { ...rawHeaders(BOB), 'X-API-MFA': token },
      });
      expect(status).toBe(400);
      expect(body).toEqual({ code: 400, message: 'MFA already enabled' });
    });

    it('rejects an invalid X-API-MFA like a missing one', async () => {
      const { status, body } = await call(emulator, 'GET', '/applications', {
        headers: { ...rawHeaders(BOB), 'X-API-MFA': 'not-a-token' },
      });
      expect(status).toBe(401);
      expect(body).toEqual({ code: 401, message: 'MFA token required' });
    });
  });

  describe('/mfas/delete', () => {
    it('requires X-API-MFA', async () => {
      const { status, body } = await call(emulator, 'POST', '/mfas/delete', {
        headers: rawHeaders(BOB),
        json: challenge(codeAt(emulator, BOB.totpSecret)),
      });
      expect(status).toBe(401);
      expect(body).toEqual({ code: 401, message: 'MFA token required' });
    });

    it('requires a fresh code', async () => {
      const token = await mfaToken(emulator, BOB);
      const { status, body } = await call(emulator, 'POST', '/mfas/delete', {
        headers: { ...rawHeaders(BOB), 'X-API-MFA': token },
        json: challenge(codeAt(emulator, BOB.totpSecret)),
      });
      expect(status).toBe(400);
      expect(body).toEqual({ code: 400, message: 'Code already used' });
    });

    it('turns MFA off with a valid token and code', async () => {
      const token = await mfaToken(emulator, BOB);
      emulator.clock.ms += 30_000;
      const { status, body } = await call(emulator, 'POST', '/mfas/delete', {
        headers: { ...rawHeaders(BOB), 'X-API-MFA': token },
        json: challenge(codeAt(emulator, BOB.totpSecret)),
      });
      expect(status).toBe(200);
      expect((body as { enabled: boolean }).enabled).toBe(false);
      const after = await call(emulator, 'GET', '/status', { headers: rawHeaders(BOB) });
      expect(after.status).toBe(200);
      expect((after.body as { user: { mfa: unknown } }).user.mfa).toEqual({ enabled: false });
      const again = await postToken(totpCode(BOB.totpSecret, emulator.clock.ms / 1000 + 30));
      expect(again.body).toEqual({ code: 400, message: 'MFA not initialized' });
    });

    it('shares the wrong-code limit', async () => {
      const token = await mfaToken(emulator, BOB);
      const headers = { ...rawHeaders(BOB), 'X-API-MFA': token };
      const right = codeAt(emulator, BOB.totpSecret, 1);
      const wrong = right === '000000' ? '111111' : '000000';
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const { body } = await call(emulator, 'POST', '/mfas/delete', {
          headers,
          json: challenge(wrong),
        });
        expect(body).toEqual({ code: 400, message: 'Invalid code' });
      }
      const limited = await call(emulator, 'POST', '/mfas/delete', {
        headers,
        json: challenge(right),
      });
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('30');
    });

    it('answers MFA not initialized for a user without MFA', async () => {
      const { status, body } = await call(emulator, 'POST', '/mfas/delete', {
        headers: rawHeaders(ALICE),
        json: challenge('123456'),
      });
      expect(status).toBe(400);
      expect(body).toEqual({ code: 400, message: 'MFA not initialized' });
    });
  });
});
