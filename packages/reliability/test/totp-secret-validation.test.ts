import { runAction, useEmulator } from '@rips-actions/action-testkit';
import { InvalidOptionError, normalizeTotpSecret } from '@rips-actions/auth-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { LOGIN_ACTION, MFA_USER, USERS } from './fixtures.js';
import { failureMessage } from './matrix-support.js';

// otplib 13 cannot decode a base32 secret whose length has a remainder of 1, 3 or 6 modulo 8,
// nor one over 64 bytes, and reports it in a plain Error without a code or the input name. These
// secrets must be rejected as totp-secret before any request.

const BASE32 = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'];
const INVALID_REMAINDERS = [1, 3, 6];

/** Base32 text of 16 to 64 characters whose length no base32 encoder produces. */
const invalidLengthSecret = fc
  .tuple(fc.integer({ min: 2, max: 7 }), fc.constantFrom(...INVALID_REMAINDERS))
  .chain(([blocks, remainder]) => {
    const length = blocks * 8 + remainder;
    return fc.string({ unit: fc.constantFrom(...BASE32), minLength: length, maxLength: length });
  });

const emulator = useEmulator({ users: USERS });

describe('totp-secret that otplib cannot decode', () => {
  it('normalizeTotpSecret rejects an invalid base32 length', () => {
    fc.assert(
      fc.property(invalidLengthSecret, (secret) => {
        expect(() => normalizeTotpSecret(secret)).toThrow(InvalidOptionError);
        expect(() => normalizeTotpSecret(secret)).toThrow(/^totp-secret: /);
      }),
      { numRuns: 50, seed: 1 },
    );
  });

  it('normalizeTotpSecret rejects a secret over 64 bytes', () => {
    // 104 base32 characters are 65 bytes.
    const secret = 'A'.repeat(104);
    expect(() => normalizeTotpSecret(secret)).toThrow(/^totp-secret: /);
  });

  it('rips-login rejects it before any request', async () => {
    // The valid secret with one more character.
    const secret = `${MFA_USER.totpSecret}A`;
    await emulator.control.clearRequests();
    const run = await runAction({
      action: LOGIN_ACTION,
      inputs: {
        'api-url': emulator.url,
        email: MFA_USER.email,
        password: MFA_USER.password,
        'totp-secret': secret,
      },
    });

    expect(run.failed).toBe(true);
    expect(failureMessage(run)).toMatch(/^totp-secret: /);
    expect(await emulator.control.requests()).toEqual([]);
  });
});
