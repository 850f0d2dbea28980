import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

function listen(server: Server, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error === undefined ? resolve() : reject(error)));
    server.closeAllConnections();
  });
}

/**
 * Returns a loopback port that nothing listens on: a server binds a free port and closes it
 * again. Another process could take the port in between, which on a test machine is unlikely
 * within the few milliseconds a test needs.
 */
export async function closedLoopbackPort(host = '127.0.0.1'): Promise<number> {
  const server = createServer();
  const { port } = await listen(server, host);
  await close(server);
  return port;
}

/** A request that reached a {@link RecordingServer}, without its body. */
export interface RecordedRequest {
  method: string;
  url: string;
  /** Header names and values as Node.js parsed them, names in lower case. */
  headers: IncomingMessage['headers'];
}

/** A loopback HTTP server that records every request and responds 200 with `{}`. */
export interface RecordingServer {
  /** Base URL, such as `http://127.0.0.2:40123`. */
  url: string;
  /** Requests received so far, oldest first. */
  readonly requests: readonly RecordedRequest[];
  close(): Promise<void>;
}

/**
 * Starts a {@link RecordingServer} on `host`, 127.0.0.2 by default: another origin than the
 * emulator on 127.0.0.1, still on loopback, for redirect tests. Every address in 127.0.0.0/8
 * is loopback on Linux.
 */
export async function startRecordingServer(host = '127.0.0.2'): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  });
  const { port } = await listen(server, host);
  return { url: `http://${host}:${port}`, requests, close: () => close(server) };
}
