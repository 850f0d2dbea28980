import { createGuardrails, generate, generateURI } from 'otplib';

import { InvalidOptionError } from '../errors.js';

/** TOTP time step in seconds (RFC 6238 default, used by RIPS). */
export const TOTP_PERIOD_SECONDS = 30;

/** Shortest accepted secret: 80 bits, the size authenticator apps issue (16 base32 characters). */
const MIN_SECRET_BYTES = 10;

/** Longest accepted secret: otplib 13 rejects secrets over 64 bytes (103 base32 characters). */
const MAX_SECRET_BYTES = 64;

/**
 * Lengths modulo 8 that unpadded base32 text can have (RFC 4648 §6): each 8-character block
 * holds 5 bytes, and a last partial block of 1, 2, 3 or 4 bytes takes 2, 4, 5 or 7 characters.
 */
const BASE32_REMAINDERS = new Set([0, 2, 4, 5, 7]);

/**
 * otplib 13 rejects secrets under 16 bytes by default, but RIPS and authenticator apps issue
 * 10-byte (80-bit) secrets, so the floor is lowered to 10 bytes.
 */
const GUARDRAILS = createGuardrails({ MIN_SECRET_BYTES });

/** Hash algorithms of RFC 6238; RIPS uses `sha1`. */
export type TotpAlgorithm = 'sha1' | 'sha256' | 'sha512';

/** Options of {@link generateTotp}. */
export interface TotpOptions {
  /** Instant to generate the code for, in milliseconds since the Unix epoch. Default: now. */
  timeMs?: number;
  /** Code length, 6 for RIPS. RFC 6238 Appendix B uses 8. */
  digits?: 6 | 7 | 8;
  /** HMAC hash, `sha1` for RIPS. */
  algorithm?: TotpAlgorithm;
}

/**
 * Normalises a base32 TOTP secret the way authenticator apps accept it: spaces, hyphens and
 * `=` padding are dropped and letters are upper-cased. Throws {@link InvalidOptionError} when the
 * result is not base32, has a length that no base32 encoder produces, or is shorter than 80 bits
 * or longer than 64 bytes. The error never contains the secret.
 *
 * @example
 * ```ts
 * normalizeTotpSecret('jbsw y3dp ehpk 3pxp=='); // 'JBSWY3DPEHPK3PXP'
 * ```
 */
export function normalizeTotpSecret(secret: string, option = 'totp-secret'): string {
  const normalized = secret.replace(/[\s=-]/g, '').toUpperCase();
  if (normalized === '') {
    throw new InvalidOptionError(option, 'the TOTP secret is empty');
  }
  if (!/^[A-Z2-7]+$/.test(normalized)) {
    throw new InvalidOptionError(
      option,
      'expected a base32 secret (letters A-Z and digits 2-7, as an authenticator app shows it)',
    );
  }
  const length = normalized.length;
  const bytes = Math.floor((length * 5) / 8);
  if (bytes < MIN_SECRET_BYTES) {
    throw new InvalidOptionError(
      option,
      `expected at least 16 base32 characters (80 bits), received ${length} characters`,
    );
  }
  if (bytes > MAX_SECRET_BYTES) {
    throw new InvalidOptionError(
      option,
      `expected at most 103 base32 characters (${MAX_SECRET_BYTES} bytes), received ${length} ` +
        `characters (${bytes} bytes); check that the value is the TOTP secret and nothing else`,
    );
  }
  if (!BASE32_REMAINDERS.has(length % 8)) {
    throw new InvalidOptionError(
      option,
      `expected a base32 length that an encoder produces (a multiple of 8 characters, or 2, 4, ` +
        `5 or 7 more), received ${length} characters; check that the secret was copied whole, ` +
        'with no character missing or added',
    );
  }
  return normalized;
}

/** Returns the RFC 6238 time step number (`T`) of an instant given in milliseconds. */
export function totpTimeStep(timeMs: number): number {
  return Math.floor(timeMs / 1000 / TOTP_PERIOD_SECONDS);
}

/**
 * Generates a TOTP code (RFC 6238) from a base32 secret, normalised first with
 * {@link normalizeTotpSecret}.
 *
 * @example
 * ```ts
 * await generateTotp('JBSWY3DPEHPK3PXP', { timeMs: Date.UTC(2026, 0, 1) }); // six digits
 * ```
 */
export async function generateTotp(secret: string, options: TotpOptions = {}): Promise<string> {
  const normalized = normalizeTotpSecret(secret);
  const timeMs = options.timeMs ?? Date.now();
  return generate({
    secret: normalized,
    guardrails: GUARDRAILS,
    algorithm: options.algorithm ?? 'sha1',
    digits: options.digits ?? 6,
    period: TOTP_PERIOD_SECONDS,
    // otplib 13 takes the epoch in whole seconds; flooring keeps the step of `timeMs`.
    epoch: Math.floor(timeMs / 1000),
  });
}

/**
 * Builds the `otpauth://totp/` URI that an authenticator app reads from a QR code.
 *
 * @example
 * ```ts
 * otpauthUri({ secret: 'JBSWY3DPEHPK3PXP', issuer: 'RIPS', label: 'demo@example.com' });
 * // 'otpauth://totp/RIPS:demo%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=RIPS…'
 * ```
 */
export function otpauthUri(parameters: { secret: string; issuer: string; label: string }): string {
  return generateURI({
    issuer: parameters.issuer,
    label: parameters.label,
    secret: normalizeTotpSecret(parameters.secret),
  });
}
