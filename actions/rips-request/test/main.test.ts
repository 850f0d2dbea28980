import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as core from '@actions/core';
import { useEmulator } from '@rips-actions/action-testkit';
import { secretForms, type LoginResult } from '@rips-actions/auth-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

import { run } from '../src/main.js';
import { CI_USER, signIn, USERS } from './helpers.js';

vi.mock('@actions/core', async (importOriginal) => {
  const actual = await importOriginal<typeof core>();
  return {
    ...actual,
    setSecret: vi.fn(),
    setOutput: vi.fn(),
    setFailed: vi.fn(),
    exportVariable: vi.fn(),
    info: vi.fn(),
    debug: vi.fn(),
    warning: vi.fn(),
  };
});

const emulator = useEmulator({ users: USERS });

/** The defaults that a runner passes for inputs the workflow leaves out, from action.yml. */
const DEFAULTS: Record<string, string> = {
  method: 'GET',
  'fail-on-error': 'true',
  paginate: 'false',
  'max-pages': '100',
  'timeout-seconds': '30',
  retries: '3',
  'retry-unsafe-methods': 'false',
  'allow-insecure-http': 'false',
};

const RIPS_VARIABLES = [
  'RIPS_API_URL',
  'RIPS_ACCESS_TOKEN',
  'RIPS_REFRESH_TOKEN',
  'RIPS_MFA_TOKEN',
  'RIPS_CLIENT_ID',
  'RIPS_EXPIRES_AT',
  'RIPS_EMAIL',
  'RIPS_PASSWORD',
];

function setInputs(inputs: Record<string, string>): void {
  for (const [name, value] of Object.entries({ ...DEFAULTS, ...inputs })) {
    vi.stubEnv(`INPUT_${name.toUpperCase()}`, value);
  }
}

function forms(...values: string[]): string[] {
  return [...new Set(values.flatMap((value) => secretForms(value)))];
}

const setSecret = vi.mocked(core.setSecret);
const setOutput = vi.mocked(core.setOutput);
const setFailed = vi.mocked(core.setFailed);
const exportVariable = vi.mocked(core.exportVariable);
const warning = vi.mocked(core.warning);

let ci: LoginResult;
let accessToken: string;
let refreshToken: string;
let summaryDir: string;

beforeEach(async () => {
  vi.clearAllMocks();
  for (const name of RIPS_VARIABLES) {
    vi.stubEnv(name, '');
  }
  await writeFile(join(summaryDir, 'summary.md'), '');
  vi.stubEnv('GITHUB_STEP_SUMMARY', join(summaryDir, 'summary.md'));
  vi.stubEnv('RUNNER_TEMP', summaryDir);
  await emulator.control.clearFaults();
  ci = await signIn(emulator.url, CI_USER);
  accessToken = ci.accessToken ?? '';
  refreshToken = ci.refreshToken ?? '';
});

afterEach(() => {
  vi.unstubAllEnvs();
});

// One directory for the whole file, because @actions/core remembers the summary path.
beforeAll(async () => {
  summaryDir = await mkdtemp(join(tmpdir(), 'rips-request-unit-'));
});

afterAll(async () => {
  await rm(summaryDir, { recursive: true, force: true });
});

function tokenInputs(): Record<string, string> {
  return {
    'api-url': emulator.url,
    'access-token': accessToken,
    'refresh-token': refreshToken,
    'client-id': ci.clientId ?? '',
  };
}

function outputNames(): string[] {
  return setOutput.mock.calls.map(([name]) => name);
}

function firstCall(mock: { mock: { invocationCallOrder: number[] } }): number {
  return mock.mock.invocationCallOrder[0] ?? Number.POSITIVE_INFINITY;
}

