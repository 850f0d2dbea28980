import { runAction, useEmulator } from '@rips-actions/action-testkit';
import { login } from '@rips-actions/auth-core';
import { describe, expect, it } from 'vitest';

import { observeCore } from '../src/index.js';
import { LOGIN_ACTION, MFA_USER, USERS } from './fixtures.js';
import { failureMessage } from './matrix-support.js';

// A token with an inner line break or a control character (a secret pasted with two lines, say)
// cannot travel in the X-API-MFA header: Node.js refuses it with ERR_INVALID_CHAR before any
// byte leaves the runner. It must be rejected at once as mfa-token, not retried as a network
// failure.

const BROKEN_TOKEN = 'abcdef\r\nghijkl';

const emulator = useEmulator({ users: USERS });

describe('mfa-token that cannot be a header', () => {
  it('login rejects it naming the input', async () => {
    await emulator.control.clearRequests();
    const result = await observeCore(() =>
      login({
        apiUrl: emulator.url,
        email: MFA_USER.email,
        password: MFA_USER.password,
        mfaToken: BROKEN_TOKEN,
      }),
    );

    expect(result.code).toBe('INVALID_OPTION');
    expect(result.message).toMatch(/^mfa-token: /);
  });

  it('rips-login fails at once naming the input', async () => {
    const run = await runAction({
      action: LOGIN_ACTION,
      inputs: {
        'api-url': emulator.url,
        email: MFA_USER.email,
        password: MFA_USER.password,
        'mfa-token': BROKEN_TOKEN,
        'totp-secret': MFA_USER.totpSecret,
      },
    });

    expect(failureMessage(run)).toMatch(/^mfa-token: /);
    // Retrying a header that Node.js refuses cannot help, so the step ends without backoff.
    expect(run.durationMs).toBeLessThan(2000);
  });
});
