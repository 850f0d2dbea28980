import {
  expectNoLeaks,
  runAction,
  useEmulator,
  type ActionRun,
  type Secret,
} from '@rips-actions/action-testkit';
import { generateTotp, login } from '@rips-actions/auth-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { ACTION_DIR, MFA_USER, PLAIN_USER, USERS, startConnectionCounter } from './fixtures.js';

// Passwords that break careless quoting, escaping or masking. Each one ends in a letter because
// the action drops one trailing line break from a credential.
const HOSTILE_PASSWORDS = [
  'first line\r\nsecond line\nthird',
  `quote's "double" \`back\` \\slash`,
  '100%25 %0A %s::colon',
  '::add-mask::not-a-command',
  '--password=dash',
  'pässwörd 日本語 🔑 \u202Eltr',
  'a+b/c=d&e?f==g',
  'x'.repeat(4096),
];

const HOSTILE_USERS = HOSTILE_PASSWORDS.map((password, index) => ({
  email: `hostile-${index + 1}@example.com`,
  password,
}));

const emulator = useEmulator({ users: [...USERS, ...HOSTILE_USERS] });

beforeEach(async () => {
  // TOTP codes are single-use per time step, so each test starts with every step unused.
  await emulator.control.resetLimits();
  await emulator.control.clearFaults();
});

/** Runs the committed bundle with `RUNNER_DEBUG=1`, which prints the most. */
function runLogin(inputs: Record<string, string>, env: Record<string, string> = {}) {
  return runAction({
    action: ACTION_DIR,
    inputs: { 'api-url': emulator.url, ...inputs },
    env,
    debug: true,
  });
}

/** Lists every secret a run received or produced: credential inputs and credential outputs. */
function secretsOf(run: ActionRun, inputs: Record<string, string>): Secret[] {
  const secrets: Secret[] = [];
  for (const name of ['password', 'refresh-token', 'totp-secret', 'mfa-token']) {
    const value = inputs[name];
    if (value !== undefined && value !== '') secrets.push({ label: `input ${name}`, value });
  }
  for (const name of ['access-token', 'refresh-token', 'mfa-token']) {
    const value = run.outputs[name];
    if (value !== undefined && value !== '') secrets.push({ label: `output ${name}`, value });
  }
  return secrets;
}

/** Asserts a successful run: exit code 0, every output set, and no secret leaked. */
function expectSignedIn(run: ActionRun, inputs: Record<string, string>): void {
  expect(run.stderr).toBe('');
  expect(run.exitCode).toBe(0);
  expect(run.failed).toBe(false);
  expect(Object.keys(run.outputs).sort()).toEqual([
    'access-token',
    'auth-method',
    'client-id',
    'expires-at',
    'expires-in',
    'mfa-token',
    'refresh-token',
    'token-type',
    'user-email',
    'user-id',
  ]);
  expectNoLeaks(run, secretsOf(run, inputs));
  expect(run.writtenFiles).toEqual([]);
}

/** Asserts a failed run: exit code 1, one error, no output or export, and no secret leaked. */
function expectFailed(run: ActionRun, inputs: Record<string, string>): string {
  expect(run.exitCode).toBe(1);
  expect(run.outputs).toEqual({});
  expect(run.exportedEnv).toEqual({});
  expect(run.summary).toBe('');
  expectNoLeaks(run, secretsOf(run, inputs));
  const errors = run.commands.filter((command) => command.name === 'error');
  expect(errors).toHaveLength(1);
  return errors[0]?.message ?? '';
}

