import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** A salted scrypt hash. The clear-text password is never stored. */
export interface PasswordHash {
  salt: Buffer;
  hash: Buffer;
  cost: number;
}

const KEY_LENGTH = 32;
const BLOCK_SIZE = 8;

function deriveKey(password: string, salt: Buffer, cost: number): Promise<Buffer> {
  // scrypt needs 128 * N * r bytes. The limit leaves room for that at any cost we accept.
  const maxmem = 256 * cost * BLOCK_SIZE;
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_LENGTH, { N: cost, r: BLOCK_SIZE, p: 1, maxmem }, (error, key) => {
      if (error === null) {
        resolve(key);
      } else {
        reject(error);
      }
    });
  });
}

/** Hashes a password with scrypt and a fresh 16-byte salt. */
export async function hashPassword(password: string, cost: number): Promise<PasswordHash> {
  const salt = randomBytes(16);
  return { salt, hash: await deriveKey(password, salt, cost), cost };
}

/** Checks a password against a stored hash in constant time. Runs the full scrypt every call. */
export async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  const candidate = await deriveKey(password, stored.salt, stored.cost);
  return timingSafeEqual(candidate, stored.hash);
}
