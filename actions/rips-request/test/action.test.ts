import { expectNoLeaks, runAction, useEmulator, type Secret } from '@rips-actions/action-testkit';
import { generateTotp, Session, type LoginResult } from '@rips-actions/auth-core';
import { DEMO_EMAIL, DEMO_PASSWORD, DEMO_TOTP_SECRET } from '@rips-actions/rips-emulator';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';

import {
  ACTION_DIR,
  CI_USER,
  errorsOf,
  PAGES_USER,
  secretsOf,
  signIn,
  USERS,
  warningsOf,
} from './helpers.js';

// These tests run the committed bundle, so rebuild dist/ after changing src/.
const emulator = useEmulator({ users: USERS });

const PASSWORDS: Secret[] = [
  { label: 'demo password', value: DEMO_PASSWORD },
  { label: 'ci password', value: CI_USER.password },
  { label: 'pages password', value: PAGES_USER.password },
  { label: 'TOTP secret', value: DEMO_TOTP_SECRET },
];

let ci: LoginResult;

beforeEach(async () => {
  await emulator.control.clearFaults();
  ci = await signIn(emulator.url, CI_USER);
});

function tokenInputs(result: LoginResult): Record<string, string> {
  return {
    'api-url': emulator.url,
    'access-token': result.accessToken ?? '',
    'refresh-token': result.refreshToken ?? '',
    'client-id': result.clientId ?? '',
  };
}

describe('requests', () => {
  it('GET returns status, body and headers', async () => {
    const run = await runAction({
      action: ACTION_DIR,
      inputs: { ...tokenInputs(ci), path: '/status' },
    });

    expect(errorsOf(run)).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.outputs['status']).toBe('200');
    expect(JSON.parse(run.outputs['body'] ?? '')).toMatchObject({
      user: { email: CI_USER.email },
    });
    const headers = JSON.parse(run.outputs['headers'] ?? '{}') as Record<string, string>;
    expect(headers['content-type']).toMatch(/^application\/json/);
    expect(run.outputs['pages']).toBe('1');
    expect(run.outputs['refreshed']).toBe('false');
    expect(run.outputs['access-token']).toBeUndefined();
    expect(run.outputs['output-file']).toBeUndefined();
    expect(run.summary).toMatch(/rips-request: `GET \/status` returned 200 in \d+ ms, 1 page\n/);
    expect(run.stdout).toMatch(/GET \/status: status 200 in \d+ ms/);
    expectNoLeaks(run, [...PASSWORDS, ...secretsOf(ci)]);
  });

  it('POST sends the JSON body', async () => {
    const run = await runAction({
      action: ACTION_DIR,
      inputs: {
        ...tokenInputs(ci),
        method: 'post',
        path: '/applications',
        body: '{"application":{"name":"web"}}',
      },
    });

    expect(errorsOf(run)).toEqual([]);
    expect(run.outputs['status']).toBe('200');
    expect(JSON.parse(run.outputs['body'] ?? '')).toMatchObject({ name: 'web' });
    expect(run.summary).toMatch(/`POST \/applications` returned 200/);
    expectNoLeaks(run, [...PASSWORDS, ...secretsOf(ci)]);
  });

  it('POST reads the body from body-file', async () => {
    const run = await runAction({
      action: ACTION_DIR,
      inputs: { ...tokenInputs(ci), method: 'POST', path: '/applications', 'body-file': 'b.json' },
      workspaceFiles: { 'b.json': '{"application":{"name":"from-file"}}\n' },
    });

    expect(errorsOf(run)).toEqual([]);
    expect(JSON.parse(run.outputs['body'] ?? '')).toMatchObject({ name: 'from-file' });
  });

  it('sends query parameters and extra headers', async () => {
    const run = await runAction({
      action: ACTION_DIR,
      inputs: {
        ...tokenInputs(ci),
        path: '/status',
        query: '{"select": "[\\"version\\"]"}',
        headers: '{"X-Request-Id": "ci-42"}',
      },
    });

    expect(errorsOf(run)).toEqual([]);
    expect(Object.keys(JSON.parse(run.outputs['body'] ?? '{}') as object)).toEqual(['version']);
    const log = await emulator.control.requests();
    expect(log.at(-1)?.headers).toContain('x-request-id');
  });

  it('authenticates with plain e-mail and password headers', async () => {
    const run = await runAction({
      action: ACTION_DIR,
      inputs: {
        'api-url': emulator.url,
        path: '/status',
        email: CI_USER.email,
        password: CI_USER.password,
      },
    });

    expect(errorsOf(run)).toEqual([]);
    expect(run.outputs['status']).toBe('200');
    const log = await emulator.control.requests();
    expect(log.at(-1)?.auth).toBe('plain');
    expectNoLeaks(run, PASSWORDS);
  });

  it('writes the body to output-file as well', async () => {
    const run = await runAction({
      action: ACTION_DIR,
      inputs: { ...tokenInputs(ci), path: '/status', 'output-file': 'out/status.json' },
    });

    expect(errorsOf(run)).toEqual([]);
    const path = run.outputs['output-file'] ?? '';
    expect(path).toBe(`${run.workspace}/out/status.json`);
    const file = run.writtenFiles.find((written) => written.path === path);
    expect(file?.content).toBe(run.outputs['body']);
    expectNoLeaks(run, [...PASSWORDS, ...secretsOf(ci)]);
  });

  it('omits the path query from logs', async () => {
    const run = await runAction({
      action: ACTION_DIR,
      inputs: { ...tokenInputs(ci), path: '/applications?limit=1&note=kept-out' },
    });

    expect(errorsOf(run)).toEqual([]);
    expect(run.stdout).toMatch(/GET \/applications: status 200 in \d+ ms/);
    expect(run.stdout).not.toContain('kept-out');
    expect(run.summary).not.toContain('kept-out');
  });
});

