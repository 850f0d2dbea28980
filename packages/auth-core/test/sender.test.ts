import { describe, expect, it } from 'vitest';

import {
  AbortedError,
  NetworkError,
  TimeoutError,
  type TransportRequest,
  type TransportResponse,
} from '../src/index.js';
import { resolveConfig } from '../src/config.js';
import { HttpSender, parseRetryAfter, type RetryPolicy } from '../src/http/sender.js';
import { recordingLogger } from './helpers.js';

type Step = TransportResponse | Error | 'hang';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

function response(
  status: number,
  headers: Record<string, string> = {},
  body = '',
): TransportResponse {
  return { status, headers, body: Buffer.from(body) };
}

/** Creates a sender over a scripted transport that records requests and sleeps. */
function scripted(steps: Step[], options: { retries?: number; timeoutMs?: number } = {}) {
  const requests: TransportRequest[] = [];
  const sleeps: number[] = [];
  const clock = { ms: NOW };
  const logger = recordingLogger();
  const config = resolveConfig({
    apiUrl: 'https://rips.example.com/api',
    clock: { now: () => clock.ms },
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.ms += ms;
    },
    random: () => 0.5,
    logger,
    retries: options.retries ?? 3,
    timeoutMs: options.timeoutMs ?? 60_000,
    userAgent: 'test-action/1.0',
    transport: (request) => {
      requests.push(request);
      const step = steps.shift();
      if (step === undefined) {
        throw new Error('the script has no more steps');
      }
      if (step === 'hang') {
        return new Promise((_, reject) => {
          request.signal.addEventListener('abort', () => reject(request.signal.reason));
        });
      }
      return step instanceof Error ? Promise.reject(step) : Promise.resolve(step);
    },
  });
  return { sender: new HttpSender(config), requests, sleeps, clock, logger };
}

function send(sender: HttpSender, retry: RetryPolicy, method = 'GET', signal?: AbortSignal) {
  return sender.send({
    method,
    url: new URL('https://rips.example.com/api/applications'),
    headers: { accept: 'application/json' },
    body: method === 'GET' ? undefined : Buffer.from('{}'),
    retry,
    signal,
  });
}

const refused = () =>
  new NetworkError('refused', { errno: 'ECONNREFUSED', mayHaveReachedServer: false });
const reset = () => new NetworkError('reset', { errno: 'ECONNRESET', mayHaveReachedServer: true });

