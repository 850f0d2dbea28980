import { spawnSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { matchTotpStep, normalizeBase32Secret } from '../src/totp.js';
import {
  BOB,
  call,
  rawHeaders,
  startTestEmulator,
  totpCode,
  type TestEmulator,
} from './helpers.js';

/** Base32 of the ASCII secret "12345678901234567890" that RFC 6238 Appendix B uses for SHA-1. */
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

/** RFC 6238 Appendix B SHA-1 rows: time in seconds and the 8-digit code. */
const RFC_VECTORS: [number, string][] = [
  [59, '94287082'],
  [1_111_111_109, '07081804'],
  [1_111_111_111, '14050471'],
  [1_234_567_890, '89005924'],
  [2_000_000_000, '69279037'],
  [20_000_000_000, '65353130'],
];

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32Encode(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let text = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      text += BASE32_ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) {
    text += BASE32_ALPHABET[(value << (5 - bits)) & 31];
  }
  return text;
}

describe('TOTP checking', () => {
  it('agrees with the test helper on the RFC 6238 vectors', () => {
    for (const [time, code] of RFC_VECTORS) {
      expect(totpCode(RFC_SECRET, time, 8)).toBe(code);
    }
  });

  it.each(RFC_VECTORS)('accepts the RFC 6238 code at %i s', async (time, code) => {
    const step = await matchTotpStep(RFC_SECRET, code.slice(-6), time * 1000, 0);
    expect(step).toBe(Math.floor(time / 30));
  });

  it.each(RFC_VECTORS)('rejects the RFC 6238 code of %i s a minute later', async (time, code) => {
    const step = await matchTotpStep(RFC_SECRET, code.slice(-6), (time + 60) * 1000, 1);
    expect(step).toBeUndefined();
  });

  it.each([
    ['lower case', 'jbswy3dpehpk3pxp', 'JBSWY3DPEHPK3PXP'],
    ['spaces', 'JBSW Y3DP EHPK 3PXP', 'JBSWY3DPEHPK3PXP'],
    ['padding', 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGE======', 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGE'],
    ['a trailing line break', 'JBSWY3DPEHPK3PXP\n', 'JBSWY3DPEHPK3PXP'],
  ])('normalises a secret with %s', (_case, input, expected) => {
    expect(normalizeBase32Secret(input)).toBe(expected);
  });

  it.each([
    ['too short', 'JBSWY3DPEHPK3PX'],
    ['not base32', 'JBSWY3DPEHPK3PX1'],
    ['an impossible length', 'JBSWY3DPEHPK3PXPA'],
  ])('rejects a secret that is %s', (_case, input) => {
    expect(normalizeBase32Secret(input)).toBeUndefined();
  });

  describe('over HTTP', () => {
    let emulator: TestEmulator;

    beforeAll(async () => {
      emulator = await startTestEmulator();
    });

    afterAll(async () => {
      await emulator.close();
    });

    it('accepts each RFC 6238 code at its time', async () => {
      // BOB's secret is the RFC secret. The times rise, so no step is reused.
      for (const [time, code] of RFC_VECTORS) {
        emulator.clock.ms = time * 1000;
        const { status } = await call(emulator, 'POST', '/mfas/token', {
          headers: rawHeaders(BOB),
          json: { challenge: { code: code.slice(-6) } },
        });
        expect(status, `code at ${time} s`).toBe(200);
      }
    });
  });
});

const oathtoolPresent = spawnSync('oathtool', ['--version']).status === 0;
const required = process.env['CI'] === 'true';

function oathtool(secret: string, epochSeconds: number): string {
  const result = spawnSync('oathtool', ['--totp', '-b', secret, '-N', `@${epochSeconds}`], {
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    throw new Error(`oathtool failed with status ${String(result.status)}: ${result.stderr}`);
  }
  return result.stdout.trim();
}

// Debian's oathtool is an independent TOTP implementation. CI installs it, so a missing oathtool
// fails the suite there, and elsewhere the comparison is skipped.
describe.runIf(oathtoolPresent || required)('TOTP checking against oathtool', () => {
  it('finds oathtool', () => {
    expect(oathtoolPresent, 'oathtool is not installed: apt-get install oathtool').toBe(true);
  });

  it.each([[10], [16], [20], [32]])('agrees on random %i-byte secrets', async (length) => {
    for (let round = 0; round < 5; round += 1) {
      const secret = base32Encode(randomBytes(length));
      const time = randomInt(0, 4_000_000_000);
      const code = oathtool(secret, time);
      expect(await matchTotpStep(secret, code, time * 1000, 0), `secret ${secret} at ${time}`).toBe(
        Math.floor(time / 30),
      );
    }
  });

  it('agrees on an 80-bit secret written in lower case with spaces', async () => {
    const secret = base32Encode(randomBytes(10));
    const written = secret
      .toLowerCase()
      .replace(/(.{4})/g, '$1 ')
      .trim();
    const emulator = await startTestEmulator({
      users: [{ email: 'otp@example.com', password: 'otp-password', totpSecret: written }],
    });
    try {
      const code = oathtool(secret, Math.floor(emulator.clock.ms / 1000));
      const { status } = await call(emulator, 'POST', '/mfas/token', {
        headers: { 'X-API-Email': 'otp@example.com', 'X-API-Password': 'otp-password' },
        json: { challenge: { code } },
      });
      expect(status).toBe(200);
    } finally {
      await emulator.close();
    }
  });

  it('rejects the oathtool code of a step two away', async () => {
    const secret = base32Encode(randomBytes(20));
    const time = 1_800_000_000;
    const code = oathtool(secret, time + 60);
    expect(await matchTotpStep(secret, code, time * 1000, 1)).toBeUndefined();
  });
});
