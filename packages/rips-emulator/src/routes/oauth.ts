import { authenticateProtected, checkPassword } from '../auth.js';
import { clientToJson, GRANT_TYPES, publicClientId } from '../clients.js';
import { ApiError, invalidInput, notFound } from '../errors.js';
import { paginate, parseJsonBody, parsePage, type JsonResponse } from '../http.js';
import type { Route, RouteContext } from '../router.js';

/** Creates a token-endpoint error with both the RIPS and the OAuth 2.0 keys. */
function oauthError(
  status: number,
  message: string,
  error: string,
  description: string,
  headers: Record<string, string> = {},
): ApiError {
  return new ApiError(status, message, { oauth: { error, description }, headers });
}

function missingParameter(name: string): ApiError {
  return oauthError(400, 'Invalid input', 'invalid_request', `Missing parameter: ${name}`);
}

/** Reads the token request as JSON or as a form body. Each value must be a string. */
function readTokenRequest(context: RouteContext): Record<string, string> {
  const contentType = context.req.headers['content-type'] ?? '';
  let fields: Record<string, unknown>;
  if (contentType.startsWith('application/x-www-form-urlencoded')) {
    fields = Object.fromEntries(new URLSearchParams(context.body.toString('utf8')));
  } else {
    const body = parseJsonBody(context.body);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw oauthError(400, 'Invalid input', 'invalid_request', 'Expected a JSON object body');
    }
    fields = body as Record<string, unknown>;
  }
  const strings: Record<string, string> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (typeof value === 'string') {
      strings[key] = value;
    }
  }
  return strings;
}

const TOKEN_HEADERS = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

async function passwordGrant(
  context: RouteContext,
  fields: Record<string, string>,
  clientId: string,
): Promise<JsonResponse> {
  const { username, password } = fields;
  if (username === undefined) {
    throw missingParameter('username');
  }
  if (password === undefined) {
    throw missingParameter('password');
  }
  const user = await checkPassword(context.state, username, password);
  if (user === undefined) {
    throw oauthError(
      401,
      'Invalid credentials',
      'invalid_credentials',
      'The user credentials were incorrect.',
    );
  }
  const pair = await context.state.tokens.issue(user.id, clientId, context.state.now());
  return { status: 200, body: pair, headers: TOKEN_HEADERS };
}

async function refreshGrant(
  context: RouteContext,
  fields: Record<string, string>,
  clientId: string,
): Promise<JsonResponse> {
  const token = fields['refresh_token'];
  if (token === undefined) {
    throw missingParameter('refresh_token');
  }
  const { state } = context;
  const record = state.tokens.refreshTokens.get(token);
  const invalid = (description: string, headers: Record<string, string> = {}): ApiError =>
    oauthError(401, 'Invalid refresh token', 'invalid_grant', description, headers);
  if (record === undefined) {
    throw invalid('The refresh token is invalid.');
  }
  if (record.revoked) {
    throw invalid('The refresh token has been revoked.', { 'X-API-Revoked': '1' });
  }
  if (state.now() >= record.expiresAtMs) {
    throw invalid('The refresh token has expired.', { 'X-API-Expired': '1' });
  }
  if (record.clientId !== clientId) {
    throw invalid('The refresh token was issued to another client.');
  }
  state.tokens.spend(record);
  const pair = await state.tokens.issue(record.userId, clientId, state.now());
  return { status: 200, body: pair, headers: TOKEN_HEADERS };
}

/** `POST /oauth/v2/auth/tokens`: password and refresh grants. No `X-API-MFA` needed. */
async function issueTokens(context: RouteContext): Promise<JsonResponse> {
  const fields = readTokenRequest(context);
  const grantType = fields['grant_type'];
  if (grantType === undefined) {
    throw missingParameter('grant_type');
  }
  if (grantType !== 'password' && grantType !== 'refresh_token') {
    throw oauthError(
      400,
      'Unsupported grant type',
      'unsupported_grant_type',
      `The grant type ${JSON.stringify(grantType.slice(0, 40))} is not supported; use password or refresh_token.`,
    );
  }
  const clientId = fields['client_id'];
  if (clientId === undefined) {
    throw missingParameter('client_id');
  }
  const client = context.state.clients.get(clientId);
  if (client === undefined) {
    throw oauthError(401, 'Invalid client', 'invalid_client', 'Client authentication failed');
  }
  if (!client.allowedGrantTypes.includes(grantType)) {
    throw oauthError(
      401,
      'Invalid client',
      'unauthorized_client',
      `The client does not allow the grant type ${grantType}.`,
    );
  }
  return grantType === 'password'
    ? passwordGrant(context, fields, clientId)
    : refreshGrant(context, fields, clientId);
}

