import { runAction, useEmulator } from '@rips-actions/action-testkit';
import { afterAll, describe, expect, inject, it } from 'vitest';

import { noteRecorder } from '../src/index.js';
import { CI_USER, REQUEST_ACTION, signedInSession } from './fixtures.js';
import { SECTION } from './layout.js';
import { failureMessage } from './matrix-support.js';

/** Four minutes, shorter than the skew, as a token near the end of its life would have left. */
const TOKEN_TTL_SECONDS = 240;
const SKEW_SECONDS = -300;

const emulator = useEmulator({ users: [CI_USER], tokenTtlSeconds: TOKEN_TTL_SECONDS });
const recorder = noteRecorder(
  inject('resultsDir'),
  SECTION.clockSkew,
  'Clock skew and token expiry in rips-request',
  1,
);

afterAll(async () => {
  await recorder.flush();
});

describe('rips-request with the server clock behind', () => {
  // The JWT exp of the given token is on the server's clock, which is behind the runner's by
  // more than the token's remaining life, so read on the runner's clock the token looks expired.
  it('keeps a valid token without refreshing', async () => {
    await emulator.control.setClockOffset(SKEW_SECONDS);
    const session = await signedInSession(emulator, CI_USER);
    const tokens = session.tokens;
    await emulator.control.clearRequests();

    const run = await runAction({
      action: REQUEST_ACTION,
      inputs: {
        'api-url': emulator.url,
        path: '/applications',
        'access-token': tokens?.accessToken ?? '',
        'refresh-token': tokens?.refreshToken ?? '',
        'client-id': tokens?.clientId ?? '',
      },
    });
    const requests = (await emulator.control.requests()).map(
      (entry) => `${entry.method} ${entry.path} ${entry.status}`,
    );
    recorder.section.items.push(
      `- A token with ${TOKEN_TTL_SECONDS} s to live, server clock ${-SKEW_SECONDS} s behind the ` +
        `runner: refreshed: ${run.outputs['refreshed'] ?? 'not set'}; requests: ` +
        `${requests.join(', ')}.`,
    );

    expect(failureMessage(run)).toBeUndefined();
    expect(run.outputs['refreshed']).toBe('false');
    expect(requests).toEqual(['GET /applications 200']);
  });
});