describe('RIPS_* fallbacks', () => {
  it('reads api-url and tokens from RIPS_* variables', async () => {
    const run = await runAction({
      action: ACTION_DIR,
      inputs: { path: '/status' },
      env: {
        RIPS_API_URL: emulator.url,
        RIPS_ACCESS_TOKEN: ci.accessToken,
        RIPS_REFRESH_TOKEN: ci.refreshToken,
        RIPS_CLIENT_ID: ci.clientId,
        RIPS_EXPIRES_AT: ci.expiresAt?.toISOString(),
      },
    });

    expect(errorsOf(run)).toEqual([]);
    expect(run.outputs['status']).toBe('200');
    expect(run.exportedEnv).toEqual({});
    expectNoLeaks(run, [...PASSWORDS, ...secretsOf(ci)]);
  });

  it('reads plain credentials from RIPS_EMAIL and RIPS_PASSWORD', async () => {
    const run = await runAction({
      action: ACTION_DIR,
      inputs: { path: '/status' },
      env: {
        RIPS_API_URL: emulator.url,
        RIPS_EMAIL: CI_USER.email,
        RIPS_PASSWORD: CI_USER.password,
      },
    });

    expect(errorsOf(run)).toEqual([]);
    expect(run.outputs['status']).toBe('200');
    expectNoLeaks(run, PASSWORDS);
  });

  it('prefers the inputs over the variables', async () => {
    const run = await runAction({
      action: ACTION_DIR,
      inputs: { ...tokenInputs(ci), path: '/status' },
      env: { RIPS_API_URL: 'http://127.0.0.1:9', RIPS_ACCESS_TOKEN: 'stale-token-value' },
    });

    expect(errorsOf(run)).toEqual([]);
    expect(run.outputs['status']).toBe('200');
  });
});