describe('run', () => {
  it('sets all outputs of a GET', async () => {
    setInputs({ ...tokenInputs(), path: '/status' });

    await run();

    expect(setFailed).not.toHaveBeenCalled();
    expect(setOutput).toHaveBeenCalledTimes(5);
    expect(outputNames()).toEqual(['status', 'body', 'headers', 'pages', 'refreshed']);
    expect(setOutput).toHaveBeenCalledWith('status', '200');
    expect(setOutput).toHaveBeenCalledWith('pages', '1');
    expect(setOutput).toHaveBeenCalledWith('refreshed', 'false');
    const body = setOutput.mock.calls.find(([name]) => name === 'body')?.[1] as string;
    expect(JSON.parse(body)).toMatchObject({ user: { email: CI_USER.email } });
    expect(exportVariable).not.toHaveBeenCalled();
    expect(warning).not.toHaveBeenCalled();
    const summary = await readFile(join(summaryDir, 'summary.md'), 'utf8');
    expect(summary).toMatch(/^rips-request: `GET \/status` returned 200 in \d+ ms, 1 page\n$/);
  });

  it('masks each form of every token exactly once', async () => {
    setInputs({ ...tokenInputs(), path: '/status' });

    await run();

    const expected = forms(accessToken, refreshToken, `Bearer ${accessToken}`);
    expect(setSecret.mock.calls.map(([value]) => value)).toEqual(expected);
    expect(setSecret).toHaveBeenCalledTimes(expected.length);
  });

  it('masks password lines first', async () => {
    const password = 'first line\nsecond line';
    setInputs({ 'api-url': emulator.url, path: '/status', email: CI_USER.email, password });

    await run();

    const calls = setSecret.mock.calls.map(([value]) => value);
    expect(calls.slice(0, 3)).toEqual([password, 'first line', 'second line']);
    expect(calls).toContain(Buffer.from(password).toString('base64'));
    expect(setFailed).toHaveBeenCalledTimes(1);
    expect(firstCall(setSecret)).toBeLessThan(firstCall(setFailed));
  });

  it('masks secrets before it rejects a bad input', async () => {
    setInputs({ ...tokenInputs(), path: '/status', method: 'FETCH', password: CI_USER.password });

    await run();

    expect(setSecret).toHaveBeenCalledWith(accessToken);
    expect(setSecret).toHaveBeenCalledWith(refreshToken);
    expect(setSecret).toHaveBeenCalledWith(CI_USER.password);
    expect(firstCall(setSecret)).toBeLessThan(firstCall(setFailed));
    expect(setFailed.mock.calls).toMatchInlineSnapshot(`
      [
        [
          "method: expected one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, received "FETCH"",
        ],
      ]
    `);
    expect(setOutput).not.toHaveBeenCalled();
  });

  it('masks answer fields before outputs', async () => {
    setInputs({
      ...tokenInputs(),
      method: 'POST',
      path: '/oauth/v2/clients',
      body: '{"client":{"name":"unit-client"}}',
    });

    await run();

    expect(setFailed).not.toHaveBeenCalled();
    const body = setOutput.mock.calls.find(([name]) => name === 'body')?.[1] as string;
    const secret = (JSON.parse(body) as { secret: string }).secret;
    expect(setSecret).toHaveBeenCalledWith(secret);
    const maskOrder =
      setSecret.mock.invocationCallOrder[
        setSecret.mock.calls.findIndex(([value]) => value === secret)
      ];
    expect(maskOrder).toBeLessThan(firstCall(setOutput));
  });

  it('outputs masked tokens after refresh', async () => {
    await emulator.control.expireUser(CI_USER.email);
    setInputs({ ...tokenInputs(), path: '/status' });

    await run();

    expect(setFailed).not.toHaveBeenCalled();
    expect(outputNames()).toEqual([
      'status',
      'body',
      'headers',
      'pages',
      'refreshed',
      'access-token',
      'refresh-token',
    ]);
    expect(setOutput).toHaveBeenCalledWith('refreshed', 'true');
    const newAccess = setOutput.mock.calls.find(([name]) => name === 'access-token')?.[1];
    const newRefresh = setOutput.mock.calls.find(([name]) => name === 'refresh-token')?.[1];
    expect(newAccess).not.toBe(accessToken);
    expect(newRefresh).not.toBe(refreshToken);
    const expected = forms(
      accessToken,
      refreshToken,
      `Bearer ${accessToken}`,
      String(newAccess),
      `Bearer ${String(newAccess)}`,
      String(newRefresh),
    );
    expect(setSecret.mock.calls.map(([value]) => value)).toEqual(expected);
    expect(setSecret).toHaveBeenCalledTimes(expected.length);
    expect(exportVariable).not.toHaveBeenCalled();
  });

  it('exports renewed tokens that replace RIPS_* variables', async () => {
    await emulator.control.expireUser(CI_USER.email);
    setInputs({ path: '/status' });
    vi.stubEnv('RIPS_API_URL', emulator.url);
    vi.stubEnv('RIPS_ACCESS_TOKEN', accessToken);
    vi.stubEnv('RIPS_REFRESH_TOKEN', refreshToken);
    vi.stubEnv('RIPS_CLIENT_ID', ci.clientId ?? '');

    await run();

    expect(setFailed).not.toHaveBeenCalled();
    expect(exportVariable.mock.calls.map(([name]) => name)).toEqual([
      'RIPS_ACCESS_TOKEN',
      'RIPS_REFRESH_TOKEN',
      'RIPS_EXPIRES_AT',
    ]);
    const exported = exportVariable.mock.calls[0]?.[1];
    expect(exported).toBe(setOutput.mock.calls.find(([name]) => name === 'access-token')?.[1]);
  });

  it('warns about an ignored client-name', async () => {
    setInputs({ ...tokenInputs(), path: '/status', 'client-name': 'ci' });

    await run();

    expect(warning.mock.calls).toEqual([['client-name is ignored because client-id is set']]);
  });
});

