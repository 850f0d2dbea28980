import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DEMO_EMAIL, DEMO_PASSWORD, DEMO_TOTP_SECRET, startEmulator } from '../src/index.js';
import { parseUserSeeds } from '../src/users.js';
import { call, rawHeaders, startTestEmulator, totpCode } from './helpers.js';

describe('users', () => {
  let directory: string;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'rips-emulator-users-'));
  });

  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('seeds the MFA-enabled demo user by default', async () => {
    const emulator = await startEmulator({ control: true, scryptCost: 1024 });
    try {
      const demo = { email: DEMO_EMAIL, password: DEMO_PASSWORD };
      const without = await call(emulator, 'GET', '/status', { headers: rawHeaders(demo) });
      expect(without.status).toBe(401);
      expect(without.headers.get('x-api-mfa-required')).toBe('1');
      const mfa = await call(emulator, 'POST', '/mfas/token', {
        headers: rawHeaders(demo),
        json: { challenge: { code: totpCode(DEMO_TOTP_SECRET, Date.now() / 1000) } },
      });
      const token = (mfa.body as { token: string }).token;
      const status = await call(emulator, 'GET', '/status', {
        headers: { ...rawHeaders(demo), 'X-API-MFA': token },
      });
      expect((status.body as { user: unknown }).user).toEqual({
        id: 1,
        email: DEMO_EMAIL,
        roles: ['ROLE_WORKER'],
        mfa: { enabled: true },
      });
    } finally {
      await emulator.close();
    }
  });

  it('loads a users file with ids in file order unless set', async () => {
    const path = join(directory, 'users.json');
    await writeFile(
      path,
      JSON.stringify([
        { email: 'first@example.com', password: 'one-password' },
        { email: 'second@example.com', password: 'two-password', id: 40, roles: ['ROLE_ADMIN'] },
        { email: 'third@example.com', password: 'three-password' },
      ]),
    );
    const emulator = await startTestEmulator({ users: path });
    try {
      const users = [];
      for (const [email, password] of [
        ['first@example.com', 'one-password'],
        ['second@example.com', 'two-password'],
        ['third@example.com', 'three-password'],
      ] as const) {
        const { body } = await call(emulator, 'GET', '/status', {
          headers: rawHeaders({ email, password }),
        });
        users.push((body as { user: { id: number; roles: string[] } }).user);
      }
      expect(users.map((user) => user.id)).toEqual([1, 40, 3]);
      expect(users[1]?.roles).toEqual(['ROLE_ADMIN']);
    } finally {
      await emulator.close();
    }
  });

  it('rejects a users file that is not JSON', async () => {
    const path = join(directory, 'broken.json');
    await writeFile(path, '[{');
    await expect(startEmulator({ users: path, scryptCost: 1024 })).rejects.toThrow(
      /^users file .*broken\.json: invalid JSON/,
    );
  });

  it.each([
    ['an object', {}, 'users: expected a JSON array of users, received {}'],
    [
      'a missing e-mail',
      [{ password: 'x' }],
      'users[0].email: expected a non-empty string, received undefined',
    ],
    [
      'a missing password',
      [{ email: 'a@example.com' }],
      'users[0].password: expected a non-empty string',
    ],
    [
      'a short secret',
      [{ email: 'a@example.com', password: 'x', totpSecret: 'JBSWY3DP' }],
      'users[0].totpSecret: expected a base32 secret of at least 16 characters (spaces and = padding allowed)',
    ],
    [
      'a bad id',
      [{ email: 'a@example.com', password: 'x', id: 0 }],
      'users[0].id: expected a positive integer, received 0',
    ],
    [
      'bad roles',
      [{ email: 'a@example.com', password: 'x', roles: 'ADMIN' }],
      'users[0].roles: expected an array of strings, received "ADMIN"',
    ],
    [
      'a duplicate e-mail',
      [
        { email: 'a@example.com', password: 'x' },
        { email: 'A@example.com', password: 'y' },
      ],
      'users: the e-mail A@example.com appears more than once',
    ],
  ])('rejects %s', (_case, value, message) => {
    expect(() => parseUserSeeds(value)).toThrow(new TypeError(message));
  });

  it('rejects clashing ids', async () => {
    await expect(
      startEmulator({
        scryptCost: 1024,
        users: [
          { email: 'a@example.com', password: 'x' },
          { email: 'b@example.com', password: 'y', id: 1 },
        ],
      }),
    ).rejects.toThrow('users[1].id: the id 1 is already taken');
  });

  it('rejects a scrypt cost that is not a power of two', async () => {
    await expect(startEmulator({ scryptCost: 1000 })).rejects.toThrow(
      'scryptCost: expected a power of two, received 1000',
    );
  });
});