describe('rips-login bundle', () => {
  it('signs in with password and TOTP', async () => {
    const started = Date.now();
    const inputs = {
      email: MFA_USER.email,
      password: MFA_USER.password,
      'totp-secret': MFA_USER.totpSecret,
    };
    const run = await runLogin(inputs);

    expectSignedIn(run, inputs);
    expect(run.outputs['auth-method']).toBe('password');
    expect(run.outputs['user-email']).toBe(MFA_USER.email);
    expect(run.outputs['mfa-token']).not.toBe('');
    expect(run.masks).toContain(MFA_USER.password);
    expect(run.masks).toContain(MFA_USER.totpSecret);
    expect(run.masks).toContain(run.outputs['access-token']);
    expect(run.masks).toContain(run.outputs['refresh-token']);
    expect(run.masks).toContain(run.outputs['mfa-token']);
    expect(run.masks.filter((mask) => /^\d{6}$/.test(mask))).toEqual([]);
    expect(run.exportedEnv).toEqual({});
    // The codes of the steps around the run must appear on no line. Mask lines are skipped
    // because hex tokens contain digit runs by chance.
    const printed = run.log
      .map((entry) => entry.text)
      .filter((text) => !text.startsWith('::add-mask::'))
      .join('\n');
    const codes = await Promise.all(
      [-2, -1, 0, 1, 2].map((step) =>
        generateTotp(MFA_USER.totpSecret, { timeMs: started + step * 30_000 }),
      ),
    );
    for (const code of codes) {
      expect(printed).not.toContain(code);
      expect(run.summary).not.toContain(code);
    }
  });

  it('masks given and normalised TOTP secret', async () => {
    const inputs = {
      email: MFA_USER.email,
      password: MFA_USER.password,
      'totp-secret': 'jbsw y3dp ehpk 3pxp',
    };
    const run = await runLogin(inputs);

    expectSignedIn(run, inputs);
    expect(run.masks).toContain('jbsw y3dp ehpk 3pxp');
    expect(run.masks).toContain(MFA_USER.totpSecret);
    expectNoLeaks(run, [{ label: 'normalised TOTP secret', value: MFA_USER.totpSecret }]);
  });

  it('signs in without MFA', async () => {
    const inputs = { email: PLAIN_USER.email, password: PLAIN_USER.password };
    const run = await runLogin(inputs);

    expectSignedIn(run, inputs);
    expect(run.outputs['mfa-token']).toBe('');
    expect(run.outputs['user-id']).toBe('2');
  });

  it('signs in with a refresh token', async () => {
    const first = await login({ apiUrl: emulator.url, ...PLAIN_USER });
    const inputs = { 'refresh-token': first.refreshToken ?? '' };
    const run = await runLogin(inputs);

    expectSignedIn(run, inputs);
    expect(run.outputs['auth-method']).toBe('refresh');
    expect(run.outputs['refresh-token']).not.toBe(inputs['refresh-token']);
  });

  it('signs in with plain headers', async () => {
    const inputs = { email: PLAIN_USER.email, password: PLAIN_USER.password, grant: 'plain' };
    const run = await runLogin(inputs);

    expectSignedIn(run, inputs);
    expect(run.outputs['auth-method']).toBe('plain');
    expect(run.outputs['access-token']).toBe('');
  });

  it('uses a given MFA token', async () => {
    const first = await login({ apiUrl: emulator.url, ...MFA_USER });
    const inputs = {
      email: MFA_USER.email,
      password: MFA_USER.password,
      'mfa-token': first.mfaToken ?? '',
    };
    const run = await runLogin(inputs);

    expectSignedIn(run, inputs);
    expect(run.outputs['mfa-token']).toBe(inputs['mfa-token']);
  });

  it('replaces a stale MFA token', async () => {
    const inputs = {
      email: MFA_USER.email,
      password: MFA_USER.password,
      'mfa-token': 'f'.repeat(40),
      'totp-secret': MFA_USER.totpSecret,
    };
    const run = await runLogin(inputs);

    expectSignedIn(run, inputs);
    expect(run.outputs['mfa-token']).not.toBe(inputs['mfa-token']);
  });

  it('exports the credentials with export-env', async () => {
    const inputs = {
      email: MFA_USER.email,
      password: MFA_USER.password,
      'totp-secret': MFA_USER.totpSecret,
      'export-env': 'true',
    };
    const run = await runLogin(inputs);

    expectSignedIn(run, inputs);
    expect(run.exportedEnv).toEqual({
      RIPS_API_URL: emulator.url,
      RIPS_ACCESS_TOKEN: run.outputs['access-token'],
      RIPS_REFRESH_TOKEN: run.outputs['refresh-token'],
      RIPS_MFA_TOKEN: run.outputs['mfa-token'],
      RIPS_CLIENT_ID: run.outputs['client-id'],
      RIPS_EXPIRES_AT: run.outputs['expires-at'],
    });
  });

  it('exports plain credentials', async () => {
    const inputs = {
      email: PLAIN_USER.email,
      password: PLAIN_USER.password,
      grant: 'plain',
      'export-env': 'true',
    };
    const run = await runLogin(inputs);

    expectSignedIn(run, inputs);
    expect(run.exportedEnv).toEqual({
      RIPS_API_URL: emulator.url,
      RIPS_EMAIL: PLAIN_USER.email,
      RIPS_PASSWORD: PLAIN_USER.password,
      RIPS_MFA_TOKEN: '',
    });
  });

  it('reports the user and expiry', async () => {
    const inputs = {
      email: MFA_USER.email,
      password: MFA_USER.password,
      'totp-secret': MFA_USER.totpSecret,
    };
    const run = await runLogin(inputs);

    expectSignedIn(run, inputs);
    const expiresAt = run.outputs['expires-at'] ?? '';
    expect(run.stdout).toContain(
      `Signed in as ${MFA_USER.email} with the password method; the access token expires at ${expiresAt}\n`,
    );
    expect(run.summary).toContain('<td>User</td><td>demo@example.com (id 1)</td>');
    expect(run.summary).toContain(`<td>Access token expires</td><td>${expiresAt}</td>`);
  });

  it('debug logs only endpoints and expiry', async () => {
    const inputs = {
      email: MFA_USER.email,
      password: MFA_USER.password,
      'totp-secret': MFA_USER.totpSecret,
    };
    const quiet = await runAction({
      action: ACTION_DIR,
      inputs: { 'api-url': emulator.url, ...inputs },
    });
    await emulator.control.resetLimits();
    const verbose = await runLogin(inputs);

    expectSignedIn(quiet, inputs);
    expectSignedIn(verbose, inputs);
    const debugMessages = verbose.commands
      .filter((command) => command.name === 'debug')
      .map((command) => command.message);
    expect(debugMessages.length).toBeGreaterThan(0);
    for (const message of debugMessages) {
      expect(message).toMatch(
        /^(?:(?:GET|POST) \/[\w/]+: status \d{3} in \d+ ms|Using the OAuth client "ci" \(\w+\)|Obtained an access token that expires at \S+)$/,
      );
    }
  });

  it.each(HOSTILE_USERS.map((user, index) => [index + 1, user] as const))(
    'masks hostile password %i',
    async (_number, user) => {
      for (const grant of ['password', 'plain']) {
        const inputs = { email: user.email, password: user.password, grant, 'export-env': 'true' };
        const run = await runLogin(inputs);

        expectSignedIn(run, inputs);
        expect(run.outputs['user-email']).toBe(user.email);
      }
    },
  );
});