describe('pagination', () => {
  beforeAll(async () => {
    const session = new Session({
      apiUrl: emulator.url,
      credentials: { type: 'plain', ...PAGES_USER },
    });
    for (const name of ['a', 'b', 'c', 'd', 'e']) {
      await session.request({
        method: 'POST',
        path: '/applications',
        json: { application: { name } },
      });
    }
  });

  it('combines three pages into one array', async () => {
    const pages = await signIn(emulator.url, PAGES_USER);
    await emulator.control.clearRequests();
    const run = await runAction({
      action: ACTION_DIR,
      inputs: {
        ...tokenInputs(pages),
        path: '/applications',
        query: '{"limit":2}',
        paginate: true,
      },
    });

    expect(errorsOf(run)).toEqual([]);
    expect(run.outputs['pages']).toBe('3');
    const names = (JSON.parse(run.outputs['body'] ?? '[]') as { name: string }[]).map(
      (a) => a.name,
    );
    expect(names).toEqual(['a', 'b', 'c', 'd', 'e']);
    const headers = JSON.parse(run.outputs['headers'] ?? '{}') as Record<string, string>;
    expect(headers['x-api-pagination-more']).toBe('0');
    const offsets = (await emulator.control.requests())
      .filter((entry) => entry.path === '/applications')
      .map((entry) => entry.query?.['offset']);
    expect(offsets).toEqual(['0', '2', '4']);
    expect(run.summary).toMatch(/`GET \/applications` returned 200 in \d+ ms, 3 pages/);
    expectNoLeaks(run, [...PASSWORDS, ...secretsOf(pages)]);
  });

  it('stops at max-pages with a warning', async () => {
    const pages = await signIn(emulator.url, PAGES_USER);
    const run = await runAction({
      action: ACTION_DIR,
      inputs: {
        ...tokenInputs(pages),
        path: '/applications',
        query: '{"limit":2}',
        paginate: true,
        'max-pages': 2,
      },
    });

    expect(errorsOf(run)).toEqual([]);
    expect(run.outputs['pages']).toBe('2');
    expect(JSON.parse(run.outputs['body'] ?? '[]')).toHaveLength(4);
    expect(warningsOf(run)).toEqual([
      'GET /applications: stopped after max-pages (2) pages while the API announced more items; raise max-pages to fetch the rest',
    ]);
  });

  it('fails on a body that is not an array', async () => {
    const run = await runAction({
      action: ACTION_DIR,
      inputs: { ...tokenInputs(ci), path: '/status', paginate: true },
    });

    expect(run.exitCode).toBe(1);
    expect(errorsOf(run)).toEqual([
      'paginate: GET /status returned a body that is not a JSON array on page 1; pagination needs a list endpoint such as /applications',
    ]);
    expect(run.outputs).toEqual({});
  });
});

