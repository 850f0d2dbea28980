import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Core from '@actions/core';
import * as core from '@actions/core';
import { inputVariableName, readActionMetadata, useEmulator } from '@rips-actions/action-testkit';
import { login, resolveClientId } from '@rips-actions/auth-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { run } from '../src/main.js';
import {
  ACTION_DIR,
  MFA_USER,
  MULTI_LINE_USER,
  PLAIN_USER,
  USERS,
  maskForms,
  startConnectionCounter,
} from './fixtures.js';

// Only the runner commands are replaced. Inputs come from INPUT_* variables and the summary goes
// to a real file, as on a runner.
vi.mock('@actions/core', async (importOriginal) => {
  const actual = await importOriginal<typeof Core>();
  return {
    ...actual,
    setSecret: vi.fn(),
    setOutput: vi.fn(),
    exportVariable: vi.fn(),
    setFailed: vi.fn(),
    info: vi.fn(),
    debug: vi.fn(),
    warning: vi.fn(),
  };
});

const setSecret = vi.mocked(core.setSecret);
const setOutput = vi.mocked(core.setOutput);
const exportVariable = vi.mocked(core.exportVariable);
const setFailed = vi.mocked(core.setFailed);
const info = vi.mocked(core.info);
const warning = vi.mocked(core.warning);

const emulator = useEmulator({ users: USERS });
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const TOKEN_LIFETIME_SECONDS = 28 * 24 * 3600;

let defaults: Record<string, string> = {};
let summaryDir = '';
let summaryPath = '';
let ciClientId = '';

beforeAll(async () => {
  const metadata = await readActionMetadata(ACTION_DIR);
  for (const [name, input] of Object.entries(metadata.inputs)) {
    if (input.default !== undefined) defaults[name] = input.default;
  }
  summaryDir = await mkdtemp(join(tmpdir(), 'rips-login-summary-'));
  summaryPath = join(summaryDir, 'step-summary.md');
  ciClientId = await resolveClientId({ apiUrl: emulator.url, clientName: 'ci' });
});

afterAll(async () => {
  await rm(summaryDir, { recursive: true, force: true });
  defaults = {};
});

beforeEach(async () => {
  vi.clearAllMocks();
  await writeFile(summaryPath, '');
  vi.stubEnv('GITHUB_STEP_SUMMARY', summaryPath);
  // TOTP codes are single-use per time step, so each test starts with every step unused.
  await emulator.control.resetLimits();
  await emulator.control.clearFaults();
  await emulator.control.clearRequests();
});

afterEach(() => {
  vi.unstubAllEnvs();
});

/** Sets inputs as the runner does: `action.yml` defaults first, then the given values. */
function setInputs(inputs: Record<string, string>): void {
  for (const [name, value] of Object.entries({ ...defaults, ...inputs })) {
    vi.stubEnv(inputVariableName(name), value);
  }
}

function outputValue(name: string): string {
  const call = setOutput.mock.calls.find(([outputName]) => outputName === name);
  if (call === undefined) {
    throw new Error(`output ${name} was not set`);
  }
  return String(call[1]);
}

function maskedValues(): string[] {
  return setSecret.mock.calls.map(([value]) => value);
}

function failureMessage(): string {
  expect(setFailed).toHaveBeenCalledTimes(1);
  return String(setFailed.mock.calls[0]?.[0]);
}

async function requestPaths(): Promise<string[]> {
  const requests = await emulator.control.requests();
  return requests.map((request) => `${request.method} ${request.path} ${request.status}`);
}

