import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  ALICE,
  BOB,
  call,
  DAVE,
  encHeaders,
  JURGEN,
  rawHeaders,
  startTestEmulator,
  type TestEmulator,
} from './helpers.js';

const INVALID = { code: 401, message: 'Invalid credentials' };

describe('plain header authentication', () => {
  let emulator: TestEmulator;

  beforeAll(async () => {
    emulator = await startTestEmulator();
  });

  afterAll(async () => {
    await emulator.close();
  });

  it('accepts the raw pair', async () => {
    const { status, body } = await call(emulator, 'GET', '/applications', {
      headers: rawHeaders(ALICE),
    });
    expect(status).toBe(200);
    expect(body).toEqual([]);
  });

  it('accepts the -Enc pair alone', async () => {
    const { status } = await call(emulator, 'GET', '/applications', { headers: encHeaders(ALICE) });
    expect(status).toBe(200);
  });

  it('accepts non-ASCII credentials in the -Enc pair', async () => {
    const { status, body } = await call(emulator, 'GET', '/status', {
      headers: encHeaders(JURGEN),
    });
    expect(status).toBe(200);
    expect((body as { user: { email: string } }).user.email).toBe(JURGEN.email);
  });

  it('accepts the legacy X-API-Username header', async () => {
    const { status } = await call(emulator, 'GET', '/applications', {
      headers: { 'X-API-Username': ALICE.email, 'X-API-Password': ALICE.password },
    });
    expect(status).toBe(200);
  });

  it.each([
    ['lower case', { 'x-api-email': ALICE.email, 'x-api-password': ALICE.password }],
    ['Java casing', { 'X-Api-Email': ALICE.email, 'X-Api-Password': ALICE.password }],
    ['upper case', { 'X-API-EMAIL': ALICE.email, 'X-API-PASSWORD': ALICE.password }],
    [
      'mixed -Enc casing',
      {
        'x-Api-email-ENC': Buffer.from(ALICE.email).toString('base64'),
        'X-API-PASSWORD-enc': Buffer.from(ALICE.password).toString('base64'),
      },
    ],
  ])('matches header names in %s', async (_case, headers) => {
    const { status } = await call(emulator, 'GET', '/applications', { headers });
    expect(status).toBe(200);
  });

  it('prefers the -Enc pair over a wrong raw pair', async () => {
    const { status } = await call(emulator, 'GET', '/applications', {
      headers: { ...rawHeaders({ ...ALICE, password: 'wrong' }), ...encHeaders(ALICE) },
    });
    expect(status).toBe(200);
  });

  it('rejects a wrong -Enc pair despite a right raw pair', async () => {
    const { status, body } = await call(emulator, 'GET', '/applications', {
      headers: { ...rawHeaders(ALICE), ...encHeaders({ ...ALICE, password: 'wrong' }) },
    });
    expect(status).toBe(401);
    expect(body).toEqual(INVALID);
  });

  it.each([
    ['invalid base64', { 'X-API-Email-Enc': '%%%', 'X-API-Password-Enc': 'cGFzcw==' }],
    ['base64 without padding', { 'X-API-Email-Enc': 'YWxpY2U', 'X-API-Password-Enc': 'cGFzcw==' }],
    ['base64 of invalid UTF-8', { 'X-API-Email-Enc': '/w==', 'X-API-Password-Enc': 'cGFzcw==' }],
    ['half an -Enc pair', { 'X-API-Email-Enc': Buffer.from(ALICE.email).toString('base64') }],
    ['no password', { 'X-API-Email': ALICE.email }],
    ['no credentials', {}],
    ['a wrong password', rawHeaders({ ...ALICE, password: 'Correct horse' })],
    ['an unknown e-mail', rawHeaders({ email: 'nobody@example.com', password: 'x' })],
  ])('rejects %s with 401', async (_case, headers: Record<string, string>) => {
    const {
      status,
      body,
      headers: responseHeaders,
    } = await call(emulator, 'GET', '/applications', { headers });
    expect(status).toBe(401);
    expect(body).toEqual(INVALID);
    expect(responseHeaders.get('content-type')).toBe('application/json; charset=utf-8');
  });

  it('uses passwords exactly, spaces included', async () => {
    const exact = await call(emulator, 'GET', '/applications', { headers: encHeaders(DAVE) });
    expect(exact.status).toBe(200);
    const trimmed = await call(emulator, 'GET', '/applications', {
      headers: encHeaders({ ...DAVE, password: DAVE.password.trim() }),
    });
    expect(trimmed.status).toBe(401);
  });

  it('matches e-mails without regard to case', async () => {
    const { status } = await call(emulator, 'GET', '/applications', {
      headers: rawHeaders({ ...ALICE, email: ALICE.email.toUpperCase() }),
    });
    expect(status).toBe(200);
  });

  it('requires X-API-MFA for a user with MFA on', async () => {
    const { status, body, headers } = await call(emulator, 'GET', '/applications', {
      headers: rawHeaders(BOB),
    });
    expect(status).toBe(401);
    expect(body).toEqual({ code: 401, message: 'MFA token required' });
    expect(headers.get('x-api-mfa-required')).toBe('1');
  });
});
