import { request } from 'node:http';
import { connect } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  ALICE,
  call,
  rawHeaders,
  START_MS,
  startTestEmulator,
  type TestEmulator,
} from './helpers.js';

describe('bad requests', () => {
  let emulator: TestEmulator;

  beforeAll(async () => {
    emulator = await startTestEmulator();
  });

  afterAll(async () => {
    await emulator.close();
  });

  async function stillServes(): Promise<void> {
    const { status } = await call(emulator, 'GET', '/status');
    expect(status).toBe(200);
  }

  it('answers malformed JSON with 400 and keeps serving', async () => {
    const { status, body, headers } = await call(emulator, 'POST', '/applications', {
      headers: { ...rawHeaders(ALICE), 'Content-Type': 'application/json' },
      body: '{"application":',
    });
    expect(status).toBe(400);
    expect(body).toEqual({
      code: 400,
      message: 'Invalid JSON',
      errors: { body: 'malformed JSON' },
    });
    expect(headers.get('content-type')).toBe('application/json; charset=utf-8');
    await stillServes();
  });

  it('answers a body over 1 MiB with 413 after reading it', async () => {
    const { status, body } = await call(emulator, 'POST', '/applications', {
      headers: { ...rawHeaders(ALICE), 'Content-Type': 'application/json' },
      body: `{"application":{"name":"${'x'.repeat(2 * 1024 * 1024)}"}}`,
    });
    expect(status).toBe(413);
    expect(body).toEqual({
      code: 413,
      message: 'Request body too large',
      errors: { body: 'at most 1048576 bytes' },
    });
    await stillServes();
  });

  it('accepts a body of exactly 1 MiB', async () => {
    const prefix = '{"application":{"name":"';
    const suffix = '"}}';
    const name = 'x'.repeat(1024 * 1024 - prefix.length - suffix.length);
    const { status } = await call(emulator, 'POST', '/applications', {
      headers: { ...rawHeaders(ALICE), 'Content-Type': 'application/json' },
      body: `${prefix}${name}${suffix}`,
    });
    expect(status).toBe(200);
  });

  it('answers 413 to a chunked body over 1 MiB on a kept-alive connection', async () => {
    const url = new URL('/applications', emulator.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(url, { method: 'POST', headers: rawHeaders(ALICE) }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      const chunk = Buffer.alloc(256 * 1024, 'a');
      for (let index = 0; index < 6; index += 1) {
        req.write(chunk);
      }
      req.end();
    });
    expect(status).toBe(413);
    await stillServes();
  });

  /** Sends a raw HTTP/1.1 request line and returns the status line of the response. */
  function rawStatusLine(target: string): Promise<string> {
    const { hostname, port } = new URL(emulator.url);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => {
        socket.write(`GET ${target} HTTP/1.1\r\nHost: ${hostname}\r\nConnection: close\r\n\r\n`);
      });
      let text = '';
      socket.on('data', (chunk: Buffer) => {
        text += chunk.toString('latin1');
      });
      socket.on('end', () => resolve(text.split('\r\n')[0] ?? ''));
      socket.on('error', reject);
    });
  }

  it.each([
    ['//other.example/status'],
    ['/_emulator/users/%E0%A4%A/expire'],
    ['/applications/%zz'],
  ])('answers the target %s with 404', async (target) => {
    expect(await rawStatusLine(target)).toBe('HTTP/1.1 404 Not Found');
    await stillServes();
  });

  it('answers oversized headers with a JSON 431', async () => {
    const { status, body } = await call(emulator, 'GET', '/status', {
      headers: { 'X-API-Password': 'p'.repeat(20_000), 'X-API-Email': 'a@example.com' },
    });
    expect(status).toBe(431);
    expect(body).toEqual({ code: 431, message: 'Request header fields too large' });
    await stillServes();
  });

  it('answers an unknown route with 404', async () => {
    const { status, body } = await call(emulator, 'GET', '/no/such/route');
    expect(status).toBe(404);
    expect(body).toEqual({ code: 404, message: 'Not found' });
    await stillServes();
  });

  it('answers a wrong method with 405 and Allow', async () => {
    const { status, body, headers } = await call(emulator, 'DELETE', '/status');
    expect(status).toBe(405);
    expect(body).toEqual({ code: 405, message: 'Method not allowed' });
    expect(headers.get('allow')).toBe('GET');
    const tokens = await call(emulator, 'GET', '/oauth/v2/auth/tokens');
    expect(tokens.status).toBe(405);
    expect(tokens.headers.get('allow')).toBe('POST');
  });

  it('hides the control API when control is off', async () => {
    const closed = await startTestEmulator({ control: false });
    try {
      const { status } = await call(closed, 'GET', '/_emulator/requests');
      expect(status).toBe(404);
      await expect(closed.control.requests()).rejects.toThrow(/status 404/);
    } finally {
      await closed.close();
    }
  });

  it('serves on IPv6 loopback with a bracketed URL', async () => {
    const ipv6 = await startTestEmulator({ host: '::1' });
    try {
      expect(ipv6.url).toMatch(/^http:\/\/\[::1\]:\d+$/);
      const { status } = await call(ipv6, 'GET', '/status');
      expect(status).toBe(200);
    } finally {
      await ipv6.close();
    }
  });

  it('sends a Date header from the emulator clock', async () => {
    const { headers } = await call(emulator, 'GET', '/status');
    expect(headers.get('date')).toBe(new Date(START_MS).toUTCString());
  });
});