describe('run with the password grant', () => {
  it('signs in with a TOTP secret', async () => {
    setInputs({
      'api-url': emulator.url,
      ...passwordInputs(MFA_USER),
      'totp-secret': MFA_USER.totpSecret,
    });

    await run();

    expect(setFailed).not.toHaveBeenCalled();
    const accessToken = outputValue('access-token');
    const refreshToken = outputValue('refresh-token');
    const mfaToken = outputValue('mfa-token');
    const expiresAt = outputValue('expires-at');
    expect(accessToken).toMatch(/^eyJ/);
    expect(refreshToken).not.toBe('');
    expect(mfaToken).not.toBe('');
    expect(expiresAt).toMatch(ISO_INSTANT);
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(
      (TOKEN_LIFETIME_SECONDS - 60) * 1000,
    );
    expect(setOutput.mock.calls).toEqual([
      ['access-token', accessToken],
      ['refresh-token', refreshToken],
      ['mfa-token', mfaToken],
      ['client-id', ciClientId],
      ['token-type', 'Bearer'],
      ['expires-in', String(TOKEN_LIFETIME_SECONDS)],
      ['expires-at', expiresAt],
      ['auth-method', 'password'],
      ['user-id', '1'],
      ['user-email', MFA_USER.email],
    ]);
    expect(setOutput).toHaveBeenCalledTimes(10);
    expect(maskedValues()).toEqual(
      maskForms(
        MFA_USER.password,
        MFA_USER.totpSecret,
        accessToken,
        `Bearer ${accessToken}`,
        refreshToken,
        mfaToken,
      ),
    );
    expect(maskedValues().slice(0, 6)).toEqual([
      'demo-password',
      'ZGVtby1wYXNzd29yZA==',
      'ZGVtby1wYXNzd29yZA',
      'JBSWY3DPEHPK3PXP',
      'SkJTV1kzRFBFSFBLM1BYUA==',
      'SkJTV1kzRFBFSFBLM1BYUA',
    ]);
    expect(setSecret).toHaveBeenCalledTimes(
      maskForms(MFA_USER.password, MFA_USER.totpSecret).length +
        maskForms(accessToken, `Bearer ${accessToken}`).length +
        maskForms(refreshToken).length +
        maskForms(mfaToken).length,
    );
    expect(exportVariable).not.toHaveBeenCalled();
    expect(warning).not.toHaveBeenCalled();
    for (const plainValue of [ciClientId, expiresAt, MFA_USER.email, '1']) {
      expect(maskedValues()).not.toContain(plainValue);
    }
    expect(info.mock.calls).toEqual([
      [expect.stringMatching(signingInLine('password'))],
      ['Obtained an MFA token'],
      [
        `Signed in as ${MFA_USER.email} with the password method; the access token expires at ${expiresAt}`,
      ],
    ]);
  });

  it('masks every secret before the first output', async () => {
    setInputs({
      'api-url': emulator.url,
      ...passwordInputs(MFA_USER),
      'totp-secret': MFA_USER.totpSecret,
    });

    await run();

    const lastMask = Math.max(...setSecret.mock.invocationCallOrder);
    const firstOutput = Math.min(...setOutput.mock.invocationCallOrder);
    const firstLog = Math.min(...info.mock.invocationCallOrder);
    expect(lastMask).toBeLessThan(firstOutput);
    expect(Math.min(...setSecret.mock.invocationCallOrder)).toBeLessThan(firstLog);
  });

  it('never masks a six-digit TOTP code', async () => {
    setInputs({
      'api-url': emulator.url,
      ...passwordInputs(MFA_USER),
      'totp-secret': MFA_USER.totpSecret,
    });

    await run();

    expect(setFailed).not.toHaveBeenCalled();
    expect(maskedValues().filter((value) => /^\d{6}$/.test(value))).toEqual([]);
  });

  it('keeps spaces in the password', async () => {
    setInputs({ 'api-url': emulator.url, ...passwordInputs(PLAIN_USER) });

    await run();

    expect(setFailed).not.toHaveBeenCalled();
    const accessToken = outputValue('access-token');
    const refreshToken = outputValue('refresh-token');
    expect(setOutput.mock.calls).toEqual([
      ['access-token', accessToken],
      ['refresh-token', refreshToken],
      ['mfa-token', ''],
      ['client-id', ciClientId],
      ['token-type', 'Bearer'],
      ['expires-in', String(TOKEN_LIFETIME_SECONDS)],
      ['expires-at', outputValue('expires-at')],
      ['auth-method', 'password'],
      ['user-id', '2'],
      ['user-email', PLAIN_USER.email],
    ]);
    expect(maskedValues()).toEqual(
      maskForms(PLAIN_USER.password, accessToken, `Bearer ${accessToken}`, refreshToken),
    );
    expect(maskForms(PLAIN_USER.password)).toHaveLength(4);
    expect(await requestPaths()).toEqual([
      'GET /oauth/v2/global/clients 200',
      'POST /oauth/v2/auth/tokens 200',
      'GET /status 200',
    ]);
  });

  it('masks each line of a password', async () => {
    setInputs({ 'api-url': emulator.url, ...passwordInputs(MULTI_LINE_USER) });

    await run();

    expect(setFailed).not.toHaveBeenCalled();
    expect(maskedValues().slice(0, 7)).toEqual([
      'first line\r\nsecond line',
      'first line',
      'second line',
      'Zmlyc3QgbGluZQ0Kc2Vjb25kIGxpbmU=',
      'Zmlyc3QgbGluZQ0Kc2Vjb25kIGxpbmU',
      'first%20line%0D%0Asecond%20line',
      'first line\\r\\nsecond line',
    ]);
    expect(outputValue('user-email')).toBe(MULTI_LINE_USER.email);
  });

  it('drops a pasted trailing line break', async () => {
    setInputs({
      'api-url': emulator.url,
      email: PLAIN_USER.email,
      password: `${PLAIN_USER.password}\r\n`,
    });

    await run();

    expect(setFailed).not.toHaveBeenCalled();
    expect(outputValue('user-email')).toBe(PLAIN_USER.email);
    expect(maskedValues().slice(0, 4)).toEqual(maskForms(PLAIN_USER.password));
  });

  it('uses client-id over client-name', async () => {
    setInputs({
      'api-url': emulator.url,
      ...passwordInputs(PLAIN_USER),
      'client-id': ciClientId,
      'client-name': 'not-a-client',
    });

    await run();

    expect(setFailed).not.toHaveBeenCalled();
    expect(outputValue('client-id')).toBe(ciClientId);
    expect(warning.mock.calls).toEqual([
      ['client-name is ignored because client-id is set; set only one of them'],
    ]);
    expect(await requestPaths()).toEqual(['POST /oauth/v2/auth/tokens 200', 'GET /status 200']);
  });

  it('warns that a TOTP secret went unused', async () => {
    setInputs({
      'api-url': emulator.url,
      ...passwordInputs(PLAIN_USER),
      'totp-secret': MFA_USER.totpSecret,
    });

    await run();

    expect(setFailed).not.toHaveBeenCalled();
    expect(outputValue('mfa-token')).toBe('');
    expect(warning.mock.calls).toEqual([
      ['totp-secret is set but MFA is not enabled for this account; the secret was not used'],
    ]);
  });

  it('writes who signed in to the summary', async () => {
    setInputs({
      'api-url': emulator.url,
      ...passwordInputs(MFA_USER),
      'totp-secret': MFA_USER.totpSecret,
    });

    await run();

    const summary = await readFile(summaryPath, 'utf8');
    expect(summary).toContain('<td>User</td><td>demo@example.com (id 1)</td>');
    expect(summary).toContain('<td>Method</td><td>password</td>');
    expect(summary).toContain(`<td>Access token expires</td><td>${outputValue('expires-at')}</td>`);
    expect(summary).toContain(`<td>OAuth client id</td><td>${ciClientId}</td>`);
    for (const secret of maskedValues()) {
      expect(summary).not.toContain(secret);
    }
  });
  it('warns when the summary cannot be written', async () => {
    // A directory in place of the summary file makes the append fail.
    await rm(summaryPath);
    await mkdir(summaryPath);
    try {
      setInputs({ 'api-url': emulator.url, ...passwordInputs(PLAIN_USER) });

      await run();

      expect(setFailed).not.toHaveBeenCalled();
      expect(setOutput).toHaveBeenCalledTimes(10);
      expect(warning).toHaveBeenCalledTimes(1);
      expect(String(warning.mock.calls[0]?.[0])).toMatch(
        /^Failed to write the job summary: EISDIR/,
      );
    } finally {
      await rm(summaryPath, { recursive: true });
      await writeFile(summaryPath, '');
    }
  });
});

