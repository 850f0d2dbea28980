import { randomBytes } from 'node:crypto';

import { createGuardrails, ScureBase32Plugin, verify } from 'otplib';

import { TOTP_PERIOD_SECONDS } from './constants.js';

// otplib 13.5 rejects secrets under 16 bytes by default (its MIN_SECRET_BYTES guardrail), but
// authenticator apps issue 10-byte secrets (16 base32 characters), so the minimum is 10 bytes.
const guardrails = createGuardrails({ MIN_SECRET_BYTES: 10 });
const base32 = new ScureBase32Plugin();

/** Minimum length of a base32 secret: 16 characters are 80 bits. */
export const MIN_SECRET_CHARACTERS = 16;

/**
 * Normalises a base32 secret as authenticator apps accept it: upper or lower case, with or
 * without spaces, hyphens or `=` padding. Returns undefined when the result is not base32 or
 * shorter than 16 characters.
 */
export function normalizeBase32Secret(input: string): string | undefined {
  const secret = input.replace(/[\s=-]/g, '').toUpperCase();
  if (!/^[A-Z2-7]+$/.test(secret) || secret.length < MIN_SECRET_CHARACTERS) {
    return undefined;
  }
  // Lengths of 1, 3 or 6 characters modulo 8 cannot come from whole bytes.
  if ([1, 3, 6].includes(secret.length % 8)) {
    return undefined;
  }
  return secret;
}

/** Creates a random 160-bit secret (RFC 4226 §4 recommends 160 bits), base32 without padding. */
export function generateBase32Secret(): string {
  return base32.encode(randomBytes(20), { padding: false });
}

/** Returns the RFC 6238 time step that contains a moment. */
export function timeStepAt(nowMs: number): number {
  return Math.floor(nowMs / 1000 / TOTP_PERIOD_SECONDS);
}

/**
 * Finds the time step whose 6-digit SHA-1 code (RFC 6238) equals `code`, looking `skewSteps`
 * steps either side of the current one. Returns undefined when no step in that window matches.
 * `secret` must already be normalised.
 */
export async function matchTotpStep(
  secret: string,
  code: string,
  nowMs: number,
  skewSteps: number,
): Promise<number | undefined> {
  const result = await verify({
    secret,
    token: code,
    epoch: Math.floor(nowMs / 1000),
    epochTolerance: skewSteps * TOTP_PERIOD_SECONDS,
    period: TOTP_PERIOD_SECONDS,
    digits: 6,
    algorithm: 'sha1',
    guardrails,
    base32,
  });
  return result.valid && 'timeStep' in result ? result.timeStep : undefined;
}