describe('run failures', () => {
  it('reports a revoked token without a password', async () => {
    await emulator.control.revokeUser(CI_USER.email);
    setInputs({ ...tokenInputs(), path: '/status' });

    await run();

    expect(setFailed.mock.calls).toMatchInlineSnapshot(`
      [
        [
          "The access token was revoked and no password was given to sign in again; run the login again",
        ],
      ]
    `);
    expect(setOutput).not.toHaveBeenCalled();
    expect(exportVariable).not.toHaveBeenCalled();
  });

  it('reports an unexpected status and sets no output', async () => {
    setInputs({ ...tokenInputs(), path: '/applications/424242' });

    await run();

    expect(setFailed.mock.calls).toMatchInlineSnapshot(`
      [
        [
          "GET /applications/424242 returned status 404 (Not Found); expected-status is 2xx (set fail-on-error to false to continue with the outputs)",
        ],
      ]
    `);
    expect(setOutput).not.toHaveBeenCalled();
  });

  it('warns instead of failing without fail-on-error', async () => {
    setInputs({ ...tokenInputs(), path: '/applications/424242', 'fail-on-error': 'false' });

    await run();

    expect(setFailed).not.toHaveBeenCalled();
    expect(setOutput).toHaveBeenCalledWith('status', '404');
    expect(warning.mock.calls).toMatchInlineSnapshot(`
      [
        [
          "GET /applications/424242 returned status 404 (Not Found), which is not in expected-status (2xx); the outputs are set because fail-on-error is false",
        ],
      ]
    `);
  });

  it('rejects a foreign host before sending', async () => {
    await emulator.control.clearRequests();
    setInputs({ ...tokenInputs(), path: 'https://rips.example.org/applications' });

    await run();

    expect(setFailed).toHaveBeenCalledTimes(1);
    expect(setFailed.mock.calls[0]?.[0]).toBe(
      `path: expected a path such as /applications, or a URL under ${emulator.url}; received a URL of https://rips.example.org`,
    );
    expect(await emulator.control.requests()).toEqual([]);
  });

  it('reports a missing e-mail for a password', async () => {
    setInputs({ 'api-url': emulator.url, path: '/status', password: CI_USER.password });

    await run();

    expect(setFailed.mock.calls).toMatchInlineSnapshot(`
      [
        [
          "email: a password is given but the e-mail is empty",
        ],
      ]
    `);
  });
});