describe('token renewal', () => {
  it('refreshes an expired token once', async () => {
    await emulator.control.expireUser(CI_USER.email);
    await emulator.control.clearRequests();
    const run = await runAction({
      action: ACTION_DIR,
      inputs: { ...tokenInputs(ci), path: '/status' },
    });

    expect(errorsOf(run)).toEqual([]);
    expect(run.outputs['status']).toBe('200');
    expect(run.outputs['refreshed']).toBe('true');
    const accessToken = run.outputs['access-token'] ?? '';
    const refreshToken = run.outputs['refresh-token'] ?? '';
    expect(accessToken).not.toBe(ci.accessToken);
    expect(refreshToken).not.toBe(ci.refreshToken);
    expect(run.masks).toContain(accessToken);
    expect(run.masks).toContain(refreshToken);
    expect(run.exportedEnv).toEqual({});
    const paths = (await emulator.control.requests()).map((entry) => entry.path);
    expect(paths).toEqual(['/status', '/oauth/v2/auth/tokens', '/status']);
    expectNoLeaks(run, [
      ...PASSWORDS,
      ...secretsOf(ci),
      ...secretsOf({ accessToken, refreshToken }, 'new '),
    ]);
  });

  it('exports renewed RIPS_* tokens', async () => {
    await emulator.control.expireUser(CI_USER.email);
    const run = await runAction({
      action: ACTION_DIR,
      inputs: { path: '/status' },
      env: {
        RIPS_API_URL: emulator.url,
        RIPS_ACCESS_TOKEN: ci.accessToken,
        RIPS_REFRESH_TOKEN: ci.refreshToken,
        RIPS_CLIENT_ID: ci.clientId,
      },
    });

    expect(errorsOf(run)).toEqual([]);
    expect(Object.keys(run.exportedEnv).sort()).toEqual([
      'RIPS_ACCESS_TOKEN',
      'RIPS_EXPIRES_AT',
      'RIPS_REFRESH_TOKEN',
    ]);
    expect(run.exportedEnv['RIPS_ACCESS_TOKEN']).toBe(run.outputs['access-token']);
    expect(run.exportedEnv['RIPS_REFRESH_TOKEN']).toBe(run.outputs['refresh-token']);
    expectNoLeaks(run, [
      ...PASSWORDS,
      ...secretsOf(ci),
      ...secretsOf({ accessToken: run.outputs['access-token'] ?? '' }, 'new '),
    ]);
  });

  it('exports renewed tokens after a failure', async () => {
    await emulator.control.expireUser(CI_USER.email);
    const run = await runAction({
      action: ACTION_DIR,
      inputs: { path: '/applications/999999' },
      env: {
        RIPS_API_URL: emulator.url,
        RIPS_ACCESS_TOKEN: ci.accessToken,
        RIPS_REFRESH_TOKEN: ci.refreshToken,
        RIPS_CLIENT_ID: ci.clientId,
      },
    });

    expect(run.exitCode).toBe(1);
    expect(run.outputs).toEqual({});
    expect(run.exportedEnv['RIPS_ACCESS_TOKEN']).toBeTruthy();
    expect(run.exportedEnv['RIPS_ACCESS_TOKEN']).not.toBe(ci.accessToken);
  });

  it('fails with a clear error on a revoked token', async () => {
    await emulator.control.revokeUser(CI_USER.email);
    const run = await runAction({
      action: ACTION_DIR,
      inputs: { ...tokenInputs(ci), path: '/status' },
    });

    expect(run.exitCode).toBe(1);
    expect(errorsOf(run)).toEqual([
      'The access token was revoked and no password was given to sign in again; run the login again',
    ]);
    expect(run.outputs).toEqual({});
    expect(run.exportedEnv).toEqual({});
    expectNoLeaks(run, [...PASSWORDS, ...secretsOf(ci)]);
  });

  it('signs in again after revocation', async () => {
    await emulator.control.revokeUser(CI_USER.email);
    const run = await runAction({
      action: ACTION_DIR,
      inputs: {
        ...tokenInputs(ci),
        path: '/status',
        email: CI_USER.email,
        password: CI_USER.password,
      },
    });

    expect(errorsOf(run)).toEqual([]);
    expect(run.outputs['status']).toBe('200');
    expect(run.outputs['refreshed']).toBe('true');
    expectNoLeaks(run, [
      ...PASSWORDS,
      ...secretsOf(ci),
      ...secretsOf({ accessToken: run.outputs['access-token'] ?? '' }, 'new '),
    ]);
  });
});