describe('run with an MFA token', () => {
  it('uses a given MFA token', async () => {
    const { mfaToken } = await login({ apiUrl: emulator.url, ...MFA_USER });
    if (mfaToken === undefined) throw new Error('the setup login returned no MFA token');
    await emulator.control.clearRequests();
    setInputs({ 'api-url': emulator.url, ...passwordInputs(MFA_USER), 'mfa-token': mfaToken });

    await run();

    expect(setFailed).not.toHaveBeenCalled();
    const accessToken = outputValue('access-token');
    expect(outputValue('mfa-token')).toBe(mfaToken);
    expect(maskedValues()).toEqual(
      maskForms(
        MFA_USER.password,
        mfaToken,
        accessToken,
        `Bearer ${accessToken}`,
        outputValue('refresh-token'),
      ),
    );
    expect(await requestPaths()).toEqual([
      'GET /oauth/v2/global/clients 200',
      'POST /oauth/v2/auth/tokens 200',
      'GET /status 200',
    ]);
  });

  it('replaces a refused MFA token', async () => {
    const staleToken = 'f'.repeat(40);
    setInputs({
      'api-url': emulator.url,
      ...passwordInputs(MFA_USER),
      'mfa-token': staleToken,
      'totp-secret': MFA_USER.totpSecret,
    });

    await run();

    expect(setFailed).not.toHaveBeenCalled();
    const mfaToken = outputValue('mfa-token');
    expect(mfaToken).not.toBe(staleToken);
    expect(maskedValues()).toEqual(
      maskForms(
        MFA_USER.password,
        staleToken,
        MFA_USER.totpSecret,
        outputValue('access-token'),
        `Bearer ${outputValue('access-token')}`,
        outputValue('refresh-token'),
        mfaToken,
      ),
    );
    expect(await requestPaths()).toEqual([
      'GET /oauth/v2/global/clients 200',
      'POST /oauth/v2/auth/tokens 200',
      'GET /status 401',
      'POST /mfas/token 200',
      'GET /status 200',
    ]);
  });
});

