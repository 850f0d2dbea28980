import { createServer, type Server } from 'node:net';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { startEmulator } from '@rips-actions/rips-emulator';

import { listGlobalClients, NetworkError } from '../src/index.js';

/**
 * A loopback stand-in for an HTTP proxy. It records the first request line of each connection
 * and responds 403, so that no traffic ever leaves the machine.
 */
async function startFakeProxy(): Promise<{ server: Server; url: string; lines: string[] }> {
  const lines: string[] = [];
  const server = createServer((socket) => {
    socket.once('data', (chunk: Buffer) => {
      lines.push(chunk.toString('latin1').split('\r\n')[0] ?? '');
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') {
    throw new Error('the fake proxy has no port');
  }
  return { server, url: `http://127.0.0.1:${address.port}`, lines };
}

const PROXY_VARIABLES = [
  'HTTPS_PROXY',
  'https_proxy',
  'HTTP_PROXY',
  'http_proxy',
  'NO_PROXY',
  'no_proxy',
];

describe('proxy support', () => {
  let saved: Record<string, string | undefined>;
  let proxy: Awaited<ReturnType<typeof startFakeProxy>>;

  beforeEach(async () => {
    saved = Object.fromEntries(PROXY_VARIABLES.map((name) => [name, process.env[name]]));
    for (const name of PROXY_VARIABLES) delete process.env[name];
    proxy = await startFakeProxy();
  });

  afterEach(async () => {
    for (const name of PROXY_VARIABLES) {
      const value = saved[name];
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await new Promise<void>((resolve) => proxy.server.close(() => resolve()));
  });

  it('tunnels HTTPS requests through HTTPS_PROXY', async () => {
    process.env.HTTPS_PROXY = proxy.url;
    // rips.example.invalid never resolves; the request reaches only the loopback proxy.
    const error = await listGlobalClients({
      apiUrl: 'https://rips.example.invalid',
      retries: 0,
      timeoutMs: 5_000,
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NetworkError);
    expect(proxy.lines).toEqual(['CONNECT rips.example.invalid:443 HTTP/1.1']);
  });

  it('sends plain HTTP requests through HTTP_PROXY', async () => {
    process.env.HTTP_PROXY = proxy.url;
    const error = await listGlobalClients({
      apiUrl: 'http://rips.example.invalid:8080',
      allowInsecureHttp: true,
      retries: 0,
      timeoutMs: 5_000,
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NetworkError);
    expect(proxy.lines).toEqual(['CONNECT rips.example.invalid:8080 HTTP/1.1']);
  });

  it('bypasses the proxy for loopback hosts', async () => {
    const emulator = await startEmulator({ scryptCost: 1024 });
    try {
      process.env.HTTPS_PROXY = proxy.url;
      process.env.HTTP_PROXY = proxy.url;
      const clients = await listGlobalClients({ apiUrl: emulator.url, retries: 0 });
      expect(Object.keys(clients).sort()).toEqual(['ci', 'ui-client']);
      expect(proxy.lines).toEqual([]);
    } finally {
      await emulator.close();
    }
  });
});
