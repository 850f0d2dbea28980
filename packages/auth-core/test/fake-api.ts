import { createServer, type IncomingMessage, type Server } from 'node:http';

/** A canned response of {@link FakeApi}. */
export interface FakeResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** A loopback HTTP server that returns canned responses by `METHOD /path`. */
export interface FakeApi {
  url: string;
  /** `METHOD /path` of each request, in order. */
  requests: string[];
  /** Sets the response to `METHOD /path`, for example `POST /oauth/v2/auth/tokens`. */
  on(route: string, response: FakeResponse | (() => FakeResponse)): void;
  close(): Promise<void>;
}

async function drain(request: IncomingMessage): Promise<void> {
  for await (const chunk of request) {
    void chunk;
  }
}

/** Starts a {@link FakeApi} on 127.0.0.1. Routes without a response return 404. */
export async function startFakeApi(): Promise<FakeApi> {
  const routes = new Map<string, FakeResponse | (() => FakeResponse)>();
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    void drain(request).then(() => {
      const route = `${request.method ?? ''} ${(request.url ?? '').split('?')[0] ?? ''}`;
      requests.push(route);
      const entry = routes.get(route);
      const canned =
        typeof entry === 'function'
          ? entry()
          : (entry ?? { status: 404, body: '{"code":404,"message":"Not found"}' });
      response.writeHead(canned.status, {
        'content-type': 'application/json',
        ...canned.headers,
      });
      response.end(canned.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') {
    throw new Error('the fake API has no port');
  }
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    on: (route, response) => routes.set(route, response),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