interface ClientInput {
  name?: string;
  redirectUris?: string[];
  allowedGrantTypes?: string[];
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/** Reads `{"client":{…}}`, accepting camelCase and snake_case keys. */
function readClientInput(context: RouteContext, requireName: boolean): ClientInput {
  const body = parseJsonBody(context.body);
  const wrapper =
    typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const client = wrapper['client'];
  if (typeof client !== 'object' || client === null || Array.isArray(client)) {
    throw invalidInput({ client: 'expected an object' });
  }
  const fields = client as Record<string, unknown>;
  const input: ClientInput = {};

  const name = fields['name'];
  if (name !== undefined || requireName) {
    if (typeof name !== 'string' || name.trim() === '') {
      throw invalidInput({ name: 'expected a non-empty string' });
    }
    input.name = name;
  }

  const redirectUris = fields['redirectUris'] ?? fields['redirect_uris'];
  if (redirectUris !== undefined) {
    if (!isStringArray(redirectUris)) {
      throw invalidInput({ redirectUris: 'expected an array of strings' });
    }
    input.redirectUris = redirectUris;
  }

  const grantTypes = fields['allowedGrantTypes'] ?? fields['allowed_grant_types'];
  if (grantTypes !== undefined) {
    const known: readonly string[] = GRANT_TYPES;
    if (!isStringArray(grantTypes) || !grantTypes.every((type) => known.includes(type))) {
      throw invalidInput({ allowedGrantTypes: `expected a subset of ${GRANT_TYPES.join(', ')}` });
    }
    input.allowedGrantTypes = grantTypes;
  }
  return input;
}

function clientIdParam(context: RouteContext): number {
  const id = context.params['id'] ?? '';
  if (!/^\d{1,9}$/.test(id)) {
    throw notFound();
  }
  return Number(id);
}

async function findOwnClient(context: RouteContext) {
  const { user } = await authenticateProtected(context.state, context.req);
  const client = context.state.findOwnClient(user.id, clientIdParam(context));
  if (client === undefined) {
    throw notFound();
  }
  return client;
}

/** Routes of the OAuth 2.0 token endpoint and client management. */
export const oauthRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/oauth/v2/global/clients',
    handler: async (context) => ({ status: 200, body: context.state.globalClientMap() }),
  },
  { method: 'POST', pattern: '/oauth/v2/auth/tokens', handler: issueTokens },
  {
    method: 'GET',
    pattern: '/oauth/v2/clients',
    handler: async (context) => {
      const page = parsePage(context.query);
      const { user } = await authenticateProtected(context.state, context.req);
      return paginate(context.state.clientsOf(user.id).map(clientToJson), page);
    },
  },
  {
    method: 'POST',
    pattern: '/oauth/v2/clients',
    handler: async (context) => {
      const { user } = await authenticateProtected(context.state, context.req);
      const input = readClientInput(context, true);
      const client = context.state.addClient(
        user.id,
        input.name ?? '',
        input.redirectUris,
        input.allowedGrantTypes,
      );
      return { status: 200, body: clientToJson(client) };
    },
  },
  {
    method: 'GET',
    pattern: '/oauth/v2/clients/:id',
    handler: async (context) => ({ status: 200, body: clientToJson(await findOwnClient(context)) }),
  },
  {
    method: 'PUT',
    pattern: '/oauth/v2/clients/:id',
    handler: async (context) => {
      const client = await findOwnClient(context);
      const input = readClientInput(context, false);
      client.name = input.name ?? client.name;
      client.redirectUris = input.redirectUris ?? client.redirectUris;
      client.allowedGrantTypes = input.allowedGrantTypes ?? client.allowedGrantTypes;
      return { status: 200, body: clientToJson(client) };
    },
  },
  {
    method: 'DELETE',
    pattern: '/oauth/v2/clients/:id',
    handler: async (context) => {
      const client = await findOwnClient(context);
      context.state.deleteClient(client);
      return { status: 200, body: { id: client.id, client_id: publicClientId(client) } };
    },
  },
];
