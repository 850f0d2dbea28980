import { resolveConfig, type ClientOptions } from '../config.js';
import { ClientNotFoundError, InvalidOptionError, ResponseNotJsonError } from '../errors.js';
import { httpErrorFrom, isRecord, parseJsonBody } from '../http/json.js';
import { HttpSender } from '../http/sender.js';
import { endpointUrl } from '../options.js';
import { reportSecret } from '../secrets.js';
import { escapeControlCharacters } from '../text.js';
import type { Session } from '../session.js';

/** Path of the public list of global OAuth clients. */
export const GLOBAL_CLIENTS_PATH = '/oauth/v2/global/clients';
/** Path of the signed-in user's private OAuth clients. */
export const CLIENTS_PATH = '/oauth/v2/clients';
/** Conventional name of the global client for CI use. */
export const DEFAULT_CLIENT_NAME = 'ci';

/** OAuth grant types a private client may allow. */
export type GrantType =
  'password' | 'refresh_token' | 'authorization_code' | 'client_credentials' | 'implicit';

/** A private OAuth client of the signed-in user. */
export interface OAuthClient {
  /** Numeric id, used in the client paths. */
  id: number;
  name: string;
  /** The OAuth client id, `<id>_<random_id>`. */
  clientId: string;
  randomId: string;
  /** The client secret; reported to `onSecret` before it is returned. */
  secret: string;
  redirectUris: string[];
  allowedGrantTypes: string[];
}

/** Fields to create or update a private OAuth client. */
export interface OAuthClientInput {
  name: string;
  redirectUris?: string[];
  allowedGrantTypes?: GrantType[];
}

/** A page of private OAuth clients. */
export interface OAuthClientPage {
  clients: OAuthClient[];
  /** True when the API reports more clients after this page (`X-API-Pagination-More: 1`). */
  more: boolean;
}

/** Fetches the global client map (name to client id) with an existing sender. */
export async function fetchGlobalClients(
  sender: HttpSender,
  signal?: AbortSignal,
): Promise<Record<string, string>> {
  const url = endpointUrl(sender.config.apiUrl, GLOBAL_CLIENTS_PATH);
  const result = await sender.send({
    method: 'GET',
    url,
    headers: { accept: 'application/json' },
    retry: 'safe',
    signal,
  });
  const operation = 'Listing the global OAuth clients';
  if (result.status < 200 || result.status >= 300) {
    throw httpErrorFrom(result, 'GET', operation);
  }
  const body = parseJsonBody(result, 'GET', operation);
  if (!isRecord(body)) {
    throw new ResponseNotJsonError(
      `${operation}: expected an object mapping client names to ids from GET ${GLOBAL_CLIENTS_PATH}`,
      '',
      { method: 'GET', path: GLOBAL_CLIENTS_PATH, status: result.status },
    );
  }
  const clients: Record<string, string> = {};
  for (const [name, id] of Object.entries(body)) {
    if (typeof id === 'string') {
      clients[name] = id;
    }
  }
  return clients;
}

/** Picks a client id: the given id, or the id of the named global client. */
export async function resolveClientIdWith(
  sender: HttpSender,
  clientId: string | undefined,
  clientName: string | undefined,
  signal?: AbortSignal,
): Promise<string> {
  if (clientId !== undefined && clientId.trim() !== '') {
    return clientId.trim();
  }
  const name = (clientName ?? '').trim() === '' ? DEFAULT_CLIENT_NAME : (clientName ?? '').trim();
  const clients = await fetchGlobalClients(sender, signal);
  const id = clients[name];
  if (id === undefined) {
    throw new ClientNotFoundError(name, Object.keys(clients).sort(), {
      method: 'GET',
      path: GLOBAL_CLIENTS_PATH,
      option: sender.config.inputNames.clientName,
    });
  }
  sender.config.logger.debug(
    `Using the OAuth client "${escapeControlCharacters(name)}" (${escapeControlCharacters(id)})`,
  );
  return id;
}

/**
 * Lists the global OAuth clients: a map from client name to client id. Needs no credentials.
 *
 * @example
 * ```ts
 * await listGlobalClients({ apiUrl: 'https://rips.example.com' });
 * // { 'ui-client': '1_3bcb…', ci: '2_9f1e…' }
 * ```
 */
export async function listGlobalClients(options: ClientOptions): Promise<Record<string, string>> {
  return fetchGlobalClients(new HttpSender(resolveConfig(options)));
}

/**
 * Returns the client id to use: `clientId` when given, else the id of the global client named
 * `clientName` (default `ci`). Raises {@link ClientNotFoundError} listing the offered names.
 *
 * @example
 * ```ts
 * const clientId = await resolveClientId({ apiUrl, clientName: 'ci' });
 * ```
 */
