import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import {
  generateTotp,
  InvalidOptionError,
  normalizeTotpSecret,
  otpauthUri,
  totpTimeStep,
  type TotpAlgorithm,
} from '../src/index.js';

const OATHTOOL = '/usr/bin/oathtool';

/** RFC 4648 base32 without padding, written here so the vectors do not depend on otplib. */
function base32(bytes: Buffer): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) {
    out += alphabet[(value << (5 - bits)) & 31];
  }
  return out;
}

/** The ASCII seeds of RFC 6238 Appendix B, one per hash. */
const SEEDS: Record<TotpAlgorithm, string> = {
  sha1: base32(Buffer.from('12345678901234567890')),
  sha256: base32(Buffer.from('12345678901234567890123456789012')),
  sha512: base32(Buffer.from('1234567890123456789012345678901234567890123456789012345678901234')),
};

/** RFC 6238 Appendix B test vectors: Unix time in seconds, hash, 8-digit code. */
const VECTORS: [number, TotpAlgorithm, string][] = [
  [59, 'sha1', '94287082'],
  [59, 'sha256', '46119246'],
  [59, 'sha512', '90693936'],
  [1111111109, 'sha1', '07081804'],
  [1111111109, 'sha256', '68084774'],
  [1111111109, 'sha512', '25091201'],
  [1111111111, 'sha1', '14050471'],
  [1111111111, 'sha256', '67062674'],
  [1111111111, 'sha512', '99943326'],
  [1234567890, 'sha1', '89005924'],
  [1234567890, 'sha256', '91819424'],
  [1234567890, 'sha512', '93441116'],
  [2000000000, 'sha1', '69279037'],
  [2000000000, 'sha256', '90698825'],
  [2000000000, 'sha512', '38618901'],
  [20000000000, 'sha1', '65353130'],
  [20000000000, 'sha256', '77737706'],
  [20000000000, 'sha512', '47863826'],
];

describe('generateTotp', () => {
  it.each(VECTORS)('matches RFC 6238 at %d s with %s', async (seconds, algorithm, code) => {
    await expect(
      generateTotp(SEEDS[algorithm], { timeMs: seconds * 1000, digits: 8, algorithm }),
    ).resolves.toBe(code);
  });

  it('uses six digits and SHA-1 by default', async () => {
    await expect(generateTotp(SEEDS.sha1, { timeMs: 59_000 })).resolves.toBe('287082');
  });

  it('keeps the step of a time inside it', async () => {
    const start = await generateTotp('JBSWY3DPEHPK3PXP', { timeMs: 1_800_000_000_000 });
    const end = await generateTotp('JBSWY3DPEHPK3PXP', { timeMs: 1_800_000_000_000 + 29_999 });
    expect(end).toBe(start);
  });

  it('accepts an 80-bit secret in any case with spaces and padding', async () => {
    const expected = await generateTotp('JBSWY3DPEHPK3PXP', { timeMs: 1_800_000_000_000 });
    await expect(
      generateTotp('jbsw y3dp ehpk 3pxp====', { timeMs: 1_800_000_000_000 }),
    ).resolves.toBe(expected);
  });
});

describe('generateTotp against oathtool', () => {
  const available = existsSync(OATHTOOL);
  const underCi = process.env.CI === 'true';

  it('finds oathtool under CI', () => {
    // Outside CI the cross-check below is skipped when Debian's oathtool is not installed.
    if (underCi) {
      expect(available, `${OATHTOOL} is missing: apt-get install -y oathtool`).toBe(true);
    }
  });

  const secrets = [
    'JBSWY3DPEHPK3PXP',
    'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ',
    SEEDS.sha256,
    SEEDS.sha512,
  ];
  const times = [0, 59, 1_111_111_109, 1_700_000_015, 2_000_000_000, 4_102_444_800];

  it
    .runIf(available || underCi)
    .each(secrets.flatMap((secret) => times.map((seconds) => [secret, seconds] as const)))(
    'matches oathtool for %s at %d s',
    async (secret, seconds) => {
      const expected = execFileSync(OATHTOOL, ['--totp', '--base32', '-N', `@${seconds}`, secret], {
        encoding: 'utf8',
        env: { ...process.env, TZ: 'UTC' },
      }).trim();
      await expect(generateTotp(secret, { timeMs: seconds * 1000 })).resolves.toBe(expected);
    },
  );

  it.runIf(available || underCi).each(['sha256', 'sha512'] as const)(
    'matches oathtool with %s and 8 digits',
    async (algorithm) => {
      const expected = execFileSync(
        OATHTOOL,
        [`--totp=${algorithm}`, '--base32', '-d', '8', '-N', '@1234567890', SEEDS[algorithm]],
        { encoding: 'utf8' },
      ).trim();
      await expect(
        generateTotp(SEEDS[algorithm], { timeMs: 1_234_567_890_000, digits: 8, algorithm }),
      ).resolves.toBe(expected);
    },
  );
});