describe('run with the refresh and plain methods', () => {
  it('signs in with a refresh token', async () => {
    const first = await login({ apiUrl: emulator.url, ...PLAIN_USER });
    const givenToken = first.refreshToken ?? '';
    setInputs({ 'api-url': emulator.url, 'refresh-token': givenToken });

    await run();

    expect(setFailed).not.toHaveBeenCalled();
    const accessToken = outputValue('access-token');
    const refreshToken = outputValue('refresh-token');
    expect(refreshToken).not.toBe(givenToken);
    expect(setOutput.mock.calls).toEqual([
      ['access-token', accessToken],
      ['refresh-token', refreshToken],
      ['mfa-token', ''],
      ['client-id', ciClientId],
      ['token-type', 'Bearer'],
      ['expires-in', String(TOKEN_LIFETIME_SECONDS)],
      ['expires-at', outputValue('expires-at')],
      ['auth-method', 'refresh'],
      ['user-id', '2'],
      ['user-email', PLAIN_USER.email],
    ]);
    expect(maskedValues()).toEqual(
      maskForms(givenToken, accessToken, `Bearer ${accessToken}`, refreshToken),
    );
    expect(info).toHaveBeenCalledWith(expect.stringMatching(signingInLine('refresh')));
  });

  it('falls back to the password', async () => {
    setInputs({
      'api-url': emulator.url,
      ...passwordInputs(PLAIN_USER),
      'refresh-token': 'def502-not-a-token',
    });

    await run();

    expect(setFailed).not.toHaveBeenCalled();
    expect(outputValue('auth-method')).toBe('password');
    expect(warning.mock.calls).toEqual([
      ['The API rejected the refresh token; signing in with the e-mail and password instead'],
    ]);
    expect(await requestPaths()).toEqual([
      'GET /oauth/v2/global/clients 200',
      'POST /oauth/v2/auth/tokens 401',
      'POST /oauth/v2/auth/tokens 200',
      'GET /status 200',
    ]);
  });

  it('signs in with plain headers', async () => {
    setInputs({ 'api-url': emulator.url, ...passwordInputs(PLAIN_USER), grant: 'plain' });

    await run();

    expect(setFailed).not.toHaveBeenCalled();
    expect(setOutput.mock.calls).toEqual([
      ['access-token', ''],
      ['refresh-token', ''],
      ['mfa-token', ''],
      ['client-id', ''],
      ['token-type', ''],
      ['expires-in', ''],
      ['expires-at', ''],
      ['auth-method', 'plain'],
      ['user-id', '2'],
      ['user-email', PLAIN_USER.email],
    ]);
    // auth-core reports the X-API-Password-Enc header value, whose own forms are masked too.
    expect(maskedValues()).toEqual(maskForms(PLAIN_USER.password, base64(PLAIN_USER.password)));
    expect(await requestPaths()).toEqual(['GET /status 200']);
  });

  it('signs in with plain headers and MFA', async () => {
    setInputs({
      'api-url': emulator.url,
      ...passwordInputs(MFA_USER),
      grant: 'plain',
      'totp-secret': MFA_USER.totpSecret,
    });

    await run();

    expect(setFailed).not.toHaveBeenCalled();
    const mfaToken = outputValue('mfa-token');
    expect(outputValue('auth-method')).toBe('plain');
    expect(maskedValues()).toEqual(
      maskForms(MFA_USER.password, MFA_USER.totpSecret, base64(MFA_USER.password), mfaToken),
    );
  });
});

