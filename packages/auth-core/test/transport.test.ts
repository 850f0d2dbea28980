import { once } from 'node:events';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createHttpTransport, Session, type TransportRequest } from '../src/index.js';

/**
 * A loopback server that sends the status line, the headers and the first body bytes of
 * `/stall` at once and then nothing more, so that a deadline or an abort meets a half-read body.
 */
let server: http.Server;
let baseUrl: string;
const closedSockets: Promise<void>[] = [];

beforeAll(async () => {
  server = http.createServer((request, response) => {
    closedSockets.push(once(request.socket, 'close').then(() => undefined));
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
    response.write('{"partial":');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
});

function stalledRequest(signal: AbortSignal): TransportRequest {
  return {
    method: 'GET',
    url: new URL(`${baseUrl}/stall`),
    headers: { accept: 'application/json' },
    body: undefined,
    signal,
    maxResponseBytes: 1024,
  };
}

describe('createHttpTransport cancellation', () => {
  it('rejects with the signal reason during the body', async () => {
    const transport = createHttpTransport();
    const controller = new AbortController();
    const reason = new Error('stop reading');
    const pending = transport(stalledRequest(controller.signal));
    setTimeout(() => controller.abort(reason), 50);
    await expect(pending).rejects.toBe(reason);
    await closedSockets.at(-1);
  });

  it('rejects with the reason of an aborted signal', async () => {
    const transport = createHttpTransport();
    const reason = new Error('aborted before sending');
    await expect(transport(stalledRequest(AbortSignal.abort(reason)))).rejects.toBe(reason);
  });
});

describe('Session deadline over the default transport', () => {
  function session(timeoutMs: number): Session {
    return new Session({
      apiUrl: baseUrl,
      credentials: { type: 'bearer', accessToken: 'opaque-token' },
      timeoutMs,
      retries: 0,
    });
  }

  it('raises TIMEOUT when the body stalls', async () => {
    const error = await session(150)
      .request({ path: '/stall' })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      code: 'TIMEOUT',
      message: 'GET /stall timed out after 150 ms',
    });
    await closedSockets.at(-1);
  });

  it('raises ABORTED when the caller aborts during the body', async () => {
    const controller = new AbortController();
    const pending = session(10_000).request({ path: '/stall', signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const error = await pending.catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      code: 'ABORTED',
      message: 'GET /stall was cancelled',
    });
    await closedSockets.at(-1);
  });
});
