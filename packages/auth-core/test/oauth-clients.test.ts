import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import {
  createOAuthClient,
  deleteOAuthClient,
  getOAuthClient,
  listGlobalClients,
  listOAuthClients,
  resolveClientId,
  RipsAuthError,
  Session,
  updateOAuthClient,
} from '../src/index.js';
import { ALICE, resetTestBed, startTestBed, type TestBed } from './helpers.js';

let bed: TestBed;
let session: Session;

beforeAll(async () => {
  bed = await startTestBed();
});
afterAll(async () => bed.close());
beforeEach(async () => {
  await resetTestBed(bed);
  session = new Session({
    ...bed.options(),
    credentials: { type: 'plain', email: ALICE.email, password: ALICE.password },
  });
});

async function failure(promise: Promise<unknown>): Promise<RipsAuthError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(RipsAuthError);
  return error as RipsAuthError;
}

describe('global clients', () => {
  it('lists the global clients without credentials', async () => {
    const clients = await listGlobalClients(bed.options());
    expect(Object.keys(clients).sort()).toEqual(['ci', 'ui-client']);
    expect(clients.ci).toMatch(/^\d+_\w+$/);
    const [entry] = await bed.requests();
    expect(entry?.auth).toBe('none');
  });

  it('resolves a client id by name, with ci as the default', async () => {
    const clients = await listGlobalClients(bed.options());
    await expect(resolveClientId(bed.options())).resolves.toBe(clients.ci);
    await expect(resolveClientId({ ...bed.options(), clientName: 'ui-client' })).resolves.toBe(
      clients['ui-client'],
    );
  });

  it('returns a given client id without a request', async () => {
    await expect(resolveClientId({ ...bed.options(), clientId: ' 7_abc ' })).resolves.toBe('7_abc');
    expect(await bed.requests()).toEqual([]);
  });

  it('lists the offered names for an unknown name', async () => {
    const error = await failure(resolveClientId({ ...bed.options(), clientName: 'deploy' }));
    expect(error.code).toBe('CLIENT_NOT_FOUND');
    expect(error).toMatchObject({ clientName: 'deploy', offeredNames: ['ci', 'ui-client'] });
  });

  it('raises RESPONSE_NOT_JSON for an HTML answer', async () => {
    await bed.emulator.control.addFault({
      path: '/oauth/v2/global/clients',
      kind: 'html',
      status: 200,
    });
    const error = await failure(listGlobalClients(bed.options()));
    expect(error.code).toBe('RESPONSE_NOT_JSON');
    expect(error.message).toMatch(
      /^Listing the global OAuth clients: expected a JSON body from GET \/oauth\/v2\/global\/clients, received status 200 with \d+ bytes of text\/html/,
    );
  });
});

describe('private clients', () => {
  it('creates, reads, updates, lists and deletes a client', async () => {
    const created = await createOAuthClient(session, {
      name: 'deploy',
      redirectUris: ['https://ci.example.com/callback'],
      allowedGrantTypes: ['password', 'refresh_token'],
    });
    expect(created).toMatchObject({
      name: 'deploy',
      redirectUris: ['https://ci.example.com/callback'],
      allowedGrantTypes: ['password', 'refresh_token'],
    });
    expect(created.clientId).toBe(`${created.id}_${created.randomId}`);
    expect(bed.secrets).toContain(created.secret);

    await expect(getOAuthClient(session, created.id)).resolves.toEqual(created);

    const updated = await updateOAuthClient(session, created.id, {
      name: 'deploy-2',
      allowedGrantTypes: ['password'],
    });
    expect(updated.name).toBe('deploy-2');
    expect(updated.allowedGrantTypes).toEqual(['password']);

    const page = await listOAuthClients(session);
    expect(page.clients.map((client) => client.name)).toContain('deploy-2');
    expect(page.more).toBe(false);

    await deleteOAuthClient(session, created.id);
    const error = await failure(getOAuthClient(session, created.id));
    expect(error.code).toBe('HTTP_ERROR');
    expect(error.status).toBe(404);
    expect(error.message).toMatch(
      new RegExp(
        `^Reading the OAuth client ${created.id} failed: GET /oauth/v2/clients/${created.id} returned status 404`,
      ),
    );
  });

  it('pages through clients', async () => {
    for (const name of ['a', 'b', 'c']) {
      await createOAuthClient(session, { name });
    }
    const first = await listOAuthClients(session, { limit: 2 });
    expect(first.clients).toHaveLength(2);
    expect(first.more).toBe(true);
    const rest = await listOAuthClients(session, { limit: 2, offset: 2 });
    expect(rest.more).toBe(false);
    const entries = (await bed.requests()).filter((entry) => entry.method === 'GET');
    expect(entries.map((entry) => entry.query)).toEqual([
      { limit: '2' },
      { limit: '2', offset: '2' },
    ]);
  });

  it('raises HTTP_ERROR with the API message for an invalid grant type', async () => {
    const error = await failure(
      createOAuthClient(session, {
        name: 'x',
        allowedGrantTypes: ['device_code' as 'password'],
      }),
    );
    expect(error.code).toBe('HTTP_ERROR');
    expect(error).toMatchObject({ status: 400, apiMessage: 'Invalid input', apiCode: 400 });
  });

  it('rejects an invalid id before sending', async () => {
    const error = await failure(getOAuthClient(session, 0));
    expect(error.message).toBe('id: expected a positive whole number, received 0');
    expect(await bed.requests()).toEqual([]);
  });
});