describe('rips-login bundle failures', () => {
  it('rejects remote http before sending', async () => {
    const counter = await startConnectionCounter();
    try {
      const inputs = { email: PLAIN_USER.email, password: PLAIN_USER.password };
      const run = await runAction({
        action: ACTION_DIR,
        inputs: { ...inputs, 'api-url': 'http://example.invalid/' },
        // Any request to a host other than loopback would reach the counter instead.
        env: { HTTP_PROXY: counter.url, HTTPS_PROXY: counter.url },
        debug: true,
      });

      expect(expectFailed(run, inputs)).toBe(
        'api-url: plain http:// sends credentials unencrypted to example.invalid; use https:// or set allow-insecure-http',
      );
      expect(counter.connections()).toBe(0);
    } finally {
      await counter.close();
    }
  });

  it('fails without an MFA secret', async () => {
    const inputs = { email: MFA_USER.email, password: MFA_USER.password };
    const run = await runLogin(inputs);

    expect(expectFailed(run, inputs)).toMatch(/^MFA is enabled for this account: set totp-secret/);
  });

  it('fails on a wrong password', async () => {
    const inputs = {
      email: MFA_USER.email,
      password: 'wrong-password',
      'totp-secret': MFA_USER.totpSecret,
    };
    const run = await runLogin(inputs);

    expect(expectFailed(run, inputs)).toBe(
      'Sign-in failed for demo@example.com: the API rejected the e-mail or password (Invalid credentials). Check the email and password inputs and the secrets they come from',
    );
  });

  it('lists client names when unknown', async () => {
    const inputs = {
      email: PLAIN_USER.email,
      password: PLAIN_USER.password,
      'client-name': 'deploy',
    };
    const run = await runLogin(inputs);

    expect(expectFailed(run, inputs)).toBe(
      'client-name: no OAuth client named "deploy"; the API offers: ci, ui-client',
    );
  });

  it('hints at an empty password', async () => {
    const inputs = { email: PLAIN_USER.email, password: '', grant: 'password' };
    const run = await runLogin(inputs);

    expect(expectFailed(run, inputs)).toBe(
      'password: the password grant needs a password; it is empty (secrets are not passed to workflows triggered from forks or by Dependabot)',
    );
  });

  it('fails on a rejected refresh token', async () => {
    const inputs = { 'refresh-token': 'def502-not-a-token' };
    const run = await runLogin(inputs);

    expect(expectFailed(run, inputs)).toMatch(/^The API rejected the refresh token/);
  });

  it('fails on the MFA rate limit', async () => {
    await emulator.control.addFault({
      method: 'POST',
      path: '/mfas/token',
      kind: 'status',
      status: 429,
      retryAfter: 120,
      body: { code: 429, message: 'Too many wrong codes' },
    });
    const inputs = {
      email: MFA_USER.email,
      password: MFA_USER.password,
      'totp-secret': MFA_USER.totpSecret,
    };
    const run = await runLogin(inputs);

    expect(expectFailed(run, inputs)).toMatch(
      /too many wrong codes; retry in 120 s\. TOTP codes are single-use/,
    );
  });
});
