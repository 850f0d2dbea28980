import { readFile } from 'node:fs/promises';

import { DEMO_EMAIL, DEMO_PASSWORD, DEMO_TOTP_SECRET } from './constants.js';
import { hashPassword, type PasswordHash } from './passwords.js';
import { normalizeBase32Secret } from './totp.js';
import type { UserSeed } from './types.js';

/** MFA state of one user. */
export interface MfaState {
  enabled: boolean;
  /** Normalised base32 secret of the enabled MFA. */
  secret: string | undefined;
  /** Secret from `/mfas/secret` that the first valid code turns on. */
  pendingSecret: string | undefined;
  /** MFA tokens minted since MFA was turned on. All stay valid until MFA is deleted. */
  tokens: Set<string>;
  /** Newest time step whose code was accepted. Codes of this step or earlier are rejected. */
  lastUsedStep: number;
  /** Times (ms on the emulator clock) of wrong codes still inside the attempt window. */
  wrongCodeTimes: number[];
}

/** A user as the server keeps it: the password only as a hash. */
export interface UserRecord {
  id: number;
  email: string;
  roles: string[];
  passwordHash: PasswordHash;
  mfa: MfaState;
}

/** The one user that exists when no users are given. */
export const DEMO_USERS: readonly UserSeed[] = [
  { email: DEMO_EMAIL, password: DEMO_PASSWORD, totpSecret: DEMO_TOTP_SECRET },
];

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** Checks the shape of one users-file entry. The error names the entry and the field. */
function parseSeed(value: unknown, index: number): UserSeed {
  const where = `users[${index}]`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`${where}: expected an object, received ${describe(value)}`);
  }
  const entry = value as Record<string, unknown>;
  const { email, password, id, totpSecret, roles } = entry;
  if (typeof email !== 'string' || email === '') {
    throw new TypeError(`${where}.email: expected a non-empty string, received ${describe(email)}`);
  }
  if (typeof password !== 'string' || password === '') {
    throw new TypeError(`${where}.password: expected a non-empty string`);
  }
  const seed: UserSeed = { email, password };
  if (id !== undefined) {
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) {
      throw new TypeError(`${where}.id: expected a positive integer, received ${describe(id)}`);
    }
    seed.id = id;
  }
  if (totpSecret !== undefined) {
    if (typeof totpSecret !== 'string' || normalizeBase32Secret(totpSecret) === undefined) {
      throw new TypeError(
        `${where}.totpSecret: expected a base32 secret of at least 16 characters` +
          ' (spaces and = padding allowed)',
      );
    }
    seed.totpSecret = totpSecret;
  }
  if (roles !== undefined) {
    if (!Array.isArray(roles) || !roles.every((role) => typeof role === 'string')) {
      throw new TypeError(
        `${where}.roles: expected an array of strings, received ${describe(roles)}`,
      );
    }
    seed.roles = roles as string[];
  }
  return seed;
}

/** Checks a list of users: shapes, unique e-mails (case-insensitive) and unique ids. */
export function parseUserSeeds(value: unknown): UserSeed[] {
  if (!Array.isArray(value)) {
    throw new TypeError(`users: expected a JSON array of users, received ${describe(value)}`);
  }
  const seeds = value.map((entry, index) => parseSeed(entry, index));
  const emails = new Set<string>();
  for (const seed of seeds) {
    const key = seed.email.toLowerCase();
    if (emails.has(key)) {
      throw new TypeError(`users: the e-mail ${seed.email} appears more than once`);
    }
    emails.add(key);
  }
  return seeds;
}

/** Reads and checks a users file: a JSON array of `{email, password, id?, totpSecret?, roles?}`. */
export async function loadUsersFile(path: string): Promise<UserSeed[]> {
  const text = await readFile(path, 'utf8');
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (error: unknown) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TypeError(`users file ${path}: invalid JSON (${reason})`, { cause: error });
  }
  return parseUserSeeds(value);
}

/**
 * Builds user records and hashes their passwords. Ids follow list order from 1 unless given;
 * a clash between ids raises a TypeError.
 */
export async function createUserRecords(
  seeds: readonly UserSeed[],
  scryptCost: number,
): Promise<UserRecord[]> {
  const ids = new Set<number>();
  const records = await Promise.all(
    seeds.map(async (seed, index): Promise<UserRecord> => {
      const id = seed.id ?? index + 1;
      if (ids.has(id)) {
        throw new TypeError(`users[${index}].id: the id ${id} is already taken`);
      }
      ids.add(id);
      const secret =
        seed.totpSecret === undefined ? undefined : normalizeBase32Secret(seed.totpSecret);
      return {
        id,
        email: seed.email,
        roles: seed.roles ?? ['ROLE_WORKER'],
        passwordHash: await hashPassword(seed.password, scryptCost),
        mfa: {
          enabled: secret !== undefined,
          secret,
          pendingSecret: undefined,
          tokens: new Set(),
          lastUsedStep: -1,
          wrongCodeTimes: [],
        },
      };
    }),
  );
  return records;
}
