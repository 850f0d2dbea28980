import { createHmac } from 'node:crypto';

import { startEmulator, type Emulator, type EmulatorOptions, type UserSeed } from '../src/index.js';

/** Start of a TOTP step: 2026-01-01T00:00:00Z. */
export const START_MS = Date.UTC(2026, 0, 1);

export const ALICE = { email: 'alice@example.com', password: 'correct horse' };
/** HTTP trims header values, so a password with edge spaces works only in the -Enc pair. */
export const DAVE = { email: 'dave@example.com', password: ' spaced ' };
export const BOB = {
  email: 'bob@example.com',
  password: 'bob-password',
  totpSecret: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ',
};
export const JURGEN = { email: 'jürgen@example.com', password: 'pässwörd' };
export const CAROL = { email: 'carol@example.com', password: 'carol-password' };

export const TEST_USERS: UserSeed[] = [ALICE, BOB, JURGEN, CAROL, DAVE];

/** An emulator with a clock that only moves when a test moves it. */
export interface TestEmulator extends Emulator {
  clock: { ms: number };
}

/** Starts an emulator with the test users, control on, a fixed clock and a cheap scrypt cost. */
export async function startTestEmulator(options: EmulatorOptions = {}): Promise<TestEmulator> {
  const clock = { ms: START_MS };
  const emulator = await startEmulator({
    users: TEST_USERS,
    control: true,
    scryptCost: 1024,
    now: () => clock.ms,
    ...options,
  });
  return { ...emulator, clock };
}

/** Decodes RFC 4648 base32 without padding. */
export function base32Decode(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const bytes: number[] = [];
  for (const char of text.replace(/=+$/, '').toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(char);
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(bytes);
}

/** Computes an RFC 6238 SHA-1 code with node:crypto, independently of otplib. */
export function totpCode(secretBase32: string, epochSeconds: number, digits = 6): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(epochSeconds / 30)));
  const digest = createHmac('sha1', base32Decode(secretBase32)).update(counter).digest();
  const offset = (digest[digest.length - 1] ?? 0) & 0x0f;
  const binary = digest.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** Returns the code for the emulator's current time, shifted by `steps` time steps. */
export function codeAt(emulator: TestEmulator, secret: string, steps = 0): string {
  return totpCode(secret, Math.floor(emulator.clock.ms / 1000) + steps * 30);
}

export function rawHeaders(user: { email: string; password: string }): Record<string, string> {
  return { 'X-API-Email': user.email, 'X-API-Password': user.password };
}

export function encHeaders(user: { email: string; password: string }): Record<string, string> {
  return {
    'X-API-Email-Enc': Buffer.from(user.email, 'utf8').toString('base64'),
    'X-API-Password-Enc': Buffer.from(user.password, 'utf8').toString('base64'),
  };
}

/** Sends a request and returns the status, headers and parsed JSON body. */
export async function call(
  emulator: Emulator,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; json?: unknown; body?: string } = {},
): Promise<{ status: number; headers: Headers; body: unknown }> {
  const headers: Record<string, string> = { ...options.headers };
  let body = options.body;
  if (options.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  const response = await fetch(`${emulator.url}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text === '' ? undefined : (JSON.parse(text) as unknown),
  };
}

/** Returns the public id of a global client. */
export async function globalClientId(emulator: Emulator, name = 'ci'): Promise<string> {
  const { body } = await call(emulator, 'GET', '/oauth/v2/global/clients');
  return (body as Record<string, string>)[name] ?? '';
}

export interface Tokens {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  token_type: string;
}

/** Gets a token pair with the password grant through the `ci` client. */
export async function login(
  emulator: Emulator,
  user: { email: string; password: string },
): Promise<Tokens> {
  const { status, body } = await call(emulator, 'POST', '/oauth/v2/auth/tokens', {
    json: {
      grant_type: 'password',
      client_id: await globalClientId(emulator),
      username: user.email,
      password: user.password,
    },
  });
  if (status !== 200) {
    throw new Error(`login failed with status ${status}: ${JSON.stringify(body)}`);
  }
  return body as Tokens;
}

/** Gets an MFA token for a user whose MFA is on, with the code of the current step. */
export async function mfaToken(
  emulator: TestEmulator,
  user: { email: string; password: string; totpSecret: string },
  steps = 0,
): Promise<string> {
  const { status, body } = await call(emulator, 'POST', '/mfas/token', {
    headers: rawHeaders(user),
    json: { challenge: { code: codeAt(emulator, user.totpSecret, steps) } },
  });
  if (status !== 200) {
    throw new Error(`MFA token failed with status ${status}: ${JSON.stringify(body)}`);
  }
  return (body as { token: string }).token;
}
