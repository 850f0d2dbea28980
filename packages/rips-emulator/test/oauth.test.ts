import { jwtVerify } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  ALICE,
  BOB,
  call,
  globalClientId,
  login,
  mfaToken,
  START_MS,
  startTestEmulator,
  type TestEmulator,
  type Tokens,
} from './helpers.js';

const TOKENS = '/oauth/v2/auth/tokens';

describe('OAuth 2.0 token endpoint', () => {
  let emulator: TestEmulator;

  beforeEach(async () => {
    emulator = await startTestEmulator({ tokenTtlSeconds: 600, refreshTtlSeconds: 3600 });
  });

  afterEach(async () => {
    await emulator.close();
  });

  it('lists global clients as a name-to-id map', async () => {
    const { status, body } = await call(emulator, 'GET', '/oauth/v2/global/clients');
    expect(status).toBe(200);
    const clients = body as Record<string, string>;
    expect(Object.keys(clients).sort()).toEqual(['ci', 'ui-client']);
    expect(clients['ui-client']).toMatch(/^1_[a-z0-9]+$/);
    expect(clients['ci']).toMatch(/^2_[a-z0-9]+$/);
    const again = await call(emulator, 'GET', '/oauth/v2/global/clients');
    expect(again.body).toEqual(clients);
  });

  it('issues a token pair for the password grant', async () => {
    const tokens = await login(emulator, ALICE);
    expect(tokens.token_type).toBe('Bearer');
    expect(tokens.expires_in).toBe(600);
    expect(Number.isInteger(tokens.expires_in)).toBe(true);
    expect(tokens.refresh_token).toMatch(/^def50200[0-9a-f]+$/);
    expect(tokens.access_token.split('.')).toHaveLength(3);
  });

  it('sends no-store cache headers with tokens', async () => {
    const { headers } = await call(emulator, 'POST', TOKENS, {
      json: {
        grant_type: 'password',
        client_id: await globalClientId(emulator),
        username: ALICE.email,
        password: ALICE.password,
      },
    });
    expect(headers.get('cache-control')).toBe('no-store');
    expect(headers.get('pragma')).toBe('no-cache');
  });

  it('signs an RS256 JWT with the contract claims', async () => {
    const tokens = await login(emulator, ALICE);
    const clientId = await globalClientId(emulator);
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, emulator.publicKey, {
      currentDate: new Date(START_MS),
    });
    expect(protectedHeader.alg).toBe('RS256');
    expect(protectedHeader.typ).toBe('JWT');
    expect(protectedHeader['jti']).toBe(payload.jti);
    expect(payload.aud).toBe(clientId);
    expect(payload.sub).toBe('1');
    expect(payload.iat).toBe(START_MS / 1000);
    expect(payload.nbf).toBe(START_MS / 1000);
    expect(payload.exp).toBe(START_MS / 1000 + 600);
    expect(payload['scopes']).toEqual([]);
    expect(payload.iss).toBeUndefined();
    expect(Object.keys(payload).sort()).toEqual([
      'aud',
      'exp',
      'iat',
      'jti',
      'nbf',
      'scopes',
      'sub',
    ]);
  });

  it('verifies the JWT with the exported JWK', async () => {
    const tokens = await login(emulator, ALICE);
    const { payload } = await jwtVerify(tokens.access_token, emulator.publicJwk, {
      currentDate: new Date(START_MS),
    });
    expect(payload.sub).toBe('1');
    expect(emulator.publicJwk.d).toBeUndefined();
  });

  it('adds iss only when configured', async () => {
    const configured = await startTestEmulator({ issuer: 'https://rips.example' });
    try {
      const tokens = await login(configured, ALICE);
      const { payload } = await jwtVerify(tokens.access_token, configured.publicKey, {
        currentDate: new Date(START_MS),
      });
      expect(payload.iss).toBe('https://rips.example');
    } finally {
      await configured.close();
    }
  });

  it('accepts a form body and ignores unknown query parameters', async () => {
    const form = new URLSearchParams({
      grant_type: 'password',
      client_id: await globalClientId(emulator, 'ui-client'),
      username: ALICE.email,
      password: ALICE.password,
    });
    const response = await fetch(`${emulator.url}${TOKENS}?limit=500&offset=0`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    expect(response.status).toBe(200);
  });

  it('needs no X-API-MFA for a user with MFA on', async () => {
    const tokens = await login(emulator, BOB);
    expect(tokens.token_type).toBe('Bearer');
  });

  const cases: [string, Record<string, string>, number, string, string][] = [
    ['no grant_type', {}, 400, 'Invalid input', 'invalid_request'],
    [
      'an unknown grant_type',
      { grant_type: 'magic' },
      400,
      'Unsupported grant type',
      'unsupported_grant_type',
    ],
    ['no client_id', { grant_type: 'password' }, 400, 'Invalid input', 'invalid_request'],
    [
      'an unknown client_id',
      { grant_type: 'password', client_id: '9_nope', username: 'a', password: 'b' },
      401,
      'Invalid client',
      'invalid_client',
    ],
    [
      'no username',
      { grant_type: 'password', client_id: 'CI' },
      400,
      'Invalid input',
      'invalid_request',
    ],
    [
      'no password',
      { grant_type: 'password', client_id: 'CI', username: ALICE.email },
      400,
      'Invalid input',
      'invalid_request',
    ],
    [
      'a wrong password',
      { grant_type: 'password', client_id: 'CI', username: ALICE.email, password: 'wrong' },
      401,
      'Invalid credentials',
      'invalid_credentials',
    ],
    [
      'an unknown user',
      { grant_type: 'password', client_id: 'CI', username: 'x@example.com', password: 'wrong' },
      401,
      'Invalid credentials',
      'invalid_credentials',
    ],
    [
      'no refresh_token',
      { grant_type: 'refresh_token', client_id: 'CI' },
      400,
      'Invalid input',
      'invalid_request',
    ],
    [
      'an unknown refresh_token',
      { grant_type: 'refresh_token', client_id: 'CI', refresh_token: 'def50200abc' },
      401,
      'Invalid refresh token',
      'invalid_grant',
    ],
  ];

  it.each(cases)(
    'answers %s with the error keys',
    async (_case, fields, status, message, error) => {
      const clientId = await globalClientId(emulator);
      const json = Object.fromEntries(
        Object.entries(fields).map(([key, value]) => [key, value === 'CI' ? clientId : value]),
      );
      const response = await call(emulator, 'POST', TOKENS, { json });
      expect(response.status).toBe(status);
      const body = response.body as Record<string, unknown>;
      expect(body['code']).toBe(status);
      expect(body['message']).toBe(message);
      expect(body['error']).toBe(error);
      expect(typeof body['error_description']).toBe('string');
    },
  );

  it('answers malformed JSON on the token endpoint with 400', async () => {
    const response = await call(emulator, 'POST', TOKENS, {
      headers: { 'Content-Type': 'application/json' },
      body: '{"grant_type":',
    });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      code: 400,
      message: 'Invalid JSON',
      errors: { body: 'malformed JSON' },
    });
  });

  describe('bearer tokens', () => {
    it('authenticate protected routes', async () => {
      const tokens = await login(emulator, ALICE);
      const { status } = await call(emulator, 'GET', '/applications', {
        headers: { Authorization: `Bearer ${tokens.access_token}` },
      });
      expect(status).toBe(200);
    });

    it('accept the scheme in any case', async () => {
      const tokens = await login(emulator, ALICE);
      const { status } = await call(emulator, 'GET', '/applications', {
        headers: { authorization: `bearer ${tokens.access_token}` },
      });
      expect(status).toBe(200);
    });

    it('reject an unknown token without marker headers', async () => {
      const { status, body, headers } = await call(emulator, 'GET', '/applications', {
        headers: { Authorization: 'Bearer eyJ.not.issued' },
      });
      expect(status).toBe(401);
      expect(body).toEqual({ code: 401, message: 'Invalid credentials' });
      expect(headers.get('x-api-expired')).toBeNull();
      expect(headers.get('x-api-revoked')).toBeNull();
    });

    it.each(['Bearer two words', 'Basic ZGVtbzpkZW1v', 'Bearer'])(
      'reject the malformed header %j on the public /status',
      async (authorization) => {
        const { status, body } = await call(emulator, 'GET', '/status', {
          headers: { Authorization: authorization },
        });
        expect(status).toBe(401);
        expect(body).toEqual({ code: 401, message: 'Invalid credentials' });
      },
    );

    it('answer X-API-Expired once exp has passed', async () => {
      const tokens = await login(emulator, ALICE);
      emulator.clock.ms += 599_000;
      const fresh = await call(emulator, 'GET', '/applications', {
        headers: { Authorization: `Bearer ${tokens.access_token}` },
      });
      expect(fresh.status).toBe(200);
      emulator.clock.ms += 1_000;
      const { status, body, headers } = await call(emulator, 'GET', '/applications', {
        headers: { Authorization: `Bearer ${tokens.access_token}` },
      });
      expect(status).toBe(401);
      expect(body).toEqual({ code: 401, message: 'Access token expired' });
      expect(headers.get('x-api-expired')).toBe('1');
      expect(headers.get('x-api-revoked')).toBeNull();
    });

    it('still need X-API-MFA for a user with MFA on', async () => {
      const tokens = await login(emulator, BOB);
      const bearer = { Authorization: `Bearer ${tokens.access_token}` };
      const without = await call(emulator, 'GET', '/applications', { headers: bearer });
      expect(without.status).toBe(401);
      expect(without.body).toEqual({ code: 401, message: 'MFA token required' });
      expect(without.headers.get('x-api-mfa-required')).toBe('1');
      const token = await mfaToken(emulator, BOB);
      const withToken = await call(emulator, 'GET', '/applications', {
        headers: { ...bearer, 'X-API-MFA': token },
      });
      expect(withToken.status).toBe(200);
    });
  });

  describe('refresh grant', () => {
    async function refresh(tokens: Tokens, clientId?: string) {
      return call(emulator, 'POST', TOKENS, {
        json: {
          grant_type: 'refresh_token',
          client_id: clientId ?? (await globalClientId(emulator)),
          refresh_token: tokens.refresh_token,
        },
      });
    }

    it('rotates the pair and revokes the old access token', async () => {
      const first = await login(emulator, ALICE);
      emulator.clock.ms += 60_000;
      const { status, body } = await refresh(first);
      expect(status).toBe(200);
      const second = body as Tokens;
      expect(second.access_token).not.toBe(first.access_token);
      expect(second.refresh_token).not.toBe(first.refresh_token);
      const old = await call(emulator, 'GET', '/applications', {
        headers: { Authorization: `Bearer ${first.access_token}` },
      });
      expect(old.status).toBe(401);
      expect(old.body).toEqual({ code: 401, message: 'Access token revoked' });
      expect(old.headers.get('x-api-revoked')).toBe('1');
      const fresh = await call(emulator, 'GET', '/applications', {
        headers: { Authorization: `Bearer ${second.access_token}` },
      });
      expect(fresh.status).toBe(200);
    });

    it('refuses a spent refresh token with X-API-Revoked', async () => {
      const first = await login(emulator, ALICE);
      expect((await refresh(first)).status).toBe(200);
      const { status, body, headers } = await refresh(first);
      expect(status).toBe(401);
      expect(body).toEqual({
        code: 401,
        message: 'Invalid refresh token',
        error: 'invalid_grant',
        error_description: 'The refresh token has been revoked.',
      });
      expect(headers.get('x-api-revoked')).toBe('1');
    });

    it('requires the client the token was issued to', async () => {
      const first = await login(emulator, ALICE);
      const other = await globalClientId(emulator, 'ui-client');
      const { status, body } = await refresh(first, other);
      expect(status).toBe(401);
      expect((body as Record<string, unknown>)['error']).toBe('invalid_grant');
      expect((await refresh(first)).status).toBe(200);
    });

    it('refuses an expired refresh token with X-API-Expired', async () => {
      const first = await login(emulator, ALICE);
      emulator.clock.ms += 3_600_000;
      const { status, body, headers } = await refresh(first);
      expect(status).toBe(401);
      expect((body as Record<string, unknown>)['error']).toBe('invalid_grant');
      expect(headers.get('x-api-expired')).toBe('1');
    });
  });
});