describe('HttpSender retries', () => {
  it('retries 503 with backoff for the safe policy', async () => {
    const { sender, requests, sleeps, logger } = scripted([
      response(503),
      response(503),
      response(200),
    ]);
    const result = await send(sender, 'safe');
    expect(result.status).toBe(200);
    expect(result.attempts).toBe(3);
    expect(requests).toHaveLength(3);
    // Half the ceiling fixed plus half times random(): 500 ms then 1000 ms ceilings.
    expect(sleeps).toEqual([375, 750]);
    expect(logger.messages).toContain(
      'info: GET /api/applications: status 503; retrying in 0.4 s (attempt 2 of 4)',
    );
  });

  it.each([408, 429, 500, 502, 504])('retries status %d for the safe policy', async (status) => {
    const { sender, requests } = scripted([response(status), response(200)]);
    expect((await send(sender, 'safe')).status).toBe(200);
    expect(requests).toHaveLength(2);
  });

  it.each([400, 401, 403, 404, 409, 422])('does not retry status %d', async (status) => {
    const { sender, requests } = scripted([response(status)]);
    expect((await send(sender, 'safe')).status).toBe(status);
    expect(requests).toHaveLength(1);
  });

  it('returns the last answer when retries run out', async () => {
    const { sender, requests } = scripted([response(500), response(500), response(500)], {
      retries: 2,
    });
    const result = await send(sender, 'safe');
    expect(result.status).toBe(500);
    expect(result.attempts).toBe(3);
    expect(requests).toHaveLength(3);
  });

  it('honours Retry-After in seconds', async () => {
    const { sender, sleeps } = scripted([response(429, { 'retry-after': '7' }), response(200)]);
    await send(sender, 'safe');
    expect(sleeps).toEqual([7000]);
  });

  it('honours Retry-After as an HTTP date on the server clock', async () => {
    const serverNow = new Date(NOW + 3_600_000);
    const { sender, sleeps } = scripted([
      response(503, {
        date: serverNow.toUTCString(),
        'retry-after': new Date(serverNow.getTime() + 4000).toUTCString(),
      }),
      response(200),
    ]);
    await send(sender, 'safe');
    // The Date header puts the server half a second into its second, so 3.5 s remain.
    expect(sleeps).toEqual([3500]);
  });

  it('does not wait past the deadline', async () => {
    const { sender, requests, sleeps, logger } = scripted(
      [response(503, { 'retry-after': '120' }), response(200)],
      { timeoutMs: 60_000 },
    );
    expect((await send(sender, 'safe')).status).toBe(503);
    expect(requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
    expect(logger.messages).toContain(
      'debug: GET /api/applications: status 503; no retry because the wait of 120.0 s passes the deadline',
    );
  });

  it('retries network errors for the safe policy', async () => {
    const { sender, requests } = scripted([reset(), refused(), response(200)]);
    expect((await send(sender, 'safe')).status).toBe(200);
    expect(requests).toHaveLength(3);
  });

  it('raises the last network error when retries run out', async () => {
    const { sender } = scripted([reset(), reset()], { retries: 1 });
    await expect(send(sender, 'safe')).rejects.toMatchObject({
      code: 'NETWORK_ERROR',
      errno: 'ECONNRESET',
    });
  });

  it.each([
    [[response(503)], 1],
    [[response(500)], 1],
    [[response(429), response(200)], 1],
  ] as const)('sends once for the never policy', async (steps, count) => {
    const { sender, requests } = scripted([...steps]);
    await send(sender, 'never', 'POST');
    expect(requests).toHaveLength(count);
  });

  it('does not retry a network error for the never policy', async () => {
    const { sender, requests } = scripted([refused(), response(200)]);
    await expect(send(sender, 'never', 'POST')).rejects.toBeInstanceOf(NetworkError);
    expect(requests).toHaveLength(1);
  });

  it.each([
    ['429', [response(429), response(200)], 2, 200],
    ['503 with Retry-After', [response(503, { 'retry-after': '1' }), response(200)], 2, 200],
    ['503 without Retry-After', [response(503), response(200)], 1, 503],
    ['500', [response(500), response(200)], 1, 500],
    ['502', [response(502), response(200)], 1, 502],
    ['408', [response(408), response(200)], 1, 408],
  ] as const)('sign-in policy on %s', async (_name, steps, count, status) => {
    const { sender, requests } = scripted([...steps]);
    expect((await send(sender, 'sign-in', 'POST')).status).toBe(status);
    expect(requests).toHaveLength(count);
  });

  it('sign-in policy retries a refused connection', async () => {
    const { sender, requests } = scripted([refused(), response(200)]);
    expect((await send(sender, 'sign-in', 'POST')).status).toBe(200);
    expect(requests).toHaveLength(2);
  });

  it('sign-in policy does not retry a reset connection', async () => {
    const { sender, requests } = scripted([reset(), response(200)]);
    await expect(send(sender, 'sign-in', 'POST')).rejects.toMatchObject({ errno: 'ECONNRESET' });
    expect(requests).toHaveLength(1);
  });
});

describe('HttpSender deadline and cancellation', () => {
  it('raises TimeoutError when the transport does not answer in time', async () => {
    const { sender } = scripted(['hang'], { timeoutMs: 50 });
    const error = await send(sender, 'safe').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({
      code: 'TIMEOUT',
      message: 'GET /api/applications timed out after 50 ms',
      timeoutMs: 50,
      method: 'GET',
      path: '/api/applications',
    });
  });

  it('raises AbortedError when the caller aborts', async () => {
    const { sender } = scripted(['hang']);
    const controller = new AbortController();
    const pending = send(sender, 'safe', 'GET', controller.signal);
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
    await expect(pending).rejects.toMatchObject({
      code: 'ABORTED',
      message: 'GET /api/applications was cancelled',
    });
  });

  it('raises AbortedError before sending when already aborted', async () => {
    const { sender, requests } = scripted([response(200)]);
    await expect(send(sender, 'safe', 'GET', AbortSignal.abort())).rejects.toBeInstanceOf(
      AbortedError,
    );
    expect(requests).toHaveLength(0);
  });
});

describe('HttpSender redirects', () => {
  it('follows a same-origin 307 with the method, body and headers', async () => {
    const { sender, requests } = scripted([
      response(307, { location: '/api/v2/applications' }),
      response(201),
    ]);
    const result = await send(sender, 'never', 'POST');
    expect(result.status).toBe(201);
    expect(result.url.href).toBe('https://rips.example.com/api/v2/applications');
    expect(requests.map((request) => `${request.method} ${request.url.pathname}`)).toEqual([
      'POST /api/applications',
      'POST /api/v2/applications',
    ]);
    expect(requests[1]?.body).toEqual(Buffer.from('{}'));
  });

  it('turns a POST into a GET on 303', async () => {
    const { sender, requests } = scripted([
      response(303, { location: '/api/done' }),
      response(200),
    ]);
    await send(sender, 'never', 'POST');
    expect(requests[1]?.method).toBe('GET');
    expect(requests[1]?.body).toBeUndefined();
  });

  it.each([
    'https://evil.example.com/api/applications',
    'http://rips.example.com/api/applications',
    'https://rips.example.com:444/api/applications',
  ])('returns a redirect to %s without following it', async (location) => {
    const { sender, requests, logger } = scripted([response(302, { location }), response(200)]);
    const result = await send(sender, 'safe');
    expect(result.status).toBe(302);
    expect(requests).toHaveLength(1);
    expect(logger.messages).toContain(
      `debug: GET /api/applications: not following a redirect to ${new URL(location).origin}, another origin`,
    );
  });

  it('stops after five redirects', async () => {
    const loop = response(302, { location: '/api/applications' });
    const { sender, requests } = scripted([loop, loop, loop, loop, loop, loop, response(200)]);
    expect((await send(sender, 'safe')).status).toBe(302);
    expect(requests).toHaveLength(6);
  });
});

describe('HttpSender headers and clock', () => {
  it('sends the User-Agent with the caller prefix', async () => {
    const { sender, requests } = scripted([response(200)]);
    await send(sender, 'safe');
    expect(requests[0]?.headers['user-agent']).toBe('test-action/1.0 rips-actions-auth-core/0.1.0');
    expect(requests[0]?.maxResponseBytes).toBe(64 * 1024 * 1024);
  });

  it('estimates the server clock from the Date header', async () => {
    const { sender } = scripted([response(200, { date: new Date(NOW + 90_000).toUTCString() })]);
    expect(sender.clockOffsetMs).toBeUndefined();
    expect(sender.serverNow()).toBe(NOW);
    await send(sender, 'safe');
    expect(sender.clockOffsetMs).toBe(90_500);
    expect(sender.serverNow()).toBe(NOW + 90_500);
  });
});

describe('parseRetryAfter', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['0', 0],
    ['12', 12_000],
    ['soon', undefined],
    [new Date(NOW + 5000).toUTCString(), 5000],
    [new Date(NOW - 5000).toUTCString(), 0],
  ])('parses %j', (value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });

  it('is exported from the package entry point', async () => {
    const entry = await import('../src/index.js');
    expect(entry.parseRetryAfter).toBe(parseRetryAfter);
  });
});
