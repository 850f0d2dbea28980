import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  ALICE,
  BOB,
  call,
  CAROL,
  mfaToken,
  rawHeaders,
  startTestEmulator,
  type TestEmulator,
} from './helpers.js';

describe('/status', () => {
  let emulator: TestEmulator;

  beforeAll(async () => {
    emulator = await startTestEmulator();
  });

  afterAll(async () => {
    await emulator.close();
  });

  it('answers anonymous calls without a user', async () => {
    const { status, body } = await call(emulator, 'GET', '/status');
    expect(status).toBe(200);
    const fields = body as Record<string, unknown>;
    expect(fields['version']).toMatch(/^3\./);
    expect(fields['user']).toBeUndefined();
  });

  it('includes the user for valid credentials', async () => {
    const { status, body } = await call(emulator, 'GET', '/status', { headers: rawHeaders(ALICE) });
    expect(status).toBe(200);
    expect((body as Record<string, unknown>)['user']).toEqual({
      id: 1,
      email: ALICE.email,
      roles: ['ROLE_WORKER'],
      mfa: { enabled: false },
    });
  });

  it('answers wrong credentials with 401', async () => {
    const { status, body } = await call(emulator, 'GET', '/status', {
      headers: rawHeaders({ ...ALICE, password: 'wrong' }),
    });
    expect(status).toBe(401);
    expect(body).toEqual({ code: 401, message: 'Invalid credentials' });
  });

  it('answers an unknown bearer token with 401', async () => {
    const { status } = await call(emulator, 'GET', '/status', {
      headers: { Authorization: 'Bearer nope' },
    });
    expect(status).toBe(401);
  });

  it('requires X-API-MFA from a user with MFA on', async () => {
    const { status, body, headers } = await call(emulator, 'GET', '/status', {
      headers: rawHeaders(BOB),
    });
    expect(status).toBe(401);
    expect(body).toEqual({ code: 401, message: 'MFA token required' });
    expect(headers.get('x-api-mfa-required')).toBe('1');
  });

  it('filters top-level fields with select', async () => {
    const user = await call(emulator, 'GET', `/status?select=${encodeURIComponent('["user"]')}`, {
      headers: rawHeaders(ALICE),
    });
    expect(Object.keys(user.body as object)).toEqual(['user']);
    const version = await call(
      emulator,
      'GET',
      `/status?select=${encodeURIComponent('["version"]')}`,
    );
    expect(Object.keys(version.body as object)).toEqual(['version']);
  });

  it.each([['user'], ['[1]'], ['{"a":1}']])(
    'rejects select=%s as invalid input',
    async (select) => {
      const { status, body } = await call(
        emulator,
        'GET',
        `/status?select=${encodeURIComponent(select)}`,
      );
      expect(status).toBe(400);
      expect((body as { message: string }).message).toBe('Invalid input');
    },
  );
});

describe('/applications', () => {
  let emulator: TestEmulator;
  const alice = rawHeaders(ALICE);

  beforeAll(async () => {
    emulator = await startTestEmulator();
  });

  afterAll(async () => {
    await emulator.close();
  });

  it('creates, reads, lists and deletes applications', async () => {
    const created = await call(emulator, 'POST', '/applications', {
      headers: alice,
      json: { application: { name: 'shop' } },
    });
    expect(created.status).toBe(200);
    const application = created.body as { id: number; name: string; created_by: unknown };
    expect(application.name).toBe('shop');
    expect(application.created_by).toEqual({ id: 1, email: ALICE.email });

    const read = await call(emulator, 'GET', `/applications/${application.id}`, { headers: alice });
    expect(read.body).toEqual(application);

    const list = await call(emulator, 'GET', '/applications', { headers: alice });
    expect(list.body).toEqual([application]);
    expect(list.headers.get('x-api-pagination-more')).toBe('0');

    const deleted = await call(emulator, 'DELETE', `/applications/${application.id}`, {
      headers: alice,
    });
    expect(deleted.status).toBe(200);
    const gone = await call(emulator, 'GET', `/applications/${application.id}`, { headers: alice });
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({ code: 404, message: 'Not found' });
  });

  it('paginates with limit and offset', async () => {
    const carol = rawHeaders(CAROL);
    for (const name of ['a', 'b', 'c', 'd', 'e']) {
      await call(emulator, 'POST', '/applications', {
        headers: carol,
        json: { application: { name } },
      });
    }
    const names = async (query: string) => {
      const { body, headers } = await call(emulator, 'GET', `/applications?${query}`, {
        headers: carol,
      });
      return [
        (body as { name: string }[]).map((item) => item.name),
        headers.get('x-api-pagination-more'),
      ];
    };
    expect(await names('limit=2')).toEqual([['a', 'b'], '1']);
    expect(await names('limit=2&offset=2')).toEqual([['c', 'd'], '1']);
    expect(await names('limit=2&offset=4')).toEqual([['e'], '0']);
    expect(await names('offset=9')).toEqual([[], '0']);
    expect(await names('limit=0')).toEqual([[], '1']);
  });

  it('hides applications of other users', async () => {
    const created = await call(emulator, 'POST', '/applications', {
      headers: alice,
      json: { application: { name: 'private' } },
    });
    const id = (created.body as { id: number }).id;
    const { status } = await call(emulator, 'GET', `/applications/${id}`, {
      headers: rawHeaders(CAROL),
    });
    expect(status).toBe(404);
    const deleted = await call(emulator, 'DELETE', `/applications/${id}`, {
      headers: rawHeaders(CAROL),
    });
    expect(deleted.status).toBe(404);
  });

  it.each([
    [{}],
    [{ application: {} }],
    [{ application: { name: '' } }],
    [{ application: { name: 7 } }],
  ])('rejects %j as invalid input', async (json) => {
    const { status, body } = await call(emulator, 'POST', '/applications', {
      headers: alice,
      json,
    });
    expect(status).toBe(400);
    expect((body as { message: string }).message).toBe('Invalid input');
  });

  it('requires X-API-MFA for a user with MFA on', async () => {
    const without = await call(emulator, 'GET', '/applications', { headers: rawHeaders(BOB) });
    expect(without.status).toBe(401);
    const token = await mfaToken(emulator, BOB);
    const withToken = await call(emulator, 'POST', '/applications', {
      headers: { ...rawHeaders(BOB), 'X-API-MFA': token },
      json: { application: { name: 'bob-app' } },
    });
    expect(withToken.status).toBe(200);
  });
});
