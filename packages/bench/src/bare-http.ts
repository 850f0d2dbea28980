import { HttpClient } from '@actions/http-client';

/** Status and body text of a response. */
export interface BareResponse {
  status: number;
  text: string;
}

/**
 * Creates the baseline client: `@actions/http-client` with the options auth-core's transport
 * uses (no redirects, no retries, no keep-alive), so that a comparison measures auth-core alone.
 */
export function createBareClient(): HttpClient {
  return new HttpClient('rips-bench', [], { allowRedirects: false, allowRetries: false });
}

/** Sends one request with `@actions/http-client` and reads the whole body. */
export async function bareRequest(
  client: HttpClient,
  method: string,
  url: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<BareResponse> {
  const data = body === undefined ? null : JSON.stringify(body);
  const sent = data === null ? headers : { ...headers, 'content-type': 'application/json' };
  const response = await client.request(method, url, data, sent);
  const text = await response.readBody();
  return { status: response.message.statusCode ?? 0, text };
}

/** Sends a request and returns its JSON body, raising on any status but 200. */
export async function bareJson(
  client: HttpClient,
  method: string,
  url: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const response = await bareRequest(client, method, url, headers, body);
  if (response.status !== 200) {
    throw new Error(`${method} ${new URL(url).pathname} failed with status ${response.status}`);
  }
  return JSON.parse(response.text) as Record<string, unknown>;
}

/** Sends the three calls of a sign-in with MFA and a known client id: token, MFA token, status. */
export async function bareLoginCalls(
  client: HttpClient,
  apiUrl: string,
  user: { email: string; password: string },
  clientId: string,
  code: string,
): Promise<void> {
  const tokens = await bareJson(
    client,
    'POST',
    `${apiUrl}/oauth/v2/auth/tokens`,
    {},
    {
      grant_type: 'password',
      client_id: clientId,
      username: user.email,
      password: user.password,
    },
  );
  const bearer = { authorization: `Bearer ${String(tokens.access_token)}` };
  const mfa = await bareJson(client, 'POST', `${apiUrl}/mfas/token`, bearer, {
    challenge: { code },
  });
  await bareJson(client, 'GET', `${apiUrl}/status`, {
    ...bearer,
    'x-api-mfa': String(mfa.token),
  });
}