describe('run with export-env', () => {
  it('exports the tokens to later steps', async () => {
    setInputs({
      'api-url': emulator.url,
      ...passwordInputs(MFA_USER),
      'totp-secret': MFA_USER.totpSecret,
      'export-env': 'true',
    });

    await run();

    expect(setFailed).not.toHaveBeenCalled();
    expect(exportVariable.mock.calls).toEqual([
      ['RIPS_API_URL', emulator.url],
      ['RIPS_ACCESS_TOKEN', outputValue('access-token')],
      ['RIPS_REFRESH_TOKEN', outputValue('refresh-token')],
      ['RIPS_MFA_TOKEN', outputValue('mfa-token')],
      ['RIPS_CLIENT_ID', ciClientId],
      ['RIPS_EXPIRES_AT', outputValue('expires-at')],
    ]);
    expect(Math.max(...setSecret.mock.invocationCallOrder)).toBeLessThan(
      Math.min(...exportVariable.mock.invocationCallOrder),
    );
  });

  it('exports the e-mail and password for plain headers', async () => {
    setInputs({
      'api-url': emulator.url,
      ...passwordInputs(PLAIN_USER),
      grant: 'plain',
      'export-env': 'TRUE',
    });

    await run();

    expect(setFailed).not.toHaveBeenCalled();
    expect(exportVariable.mock.calls).toEqual([
      ['RIPS_API_URL', emulator.url],
      ['RIPS_EMAIL', PLAIN_USER.email],
      ['RIPS_PASSWORD', PLAIN_USER.password],
      ['RIPS_MFA_TOKEN', ''],
    ]);
  });
});

