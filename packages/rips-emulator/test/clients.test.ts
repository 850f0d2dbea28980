import { afterEach, beforeEach, describe, expect, it } from 'vitest';

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

interface ClientJson {
  id: number;
  name: string;
  random_id: string;
  secret: string;
  redirect_uris: string[];
  allowed_grant_types: string[];
}

describe('private OAuth clients', () => {
  let emulator: TestEmulator;
  const alice = rawHeaders(ALICE);

  beforeEach(async () => {
    emulator = await startTestEmulator();
  });

  afterEach(async () => {
    await emulator.close();
  });

  async function create(client: Record<string, unknown>, headers = alice) {
    return call(emulator, 'POST', '/oauth/v2/clients', { headers, json: { client } });
  }

  it('creates a client from camelCase input', async () => {
    const { status, body } = await create({
      name: 'deploy',
      redirectUris: ['https://app.example/cb'],
      allowedGrantTypes: ['password', 'refresh_token'],
    });
    expect(status).toBe(200);
    const client = body as ClientJson;
    expect(client.id).toBe(3);
    expect(client.name).toBe('deploy');
    expect(client.random_id).toMatch(/^[a-z0-9]+$/);
    expect(typeof client.secret).toBe('string');
    expect(client.redirect_uris).toEqual(['https://app.example/cb']);
    expect(client.allowed_grant_types).toEqual(['password', 'refresh_token']);
  });

  it('creates a client from snake_case input', async () => {
    const { status, body } = await create({
      name: 'snake',
      redirect_uris: ['https://a.example'],
      allowed_grant_types: ['client_credentials'],
    });
    expect(status).toBe(200);
    expect((body as ClientJson).allowed_grant_types).toEqual(['client_credentials']);
    expect((body as ClientJson).redirect_uris).toEqual(['https://a.example']);
  });

  it.each([
    ['an unknown grant type', { name: 'x', allowedGrantTypes: ['password', 'magic'] }],
    ['a missing name', { allowedGrantTypes: ['password'] }],
    ['a non-array of redirect URIs', { name: 'x', redirectUris: 'https://a.example' }],
  ])('rejects %s as invalid input', async (_case, client) => {
    const { status, body } = await create(client);
    expect(status).toBe(400);
    expect((body as { code: number; message: string }).message).toBe('Invalid input');
    expect((body as { code: number }).code).toBe(400);
  });

  it('rejects a body without the client wrapper', async () => {
    const { status, body } = await call(emulator, 'POST', '/oauth/v2/clients', {
      headers: alice,
      json: { name: 'bare' },
    });
    expect(status).toBe(400);
    expect(body).toEqual({
      code: 400,
      message: 'Invalid input',
      errors: { client: 'expected an object' },
    });
  });

  it('reads, updates and deletes its own client', async () => {
    const created = (await create({ name: 'one' })).body as ClientJson;
    const read = await call(emulator, 'GET', `/oauth/v2/clients/${created.id}`, { headers: alice });
    expect(read.body).toEqual(created);

    const updated = await call(emulator, 'PUT', `/oauth/v2/clients/${created.id}`, {
      headers: alice,
      json: { client: { name: 'renamed', allowed_grant_types: ['password'] } },
    });
    expect(updated.status).toBe(200);
    expect((updated.body as ClientJson).name).toBe('renamed');
    expect((updated.body as ClientJson).allowed_grant_types).toEqual(['password']);
    expect((updated.body as ClientJson).random_id).toBe(created.random_id);

    const deleted = await call(emulator, 'DELETE', `/oauth/v2/clients/${created.id}`, {
      headers: alice,
    });
    expect(deleted.status).toBe(200);
    const gone = await call(emulator, 'GET', `/oauth/v2/clients/${created.id}`, { headers: alice });
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({ code: 404, message: 'Not found' });
  });

  it.each([['GET'], ['PUT'], ['DELETE']])(
    'answers %s on a client of another user with 404',
    async (method) => {
      const created = (await create({ name: 'alice-only' })).body as ClientJson;
      const { status, body } = await call(emulator, method, `/oauth/v2/clients/${created.id}`, {
        headers: rawHeaders(CAROL),
        ...(method === 'PUT' ? { json: { client: { name: 'stolen' } } } : {}),
      });
      expect(status).toBe(404);
      expect(body).toEqual({ code: 404, message: 'Not found' });
    },
  );

  it('answers a global client id with 404', async () => {
    const { status } = await call(emulator, 'GET', '/oauth/v2/clients/1', { headers: alice });
    expect(status).toBe(404);
  });

  it('lists only the user clients with pagination', async () => {
    for (const name of ['a', 'b', 'c']) {
      await create({ name });
    }
    await create({ name: 'carol' }, rawHeaders(CAROL));

    const all = await call(emulator, 'GET', '/oauth/v2/clients', { headers: alice });
    expect(all.status).toBe(200);
    expect((all.body as ClientJson[]).map((client) => client.name)).toEqual(['a', 'b', 'c']);
    expect(all.headers.get('x-api-pagination-more')).toBe('0');

    const first = await call(emulator, 'GET', '/oauth/v2/clients?limit=2', { headers: alice });
    expect((first.body as ClientJson[]).map((client) => client.name)).toEqual(['a', 'b']);
    expect(first.headers.get('x-api-pagination-more')).toBe('1');

    const last = await call(emulator, 'GET', '/oauth/v2/clients?limit=2&offset=2', {
      headers: alice,
    });
    expect((last.body as ClientJson[]).map((client) => client.name)).toEqual(['c']);
    expect(last.headers.get('x-api-pagination-more')).toBe('0');
  });

  it.each([['limit=501'], ['limit=-1'], ['offset=x'], ['limit=1.5']])(
    'rejects the query %s as invalid input',
    async (query) => {
      const { status, body } = await call(emulator, 'GET', `/oauth/v2/clients?${query}`, {
        headers: alice,
      });
      expect(status).toBe(400);
      expect((body as { message: string }).message).toBe('Invalid input');
    },
  );

  it('accepts limit 500', async () => {
    const { status } = await call(emulator, 'GET', '/oauth/v2/clients?limit=500', {
      headers: alice,
    });
    expect(status).toBe(200);
  });

  it('requires authentication', async () => {
    const { status, body } = await call(emulator, 'GET', '/oauth/v2/clients');
    expect(status).toBe(401);
    expect(body).toEqual({ code: 401, message: 'Invalid credentials' });
  });

  it('requires X-API-MFA for a user with MFA on', async () => {
    const without = await call(emulator, 'GET', '/oauth/v2/clients', { headers: rawHeaders(BOB) });
    expect(without.status).toBe(401);
    const token = await mfaToken(emulator, BOB);
    const withToken = await call(emulator, 'GET', '/oauth/v2/clients', {
      headers: { ...rawHeaders(BOB), 'X-API-MFA': token },
    });
    expect(withToken.status).toBe(200);
  });

  it('issues tokens through a private client id', async () => {
    const client = (await create({ name: 'own' })).body as ClientJson;
    const clientId = `${client.id}_${client.random_id}`;
    const { status } = await call(emulator, 'POST', '/oauth/v2/auth/tokens', {
      json: {
        grant_type: 'password',
        client_id: clientId,
        username: ALICE.email,
        password: ALICE.password,
      },
    });
    expect(status).toBe(200);
  });

  it('refuses a grant type the client does not allow', async () => {
    const client = (await create({ name: 'code-only', allowedGrantTypes: ['authorization_code'] }))
      .body as ClientJson;
    const { status, body } = await call(emulator, 'POST', '/oauth/v2/auth/tokens', {
      json: {
        grant_type: 'password',
        client_id: `${client.id}_${client.random_id}`,
        username: ALICE.email,
        password: ALICE.password,
      },
    });
    expect(status).toBe(401);
    expect((body as { error: string }).error).toBe('unauthorized_client');
  });

  it('revokes tokens of a deleted client', async () => {
    const client = (await create({ name: 'temporary' })).body as ClientJson;
    const tokens = await call(emulator, 'POST', '/oauth/v2/auth/tokens', {
      json: {
        grant_type: 'password',
        client_id: `${client.id}_${client.random_id}`,
        username: ALICE.email,
        password: ALICE.password,
      },
    });
    const accessToken = (tokens.body as { access_token: string }).access_token;
    await call(emulator, 'DELETE', `/oauth/v2/clients/${client.id}`, { headers: alice });
    const { status, headers } = await call(emulator, 'GET', '/applications', {
      headers: { Authorization: `Bearer ${accessToken}` },
    });
    expect(status).toBe(401);
    expect(headers.get('x-api-revoked')).toBe('1');
  });
});
