import { jwtVerify, decodeJwt } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  ALICE,
  BOB,
  call,
  codeAt,
  encHeaders,
  login,
  mfaToken,
  rawHeaders,
  START_MS,
  startTestEmulator,
  type TestEmulator,
} from './helpers.js';

describe('control API', () => {
  let emulator: TestEmulator;

  beforeEach(async () => {
    emulator = await startTestEmulator();
  });

  afterEach(async () => {
    await emulator.close();
  });

  describe('clock', () => {
    it('shifts the Date header and token times', async () => {
      await emulator.control.setClockOffset(3600);
      const { headers } = await call(emulator, 'GET', '/status');
      expect(headers.get('date')).toBe(new Date(START_MS + 3_600_000).toUTCString());
      const tokens = await login(emulator, ALICE);
      expect(decodeJwt(tokens.access_token).iat).toBe(START_MS / 1000 + 3600);
    });

    it('replaces the offset and reports it', async () => {
      await emulator.control.setClockOffset(100);
      const { status, body } = await call(emulator, 'POST', '/_emulator/clock', {
        json: { offsetSeconds: -30 },
      });
      expect(status).toBe(200);
      expect(body).toEqual({ offsetSeconds: -30, now: new Date(START_MS - 30_000).toISOString() });
    });

    it('shifts TOTP checks', async () => {
      await emulator.control.setClockOffset(600);
      const stale = await call(emulator, 'POST', '/mfas/token', {
        headers: rawHeaders(BOB),
        json: { challenge: { code: codeAt(emulator, BOB.totpSecret) } },
      });
      expect(stale.body).toEqual({ code: 400, message: 'Invalid code' });
      const shifted = await call(emulator, 'POST', '/mfas/token', {
        headers: rawHeaders(BOB),
        json: { challenge: { code: codeAt(emulator, BOB.totpSecret, 20) } },
      });
      expect(shifted.status).toBe(200);
    });

    it('expires tokens when moved past exp', async () => {
      const tokens = await login(emulator, ALICE);
      await emulator.control.setClockOffset(tokens.expires_in);
      const { status, headers } = await call(emulator, 'GET', '/applications', {
        headers: { Authorization: `Bearer ${tokens.access_token}` },
      });
      expect(status).toBe(401);
      expect(headers.get('x-api-expired')).toBe('1');
    });

    it.each([['5'], [1e13], [-1e300]])('rejects the offset %j', async (offsetSeconds) => {
      const { status, body } = await call(emulator, 'POST', '/_emulator/clock', {
        json: { offsetSeconds },
      });
      expect(status).toBe(400);
      expect(body).toEqual({
        code: 400,
        message: 'Invalid input',
        errors: { offsetSeconds: 'expected a number of seconds within ±3153600000' },
      });
    });

    it('keeps serving after a rejected offset', async () => {
      await call(emulator, 'POST', '/_emulator/clock', { json: { offsetSeconds: 1e13 } });
      const { status, headers } = await call(emulator, 'GET', '/status');
      expect(status).toBe(200);
      expect(headers.get('date')).toBe(new Date(START_MS).toUTCString());
    });
  });

  describe('users', () => {
    it('expires the access tokens of a user but keeps refresh working', async () => {
      const tokens = await login(emulator, ALICE);
      await emulator.control.expireUser(ALICE.email);
      const { status, body, headers } = await call(emulator, 'GET', '/applications', {
        headers: { Authorization: `Bearer ${tokens.access_token}` },
      });
      expect(status).toBe(401);
      expect(body).toEqual({ code: 401, message: 'Access token expired' });
      expect(headers.get('x-api-expired')).toBe('1');
      const refreshed = await call(emulator, 'POST', '/oauth/v2/auth/tokens', {
        json: {
          grant_type: 'refresh_token',
          client_id: decodeJwt(tokens.access_token).aud,
          refresh_token: tokens.refresh_token,
        },
      });
      expect(refreshed.status).toBe(200);
    });

    it('revokes the access and refresh tokens of a user', async () => {
      const tokens = await login(emulator, ALICE);
      await emulator.control.revokeUser(ALICE.email);
      const access = await call(emulator, 'GET', '/applications', {
        headers: { Authorization: `Bearer ${tokens.access_token}` },
      });
      expect(access.status).toBe(401);
      expect(access.headers.get('x-api-revoked')).toBe('1');
      const refreshed = await call(emulator, 'POST', '/oauth/v2/auth/tokens', {
        json: {
          grant_type: 'refresh_token',
          client_id: decodeJwt(tokens.access_token).aud,
          refresh_token: tokens.refresh_token,
        },
      });
      expect(refreshed.status).toBe(401);
      expect(refreshed.headers.get('x-api-revoked')).toBe('1');
      expect((await login(emulator, ALICE)).token_type).toBe('Bearer');
    });

    it('answers an unknown user with 404', async () => {
      const { status, body } = await call(
        emulator,
        'POST',
        '/_emulator/users/ghost%40example.com/expire',
      );
      expect(status).toBe(404);
      expect(body).toEqual({
        code: 404,
        message: 'User not found',
        errors: { email: 'ghost@example.com' },
      });
    });
  });

  describe('limits', () => {
    it('clears the wrong-code window and used steps', async () => {
      const code = codeAt(emulator, BOB.totpSecret);
      const post = (value: string) =>
        call(emulator, 'POST', '/mfas/token', {
          headers: rawHeaders(BOB),
          json: { challenge: { code: value } },
        });
      expect((await post(code)).status).toBe(200);
      for (let attempt = 0; attempt < 3; attempt += 1) {
        expect((await post(code)).status).toBe(400);
      }
      expect((await post(code)).status).toBe(429);
      await emulator.control.resetLimits();
      expect((await post(code)).status).toBe(200);
    });
  });

  describe('request log', () => {
    it('records method, path, query, status and header names only', async () => {
      const tokens = await login(emulator, ALICE);
      const token = await mfaToken(emulator, BOB);
      await call(emulator, 'GET', '/applications?limit=5&access_token=secret-value', {
        headers: { Authorization: `Bearer ${tokens.access_token}` },
      });
      await call(emulator, 'GET', '/status', {
        headers: { ...encHeaders(BOB), 'X-API-MFA': token },
      });

      const entries = await emulator.control.requests();
      expect(entries.map((entry) => [entry.method, entry.path, entry.status, entry.auth])).toEqual([
        ['GET', '/oauth/v2/global/clients', 200, 'none'],
        ['POST', '/oauth/v2/auth/tokens', 200, 'none'],
        ['POST', '/mfas/token', 200, 'plain'],
        ['GET', '/applications', 200, 'bearer'],
        ['GET', '/status', 200, 'plain'],
      ]);
      expect(entries[3]?.query).toEqual({ limit: '5', access_token: '[redacted]' });
      expect(entries[3]?.headers).toContain('authorization');
      expect(entries[4]?.headers).toEqual(
        expect.arrayContaining(['x-api-email-enc', 'x-api-password-enc', 'x-api-mfa']),
      );
      expect(entries[0]?.time).toBe(new Date(START_MS).toISOString());

      const text = JSON.stringify(entries);
      for (const secret of [
        ALICE.password,
        BOB.password,
        tokens.access_token,
        tokens.refresh_token,
        token,
        'secret-value',
        encHeaders(BOB)['X-API-Password-Enc'] ?? '',
      ]) {
        expect(text).not.toContain(secret);
      }
    });

    it('leaves out control calls and clears on request', async () => {
      await call(emulator, 'GET', '/status');
      await emulator.control.setClockOffset(0);
      expect((await emulator.control.requests()).map((entry) => entry.path)).toEqual(['/status']);
      await emulator.control.clearRequests();
      expect(await emulator.control.requests()).toEqual([]);
    });

    it('records error statuses', async () => {
      await call(emulator, 'GET', '/applications');
      await call(emulator, 'PATCH', '/status');
      const entries = await emulator.control.requests();
      expect(entries.map((entry) => entry.status)).toEqual([401, 405]);
    });
  });

  describe('faults', () => {
    it('answers a status fault with Retry-After and body, once by default', async () => {
      const id = await emulator.control.addFault({
        path: '/status',
        kind: 'status',
        status: 503,
        retryAfter: 7,
        body: { code: 503, message: 'Maintenance' },
      });
      expect(id).toMatch(/^\d+$/);
      const first = await call(emulator, 'GET', '/status');
      expect(first.status).toBe(503);
      expect(first.headers.get('retry-after')).toBe('7');
      expect(first.body).toEqual({ code: 503, message: 'Maintenance' });
      const second = await call(emulator, 'GET', '/status');
      expect(second.status).toBe(200);
      const entries = await emulator.control.requests();
      expect(entries[0]?.faultId).toBe(id);
      expect(entries[0]?.status).toBe(503);
    });

    it('accepts Retry-After as an HTTP date and a default body', async () => {
      const date = new Date(START_MS + 60_000).toUTCString();
      await emulator.control.addFault({
        path: '/status',
        kind: 'status',
        status: 429,
        retryAfter: date,
      });
      const { status, headers, body } = await call(emulator, 'GET', '/status');
      expect(status).toBe(429);
      expect(headers.get('retry-after')).toBe(date);
      expect(body).toEqual({ code: 429, message: 'Injected fault' });
    });

    it('hits as many times as given, then stops', async () => {
      await emulator.control.addFault({ path: '/status', kind: 'status', status: 500, times: 2 });
      const statuses = [];
      for (let index = 0; index < 3; index += 1) {
        statuses.push((await call(emulator, 'GET', '/status')).status);
      }
      expect(statuses).toEqual([500, 500, 200]);
    });

    it('matches the method and a path prefix', async () => {
      await emulator.control.addFault({
        method: 'post',
        path: '/oauth/*',
        kind: 'status',
        status: 502,
      });
      expect((await call(emulator, 'GET', '/oauth/v2/global/clients')).status).toBe(200);
      expect((await call(emulator, 'POST', '/oauth/v2/auth/tokens', { json: {} })).status).toBe(
        502,
      );
      expect((await call(emulator, 'POST', '/oauth/v2/auth/tokens', { json: {} })).status).toBe(
        400,
      );
    });

    it('delays the normal answer', async () => {
      await emulator.control.addFault({ path: '/status', kind: 'delay', ms: 150 });
      const started = performance.now();
      const { status } = await call(emulator, 'GET', '/status');
      expect(status).toBe(200);
      expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    });

    it('resets the connection after the headers', async () => {
      await emulator.control.addFault({ path: '/status', kind: 'reset', after: 'headers' });
      const failure = fetch(`${emulator.url}/status`).then((response) => response.text());
      await expect(failure).rejects.toThrow();
      expect((await call(emulator, 'GET', '/status')).status).toBe(200);
    });

    it('resets the connection in the middle of the body', async () => {
      await emulator.control.addFault({ path: '/status', kind: 'reset', after: 'partial-body' });
      const response = await fetch(`${emulator.url}/status`);
      expect(response.status).toBe(200);
      await expect(response.text()).rejects.toThrow();
    });

    it('answers with a proxy HTML page', async () => {
      await emulator.control.addFault({ path: '/status', kind: 'html', status: 504 });
      const response = await fetch(`${emulator.url}/status`);
      expect(response.status).toBe(504);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await response.text()).toMatch(/^<!DOCTYPE html>/);
    });

    it('answers with an empty body', async () => {
      await emulator.control.addFault({ path: '/status', kind: 'empty', status: 401 });
      const response = await fetch(`${emulator.url}/status`);
      expect(response.status).toBe(401);
      expect(await response.text()).toBe('');
    });

    it('answers with truncated JSON', async () => {
      await emulator.control.addFault({ path: '/status', kind: 'truncated-json' });
      const response = await fetch(`${emulator.url}/status`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      const text = await response.text();
      expect(() => JSON.parse(text)).toThrow();
    });

    it('answers with a large body of the given size', async () => {
      await emulator.control.addFault({ path: '/status', kind: 'large', mib: 3 });
      const response = await fetch(`${emulator.url}/status`);
      const bytes = await response.arrayBuffer();
      expect(bytes.byteLength).toBe(3 * 1024 * 1024);
      expect(response.headers.get('content-length')).toBe(String(3 * 1024 * 1024));
      const parsed = JSON.parse(Buffer.from(bytes).toString('utf8')) as { data: string };
      expect(parsed.data).toMatch(/^a+$/);
    });

    it('answers with a redirect', async () => {
      await emulator.control.addFault({
        path: '/status',
        kind: 'redirect',
        status: 307,
        location: 'http://127.0.0.1:9/elsewhere',
      });
      const response = await fetch(`${emulator.url}/status`, { redirect: 'manual' });
      expect(response.status).toBe(307);
      expect(response.headers.get('location')).toBe('http://127.0.0.1:9/elsewhere');
    });

    it('logs the status each fault kind sends', async () => {
      const faults = [
        { path: '/status', kind: 'html' },
        { path: '/status', kind: 'redirect', location: 'http://127.0.0.1:9/' },
        { path: '/status', kind: 'empty', status: 503 },
        { path: '/status', kind: 'truncated-json' },
      ] as const;
      for (const fault of faults) {
        await emulator.control.addFault(fault);
        await fetch(`${emulator.url}/status`, { redirect: 'manual' }).then((response) =>
          response.text(),
        );
      }
      const entries = await emulator.control.requests();
      expect(entries.map((entry) => entry.status)).toEqual([502, 302, 503, 200]);
    });

    it('clears all faults', async () => {
      await emulator.control.addFault({ path: '*', kind: 'status', status: 500, times: 10 });
      await emulator.control.clearFaults();
      expect((await call(emulator, 'GET', '/status')).status).toBe(200);
    });

    it('never applies to the control API', async () => {
      await emulator.control.addFault({ path: '/*', kind: 'status', status: 500 });
      expect(await emulator.control.requests()).toEqual([]);
    });

    it.each([
      ['no path', { kind: 'status', status: 500 }, 'path'],
      ['an unknown kind', { path: '/status', kind: 'explode' }, 'kind'],
      ['a status without status', { path: '/status', kind: 'status' }, 'status'],
      ['a delay without ms', { path: '/status', kind: 'delay' }, 'ms'],
      ['a reset with an unknown phase', { path: '/status', kind: 'reset', after: 'body' }, 'after'],
      ['a large body without mib', { path: '/status', kind: 'large' }, 'mib'],
      ['a redirect without location', { path: '/status', kind: 'redirect' }, 'location'],
      ['zero times', { path: '/status', kind: 'empty', times: 0 }, 'times'],
      ['an html status out of range', { path: '/status', kind: 'html', status: 99 }, 'status'],
      [
        'a location with a line break',
        { path: '/status', kind: 'redirect', location: '/x\r\nSet-Cookie: a=b' },
        'location',
      ],
      [
        'a Retry-After with a line break',
        { path: '/status', kind: 'status', status: 503, retryAfter: '5\r\nX: y' },
        'retryAfter',
      ],
    ])('rejects %s', async (_case, fault, field) => {
      const { status, body } = await call(emulator, 'POST', '/_emulator/faults', { json: fault });
      expect(status).toBe(400);
      expect((body as { message: string }).message).toBe('Invalid input');
      expect(Object.keys((body as { errors: object }).errors)).toEqual([field]);
    });
  });

  it('verifies tokens issued at a shifted time', async () => {
    await emulator.control.setClockOffset(86_400);
    const tokens = await login(emulator, ALICE);
    const { payload } = await jwtVerify(tokens.access_token, emulator.publicKey, {
      currentDate: new Date(START_MS + 86_400_000),
    });
    expect(payload.sub).toBe('1');
  });
});