describe('errors and retries', () => {
  it('retries a 503 on GET and recovers', async () => {
    await emulator.control.addFault({ path: '/status', kind: 'status', status: 503, times: 2 });
    await emulator.control.clearRequests();
    const run = await runAction({
      action: ACTION_DIR,
      inputs: { ...tokenInputs(ci), path: '/status' },
      debug: true,
    });

    expect(errorsOf(run)).toEqual([]);
    expect(run.outputs['status']).toBe('200');
    const statuses = (await emulator.control.requests()).map((entry) => entry.status);
    expect(statuses).toEqual([503, 503, 200]);
    expectNoLeaks(run, [...PASSWORDS, ...secretsOf(ci)]);
  });

  it('retries a 429 with Retry-After and a reset connection', async () => {
    await emulator.control.addFault({
      path: '/status',
      kind: 'status',
      status: 429,
      retryAfter: 1,
    });
    await emulator.control.addFault({ path: '/status', kind: 'reset', after: 'headers' });
    await emulator.control.clearRequests();
    const run = await runAction({
      action: ACTION_DIR,
      inputs: { ...tokenInputs(ci), path: '/status' },
    });

    expect(errorsOf(run)).toEqual([]);
    expect(run.outputs['status']).toBe('200');
    expect(
      (await emulator.control.requests()).filter((entry) => entry.path === '/status'),
    ).toHaveLength(3);
  });

  it('fails with a clear error after the timeout', async () => {
    await emulator.control.addFault({ path: '/status', kind: 'delay', ms: 3000 });
    const run = await runAction({
      action: ACTION_DIR,
      inputs: { ...tokenInputs(ci), path: '/status', 'timeout-seconds': 1, retries: 0 },
    });

    expect(run.exitCode).toBe(1);
    expect(errorsOf(run)).toEqual([
      'GET /status timed out after 1000 ms; raise timeout-seconds if the API is slow to respond',
    ]);
    expect(run.outputs).toEqual({});
  });

  it('does not retry a 503 on POST by default', async () => {
    await emulator.control.addFault({ path: '/applications', kind: 'status', status: 503 });
    await emulator.control.clearRequests();
    const run = await runAction({
      action: ACTION_DIR,
      inputs: {
        ...tokenInputs(ci),
        method: 'POST',
        path: '/applications',
        body: '{"application":{"name":"once"}}',
      },
    });

    expect(run.exitCode).toBe(1);
    expect(errorsOf(run)).toEqual([
      'POST /applications returned status 503 (Service Unavailable); expected-status is 2xx (set fail-on-error to false to continue with the outputs)',
    ]);
    expect((await emulator.control.requests()).map((entry) => entry.status)).toEqual([503]);
  });

  it('retries a 503 on POST with retry-unsafe-methods', async () => {
    await emulator.control.addFault({ path: '/applications', kind: 'status', status: 503 });
    const run = await runAction({
      action: ACTION_DIR,
      inputs: {
        ...tokenInputs(ci),
        method: 'POST',
        path: '/applications',
        body: '{"application":{"name":"twice"}}',
        'retry-unsafe-methods': true,
      },
    });

    expect(errorsOf(run)).toEqual([]);
    expect(run.outputs['status']).toBe('200');
  });

  it('fails on 404 with fail-on-error', async () => {
    const run = await runAction({
      action: ACTION_DIR,
      inputs: { ...tokenInputs(ci), path: '/applications/999999' },
    });

    expect(run.exitCode).toBe(1);
    expect(errorsOf(run)).toEqual([
      'GET /applications/999999 returned status 404 (Not Found); expected-status is 2xx (set fail-on-error to false to continue with the outputs)',
    ]);
    expect(run.outputs).toEqual({});
    expect(run.summary).toMatch(
      /^rips-request: `GET \/applications\/999999` returned 404 in \d+ ms, 1 page; the step failed\n$/,
    );
    expectNoLeaks(run, [...PASSWORDS, ...secretsOf(ci)]);
  });

  it('logs each request once with debug logging', async () => {
    const run = await runAction({
      action: ACTION_DIR,
      inputs: { ...tokenInputs(ci), path: '/applications/999999' },
      debug: true,
    });

    const lines = run.stdout
      .split('\n')
      .filter((line) => line.includes('/applications/999999: status'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/GET \/applications\/999999: status 404 in \d+ ms$/);
    expect(run.stdout).toContain(
      '::debug::HTTP_ERROR: GET /applications/999999 returned status 404',
    );
    expect(run.stdout).not.toMatch(/errors_\w+Error/);
    expectNoLeaks(run, [...PASSWORDS, ...secretsOf(ci)]);
  });

  it('sets the outputs of a 404 without fail-on-error', async () => {
    const run = await runAction({
      action: ACTION_DIR,
      inputs: { ...tokenInputs(ci), path: '/applications/999999', 'fail-on-error': false },
    });

    expect(run.exitCode).toBe(0);
    expect(run.outputs['status']).toBe('404');
    expect(JSON.parse(run.outputs['body'] ?? '{}')).toMatchObject({ code: 404 });
    expect(warningsOf(run)).toEqual([
      'GET /applications/999999 returned status 404 (Not Found), which is not in expected-status (2xx); the outputs are set because fail-on-error is false',
    ]);
    expectNoLeaks(run, [...PASSWORDS, ...secretsOf(ci)]);
  });

  it('accepts a 404 listed in expected-status', async () => {
    const run = await runAction({
      action: ACTION_DIR,
      inputs: { ...tokenInputs(ci), path: '/applications/999999', 'expected-status': '200, 404' },
    });

    expect(run.exitCode).toBe(0);
    expect(run.outputs['status']).toBe('404');
    expect(warningsOf(run)).toEqual([]);
  });
});

describe('large answers', () => {
  it('writes a 5 MiB answer to a file', async () => {
    await emulator.control.addFault({ path: '/applications', kind: 'large', mib: 5 });
    const run = await runAction({
      action: ACTION_DIR,
      inputs: { ...tokenInputs(ci), path: '/applications' },
    });

    expect(errorsOf(run)).toEqual([]);
    expect(run.outputs['status']).toBe('200');
    expect(run.outputs['body']).toBe('');
    const path = run.outputs['output-file'] ?? '';
    expect(path.startsWith(`${run.runnerTemp}/`)).toBe(true);
    const file = run.writtenFiles.find((written) => written.path === path);
    expect(file?.content.length).toBe(5 * 1024 * 1024);
    expect(file?.content.startsWith('{"data":"aaa')).toBe(true);
    expectNoLeaks(run, [...PASSWORDS, ...secretsOf(ci)]);
  });
});

describe('credential fields in answers', () => {
  it('masks the client secret of POST /oauth/v2/clients', async () => {
    const run = await runAction({
      action: ACTION_DIR,
      inputs: {
        ...tokenInputs(ci),
        method: 'POST',
        path: '/oauth/v2/clients',
        body: '{"client":{"name":"masked-client"}}',
      },
    });

    expect(errorsOf(run)).toEqual([]);
    const client = JSON.parse(run.outputs['body'] ?? '{}') as { secret: string; name: string };
    expect(client.secret.length).toBeGreaterThan(8);
    expect(run.masks).toContain(client.secret);
    expect(run.masks).not.toContain(client.name);
    expectNoLeaks(run, [
      ...PASSWORDS,
      ...secretsOf(ci),
      { label: 'client secret', value: client.secret },
    ]);
  });

  it('masks the token of POST /mfas/token', async () => {
    const demo = await signIn(
      emulator.url,
      { email: DEMO_EMAIL, password: DEMO_PASSWORD },
      DEMO_TOTP_SECRET,
    );
    // A TOTP code is accepted once per time step, and the sign-in spent the current one.
    const offsetSeconds = 90;
    await emulator.control.setClockOffset(offsetSeconds);
    try {
      const code = await generateTotp(DEMO_TOTP_SECRET, {
        timeMs: Date.now() + offsetSeconds * 1000,
      });
      const run = await runAction({
        action: ACTION_DIR,
        inputs: {
          ...tokenInputs(demo),
          'mfa-token': demo.mfaToken ?? '',
          method: 'POST',
          path: '/mfas/token',
          body: JSON.stringify({ challenge: { code } }),
        },
      });

      expect(errorsOf(run)).toEqual([]);
      const token = (JSON.parse(run.outputs['body'] ?? '{}') as { token: string }).token;
      expect(token).not.toBe(demo.mfaToken);
      expect(run.masks).toContain(token);
      expectNoLeaks(run, [
        ...PASSWORDS,
        ...secretsOf(demo),
        { label: 'new MFA token', value: token },
      ]);
    } finally {
      await emulator.control.setClockOffset(0);
    }
  });

  it('masks the fields named in mask-json-fields', async () => {
    const run = await runAction({
      action: ACTION_DIR,
      inputs: { ...tokenInputs(ci), path: '/status', 'mask-json-fields': 'email, roles\nversion' },
    });

    expect(errorsOf(run)).toEqual([]);
    const body = JSON.parse(run.outputs['body'] ?? '{}') as {
      version: string;
      user: { roles: string[] };
    };
    expect(run.masks).toContain(CI_USER.email);
    expect(run.masks).toContain(body.version);
    for (const role of body.user.roles) {
      expect(run.masks).toContain(role);
    }
    expectNoLeaks(run, [...PASSWORDS, ...secretsOf(ci)]);
  });
});

describe('bad inputs', () => {
  // The JSON positions are those of V8 in Node.js 20; other versions word the parse error
  // differently and may give no position.
  const cases: [title: string, inputs: Record<string, string>, message: string][] = [
    [
      'invalid JSON in body',
      { method: 'POST', body: `{"password": "${CI_USER.password}"` },
      'body: invalid JSON at position 27; expected a JSON request body (the text is not shown because it may contain a credential)',
    ],
    [
      'invalid JSON in query',
      { query: '{limit: 2}' },
      'query: invalid JSON at position 1; expected a JSON object such as {"limit": 10} (the text is not shown because it may contain a credential)',
    ],
    [
      'a query that is an array',
      { query: '[1, 2]' },
      'query: expected a JSON object such as {"limit": 10}, received an array',
    ],
    [
      'a query value that is an object',
      { query: '{"filter": {"name": "web"}}' },
      'query: the value of "filter" must be a string, number, boolean or an array of them',
    ],
    [
      'invalid JSON in headers',
      { headers: 'X-Request-Id: 1' },
      'headers: invalid JSON; expected a JSON object such as {"X-Request-Id": "ci-42"} (the text is not shown because it may contain a credential)',
    ],
    [
      'an Authorization header',
      { headers: '{"Authorization": "Bearer not-a-real-token"}' },
      'headers: Authorization carries credentials and is set by the authentication inputs; remove it',
    ],
    [
      'an X-API-MFA header',
      { headers: '{"x-api-mfa": "123456789"}' },
      'headers: x-api-mfa carries credentials and is set by the authentication inputs; remove it',
    ],
    [
      'a path on another host',
      { path: 'https://evil.example.com/applications' },
      'path: expected a path such as /applications, or a URL under EMULATOR; received a URL of https://evil.example.com',
    ],
    [
      'a method outside the HTTP set',
      { method: 'FETCH' },
      'method: expected one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, received "FETCH"',
    ],
    [
      'both body and body-file',
      { method: 'POST', body: '{}', 'body-file': 'b.json' },
      'body: give body or body-file, not both',
    ],
    [
      'a missing body-file',
      { method: 'POST', 'body-file': 'missing.json' },
      'body-file: failed to read missing.json (ENOENT)',
    ],
    [
      'no credentials',
      { 'access-token': '', 'refresh-token': '', 'client-id': '' },
      'access-token: no credentials given; set access-token, refresh-token, or email and password, or run rips-login with export-env: true earlier in the job so that the RIPS_* variables are set (secrets are not passed to workflows from forks)',
    ],
    [
      'a password without an e-mail',
      { 'access-token': '', 'refresh-token': '', password: CI_USER.password },
      'email: a password is given but the e-mail is empty',
    ],
    [
      'an invalid expected-status',
      { 'expected-status': '200,ok' },
      'expected-status: expected HTTP statuses such as 200,404 or 2xx, received "ok"',
    ],
    [
      'a max-pages of 0',
      { 'max-pages': '0' },
      'max-pages: expected a whole number from 1 to 10000, received "0"',
    ],
    [
      'a timeout that is not a number',
      { 'timeout-seconds': 'soon' },
      'timeout-seconds: expected a number of seconds greater than 0 and at most 86400, received "soon"',
    ],
    [
      'too many retries',
      { retries: '99' },
      'retries: expected a whole number from 0 to 10, received "99"',
    ],
    [
      'an access token with a space',
      { 'access-token': 'two words' },
      'access-token: the token contains spaces, line breaks, control characters or non-ASCII text, which no token contains; check the secret behind access-token or RIPS_ACCESS_TOKEN',
    ],
    [
      'an MFA token with a line break',
      { 'mfa-token': 'first\nsecond' },
      'mfa-token: the token contains spaces, line breaks, control characters or non-ASCII text, which no token contains; check the secret behind mfa-token or RIPS_MFA_TOKEN',
    ],
    [
      'a missing api-url',
      { 'api-url': '' },
      'api-url: the API base URL is missing; set api-url, or run rips-login with export-env: true earlier in the job so that RIPS_API_URL is set',
    ],
    [
      'plain http to another host',
      { 'api-url': 'http://rips.example.com' },
      'api-url: plain http:// sends credentials unencrypted to rips.example.com; use https:// or set allow-insecure-http',
    ],
    [
      'an output-file that is a directory',
      { 'output-file': '/' },
      'output-file: / is a directory; expected a file path, such as /response.json',
    ],
    ['a missing path', { path: '' }, 'Input required and not supplied: path'],
    [
      'a fail-on-error that is not a boolean',
      { 'fail-on-error': 'maybe' },
      'Input does not meet YAML 1.2 "Core Schema" specification: fail-on-error\nSupport boolean input list: `true | True | TRUE | false | False | FALSE`',
    ],
  ];

  it.each(cases)('rejects %s', async (_title, inputs, message) => {
    const run = await runAction({
      action: ACTION_DIR,
      inputs: { ...tokenInputs(ci), path: '/status', ...inputs },
      workspaceFiles: { 'b.json': '{}' },
    });

    expect(run.exitCode).toBe(1);
    expect(errorsOf(run)).toEqual([message.replace('EMULATOR', emulator.url)]);
    expect(run.outputs).toEqual({});
    expect(run.exportedEnv).toEqual({});
    expect(run.summary).toBe('');
    expectNoLeaks(run, [...PASSWORDS, ...secretsOf(ci)]);
  });

  it('checks output-file before sending a POST', async () => {
    await emulator.control.clearRequests();
    const run = await runAction({
      action: ACTION_DIR,
      inputs: {
        ...tokenInputs(ci),
        method: 'POST',
        path: '/applications',
        body: '{"application":{"name":"never-created"}}',
        'output-file': 'b.json/response.json',
      },
      workspaceFiles: { 'b.json': '{}' },
    });

    expect(run.exitCode).toBe(1);
    expect(errorsOf(run)).toEqual([
      `output-file: ${run.workspace}/b.json is not a directory, so ` +
        `${run.workspace}/b.json/response.json cannot be written; choose another path`,
    ]);
    expect(run.outputs).toEqual({});
    expect(await emulator.control.requests()).toEqual([]);
  });

  it('masks secrets before rejecting an input', async () => {
    const run = await runAction({
      action: ACTION_DIR,
      inputs: { ...tokenInputs(ci), path: '/status', method: 'FETCH', password: CI_USER.password },
    });

    expect(run.exitCode).toBe(1);
    expect(run.masks).toContain(CI_USER.password);
    expect(run.masks).toContain(ci.accessToken);
    expect(run.masks).toContain(ci.refreshToken);
    expect(run.masks).toContain(Buffer.from(CI_USER.password).toString('base64'));
  });
});

describe('hostile credentials', () => {
  // Values that break careless quoting, workflow commands, header encoding or line masking.
  const hostile: [title: string, value: string][] = [
    ['quotes', `pa"ss'word\`x`],
    ['percent signs', 'p%41ss%0Aword%25'],
    ['workflow commands', '::add-mask::x\n::error::leak'],
    ['CRLF lines', 'first-line\r\nsecond-line\rthird-line'],
    ['a leading dash', '--password=value'],
    ['non-ASCII text', 'pässwörd-密码-🔑-שלום'],
    ['base64 characters', 'abc+/def==ghi'],
    ['surrounding spaces', '  spaced secret  '],
  ];

  it.each(hostile)('keeps a password with %s out of the log', async (_title, value) => {
    const run = await runAction({
      action: ACTION_DIR,
      inputs: { 'api-url': emulator.url, path: '/status', email: CI_USER.email, password: value },
    });

    expect(run.exitCode).toBe(1);
    expect(errorsOf(run)).toEqual([
      `The API rejected the credentials of ${CI_USER.email} (Invalid credentials)`,
    ]);
    expect(run.outputs).toEqual({});
    expectNoLeaks(run, [{ label: 'password', value }]);
  });

  it.each(hostile)('keeps an access token with %s out of the log', async (_title, value) => {
    const run = await runAction({
      action: ACTION_DIR,
      inputs: { 'api-url': emulator.url, path: '/status', 'access-token': value },
    });

    expect(run.exitCode).toBe(1);
    expect(errorsOf(run)).toHaveLength(1);
    expect(run.outputs).toEqual({});
    expectNoLeaks(run, [{ label: 'access token', value }]);
  });
});