describe('run failures', () => {
  /** Asserts that a failed run set no output and exported nothing. */
  function expectNothingPublished(): void {
    expect(setOutput).not.toHaveBeenCalled();
    expect(exportVariable).not.toHaveBeenCalled();
  }

  it('rejects remote http before sending', async () => {
    const counter = await startConnectionCounter();
    try {
      vi.stubEnv('HTTP_PROXY', counter.url);
      vi.stubEnv('HTTPS_PROXY', counter.url);
      setInputs({ 'api-url': 'http://example.invalid/', ...passwordInputs(PLAIN_USER) });

      await run();

      expect(failureMessage()).toMatchInlineSnapshot(
        `"api-url: plain http:// sends credentials unencrypted to example.invalid; use https:// or set allow-insecure-http"`,
      );
      expect(counter.connections()).toBe(0);
      expect(maskedValues()).toEqual(maskForms(PLAIN_USER.password));
      expectNothingPublished();
    } finally {
      await counter.close();
    }
  });

  it('hints at an empty password', async () => {
    setInputs({
      'api-url': emulator.url,
      email: PLAIN_USER.email,
      password: '\n',
      grant: 'password',
    });

    await run();

    expect(failureMessage()).toMatchInlineSnapshot(
      `"password: the password grant needs a password; it is empty (secrets are not passed to workflows triggered from forks or by Dependabot)"`,
    );
    expect(setSecret).not.toHaveBeenCalled();
    expectNothingPublished();
  });

  it('names empty credentials for grant auto', async () => {
    setInputs({ 'api-url': emulator.url });

    await run();

    expect(failureMessage()).toMatchInlineSnapshot(
      `"grant: auto needs a refresh token, or an e-mail and a password; all are empty (secrets are not passed to workflows triggered from forks or by Dependabot)"`,
    );
    expectNothingPublished();
  });

  it('names a missing refresh token', async () => {
    setInputs({ 'api-url': emulator.url, ...passwordInputs(PLAIN_USER), grant: 'refresh' });

    await run();

    expect(failureMessage()).toMatchInlineSnapshot(
      `"refresh-token: the refresh grant needs a refresh token; it is empty (secrets are not passed to workflows triggered from forks or by Dependabot)"`,
    );
    expectNothingPublished();
  });

  it('reports a wrong password', async () => {
    setInputs({ 'api-url': emulator.url, email: PLAIN_USER.email, password: 'wrong-password' });

    await run();

    expect(failureMessage()).toMatchInlineSnapshot(
      `"Sign-in failed for ci@example.com: the API rejected the e-mail or password (Invalid credentials). Check the email and password inputs and the secrets they come from"`,
    );
    expectNothingPublished();
  });

  it('reports a rejected refresh token', async () => {
    setInputs({ 'api-url': emulator.url, 'refresh-token': 'def502-not-a-token' });

    await run();

    expect(failureMessage()).toMatchInlineSnapshot(
      `"The API rejected the refresh token (invalid_grant: Invalid refresh token); sign in with the password again"`,
    );
    expectNothingPublished();
  });

  it('lists the client names the API offers', async () => {
    setInputs({ 'api-url': emulator.url, ...passwordInputs(PLAIN_USER), 'client-name': 'deploy' });

    await run();

    expect(failureMessage()).toMatchInlineSnapshot(
      `"client-name: no OAuth client named "deploy"; the API offers: ci, ui-client"`,
    );
    expectNothingPublished();
  });

  it('reports an unknown client id', async () => {
    setInputs({ 'api-url': emulator.url, ...passwordInputs(PLAIN_USER), 'client-id': '9_unknown' });

    await run();

    expect(failureMessage()).toMatchInlineSnapshot(
      `"client-id: the API does not accept the OAuth client id "9_unknown" (Invalid client)"`,
    );
    expectNothingPublished();
  });

  it('asks for a TOTP secret when MFA is on', async () => {
    setInputs({ 'api-url': emulator.url, ...passwordInputs(MFA_USER) });

    await run();

    expect(failureMessage()).toMatchInlineSnapshot(
      `"MFA is enabled for this account: set totp-secret, or mfa-token with a current MFA token. If totp-secret is set from a secret, check that the secret exists: secrets are not passed to workflows triggered from forks or by Dependabot"`,
    );
    expectNothingPublished();
  });

  it('asks for TOTP after a refused token', async () => {
    setInputs({
      'api-url': emulator.url,
      ...passwordInputs(MFA_USER),
      'mfa-token': 'f'.repeat(40),
    });

    await run();

    expect(failureMessage()).toMatchInlineSnapshot(
      `"The API rejected the MFA token (mfa-token); set totp-secret so that a new one can be obtained. If totp-secret is set from a secret, check that the secret exists: secrets are not passed to workflows triggered from forks or by Dependabot"`,
    );
    expectNothingPublished();
  });

  it('explains the MFA rate limit', async () => {
    await emulator.control.addFault({
      method: 'POST',
      path: '/mfas/token',
      kind: 'status',
      status: 429,
      retryAfter: 120,
      body: { code: 429, message: 'Too many wrong codes' },
    });
    setInputs({
      'api-url': emulator.url,
      ...passwordInputs(MFA_USER),
      'totp-secret': MFA_USER.totpSecret,
    });

    await run();

    expect(failureMessage()).toMatchInlineSnapshot(
      `"The API rejects TOTP codes after too many wrong codes; retry in 120 s. TOTP codes are single-use, so jobs that run at the same time with one totp-secret compete for them: let one job sign in at a time"`,
    );
    expectNothingPublished();
  });

  it('masks, then rejects a malformed secret', async () => {
    const secret = 'not a base32 secret!';
    setInputs({ 'api-url': emulator.url, ...passwordInputs(MFA_USER), 'totp-secret': secret });

    await run();

    expect(failureMessage()).toMatchInlineSnapshot(
      `"totp-secret: expected a base32 secret (letters A-Z and digits 2-7, as an authenticator app shows it)"`,
    );
    expect(maskedValues()).toEqual(maskForms(MFA_USER.password, secret));
    expect(await requestPaths()).toEqual([]);
    expectNothingPublished();
  });

  it.each([
    ['grant', 'oauth', 'grant: expected one of auto, password, refresh, plain, received "oauth"'],
    ['export-env', 'yes', 'export-env: expected true or false, received "yes"'],
    ['allow-insecure-http', '1', 'allow-insecure-http: expected true or false, received "1"'],
    [
      'timeout-seconds',
      '0',
      'timeout-seconds: expected a number of seconds greater than 0 and at most 86400, received "0"',
    ],
    ['retries', 'many', 'retries: expected a whole number from 0 to 10, received "many"'],
  ])('rejects %s set to %s', async (name, value, message) => {
    setInputs({ 'api-url': emulator.url, ...passwordInputs(PLAIN_USER), [name]: value });

    await run();

    expect(failureMessage()).toBe(message);
    expect(await requestPaths()).toEqual([]);
    expectNothingPublished();
  });

  it('rejects a missing api-url', async () => {
    setInputs({ 'api-url': '', ...passwordInputs(PLAIN_USER) });

    await run();

    expect(failureMessage()).toMatchInlineSnapshot(`"api-url: the API base URL is missing"`);
    expectNothingPublished();
  });
});

/** Matches auth-core's first info line, with or without a slash after the base URL. */
function signingInLine(method: string): RegExp {
  const url = emulator.url.replaceAll('.', '\\.');
  return new RegExp(`^Signing in to ${url}/? with the ${method} method$`);
}

function base64(value: string): string {
  return Buffer.from(value, 'utf8').toString('base64');
}

function passwordInputs(user: { email: string; password: string }): Record<string, string> {
  return { email: user.email, password: user.password };
}