describe('normalizeTotpSecret', () => {
  it.each([
    ['JBSWY3DPEHPK3PXP', 'JBSWY3DPEHPK3PXP'],
    ['jbswy3dpehpk3pxp', 'JBSWY3DPEHPK3PXP'],
    ['jbsw y3dp ehpk 3pxp', 'JBSWY3DPEHPK3PXP'],
    ['JBSW-Y3DP-EHPK-3PXP', 'JBSWY3DPEHPK3PXP'],
    ['JBSWY3DPEHPK3PXP======', 'JBSWY3DPEHPK3PXP'],
    ['JBSWY3DPEHPK3PXP\n', 'JBSWY3DPEHPK3PXP'],
  ])('normalizes %j', (input, expected) => {
    expect(normalizeTotpSecret(input)).toBe(expected);
  });

  it.each([
    ['', 'totp-secret: the TOTP secret is empty'],
    [
      'JBSWY3DPEHPK3PX1',
      'totp-secret: expected a base32 secret (letters A-Z and digits 2-7, as an authenticator app shows it)',
    ],
    [
      'JBSWY3DPEHPK3PX',
      'totp-secret: expected at least 16 base32 characters (80 bits), received 15 characters',
    ],
    [
      'JBSWY3DPEHPK3PXPA',
      'totp-secret: expected a base32 length that an encoder produces (a multiple of 8 ' +
        'characters, or 2, 4, 5 or 7 more), received 17 characters; check that the secret was ' +
        'copied whole, with no character missing or added',
    ],
    [
      'A'.repeat(104),
      'totp-secret: expected at most 103 base32 characters (64 bytes), received 104 characters ' +
        '(65 bytes); check that the value is the TOTP secret and nothing else',
    ],
  ])('rejects %j without quoting it', (input, message) => {
    let caught: unknown;
    try {
      normalizeTotpSecret(input);
    } catch (error: unknown) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidOptionError);
    expect((caught as InvalidOptionError).message).toBe(message);
  });
});

describe('normalizeTotpSecret lengths', () => {
  it.each([16, 18, 20, 21, 23, 24, 32, 103])(
    'accepts %d characters, a length base32 has',
    async (length) => {
      const secret = 'A'.repeat(length);
      expect(normalizeTotpSecret(secret)).toBe(secret);
      await expect(generateTotp(secret, { timeMs: Date.UTC(2026, 0, 1) })).resolves.toMatch(
        /^\d{6}$/,
      );
    },
  );

  it.each([17, 19, 22, 25, 27, 30, 33, 102])(
    'rejects %d characters, a length base32 never has',
    (length) => {
      expect(() => normalizeTotpSecret('A'.repeat(length))).toThrow(
        new RegExp(`^totp-secret: expected a base32 length .* received ${length} characters`),
      );
    },
  );

  it('names the caller input', () => {
    expect(() => normalizeTotpSecret('A'.repeat(17), '--totp-secret')).toThrow(/^--totp-secret: /);
  });
});

describe('totpTimeStep', () => {
  it.each([
    [0, 0],
    [29_999, 0],
    [30_000, 1],
    [59_000, 1],
    [1_111_111_109_000, 37_037_036],
  ])('maps %d ms to step %d', (ms, step) => {
    expect(totpTimeStep(ms)).toBe(step);
  });
});

describe('otpauthUri', () => {
  it('builds the URI an authenticator app reads', () => {
    expect(
      otpauthUri({ secret: 'jbsw y3dp ehpk 3pxp', issuer: 'RIPS', label: 'demo@example.com' }),
    ).toBe('otpauth://totp/RIPS:demo%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=RIPS');
  });
});