export async function resolveClientId(
  options: ClientOptions & { clientId?: string; clientName?: string },
): Promise<string> {
  const sender = new HttpSender(resolveConfig(options));
  return resolveClientIdWith(sender, options.clientId, options.clientName);
}

function parseClient(value: unknown, session: Session, operation: string): OAuthClient {
  if (
    !isRecord(value) ||
    typeof value.id !== 'number' ||
    typeof value.name !== 'string' ||
    typeof value.random_id !== 'string'
  ) {
    throw new ResponseNotJsonError(`${operation}: the response is not an OAuth client object`, '');
  }
  const secret = typeof value.secret === 'string' ? value.secret : '';
  reportSecret(session.onSecret, secret);
  const strings = (list: unknown): string[] =>
    Array.isArray(list) ? list.filter((item): item is string => typeof item === 'string') : [];
  return {
    id: value.id,
    name: value.name,
    clientId: `${value.id}_${value.random_id}`,
    randomId: value.random_id,
    secret,
    redirectUris: strings(value.redirect_uris),
    allowedGrantTypes: strings(value.allowed_grant_types),
  };
}

function clientPath(id: number): string {
  if (!Number.isInteger(id) || id <= 0) {
    throw new InvalidOptionError('id', `expected a positive whole number, received ${id}`);
  }
  return `${CLIENTS_PATH}/${id}`;
}

function clientBody(input: OAuthClientInput): { client: Record<string, unknown> } {
  const client: Record<string, unknown> = { name: input.name };
  if (input.redirectUris !== undefined) client.redirectUris = input.redirectUris;
  if (input.allowedGrantTypes !== undefined) client.allowedGrantTypes = input.allowedGrantTypes;
  return { client };
}

/**
 * Lists the signed-in user's private OAuth clients, one page at a time.
 *
 * @example
 * ```ts
 * const { clients, more } = await listOAuthClients(session, { limit: 50 });
 * ```
 */
export async function listOAuthClients(
  session: Session,
  page: { limit?: number; offset?: number } = {},
): Promise<OAuthClientPage> {
  const query: Record<string, number> = {};
  if (page.limit !== undefined) query.limit = page.limit;
  if (page.offset !== undefined) query.offset = page.offset;
  const operation = 'Listing the OAuth clients';
  const response = await session.request({ method: 'GET', path: CLIENTS_PATH, query });
  const body = session.expectJson(response, operation);
  if (!Array.isArray(body)) {
    throw new ResponseNotJsonError(`${operation}: expected a JSON array`, '', {
      method: 'GET',
      path: CLIENTS_PATH,
      status: response.status,
    });
  }
  return {
    clients: body.map((item) => parseClient(item, session, operation)),
    more: response.headers['x-api-pagination-more'] === '1',
  };
}

/** Fetches one private OAuth client by its numeric id. */
export async function getOAuthClient(session: Session, id: number): Promise<OAuthClient> {
  const operation = `Reading the OAuth client ${id}`;
  const response = await session.request({ method: 'GET', path: clientPath(id) });
  return parseClient(session.expectJson(response, operation), session, operation);
}

/**
 * Creates a private OAuth client.
 *
 * @example
 * ```ts
 * const client = await createOAuthClient(session, {
 *   name: 'deploy',
 *   allowedGrantTypes: ['password'],
 * });
 * ```
 */
export async function createOAuthClient(
  session: Session,
  input: OAuthClientInput,
): Promise<OAuthClient> {
  const operation = 'Creating an OAuth client';
  const response = await session.request({
    method: 'POST',
    path: CLIENTS_PATH,
    json: clientBody(input),
  });
  return parseClient(session.expectJson(response, operation), session, operation);
}

/** Replaces the fields of a private OAuth client. */
export async function updateOAuthClient(
  session: Session,
  id: number,
  input: OAuthClientInput,
): Promise<OAuthClient> {
  const operation = `Updating the OAuth client ${id}`;
  const response = await session.request({
    method: 'PUT',
    path: clientPath(id),
    json: clientBody(input),
  });
  return parseClient(session.expectJson(response, operation), session, operation);
}

/** Deletes a private OAuth client. */
export async function deleteOAuthClient(session: Session, id: number): Promise<void> {
  const response = await session.request({ method: 'DELETE', path: clientPath(id) });
  if (response.status < 200 || response.status >= 300) {
    throw httpErrorFrom(response, 'DELETE', `Deleting the OAuth client ${id}`);
  }
}
