import { randomBytes } from 'node:crypto';

/** Grant types a client may allow. Anything else is invalid input. */
export const GRANT_TYPES = [
  'password',
  'refresh_token',
  'authorization_code',
  'client_credentials',
  'implicit',
] as const;

/** An OAuth client: global (no owner) or private to one user. */
export interface ClientRecord {
  id: number;
  name: string;
  randomId: string;
  secret: string;
  redirectUris: string[];
  allowedGrantTypes: string[];
  /** Id of the owning user. Undefined for a global client. */
  ownerId: number | undefined;
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** Creates a random lower-case alphanumeric string without modulo bias. */
export function randomAlphanumeric(length: number): string {
  let text = '';
  while (text.length < length) {
    for (const byte of randomBytes(length)) {
      // 252 is the largest multiple of 36 that fits in a byte, so higher bytes are skipped.
      if (byte < 252 && text.length < length) {
        text += ALPHABET[byte % ALPHABET.length];
      }
    }
  }
  return text;
}

/** Returns the public client id, `<id>_<random_id>`. */
export function publicClientId(client: ClientRecord): string {
  return `${client.id}_${client.randomId}`;
}

/** Creates a client record with a fresh random id and secret. */
export function createClient(
  id: number,
  name: string,
  ownerId: number | undefined,
  redirectUris: string[] = [],
  allowedGrantTypes: string[] = ['password', 'refresh_token'],
): ClientRecord {
  return {
    id,
    name,
    randomId: randomAlphanumeric(50),
    secret: randomAlphanumeric(50),
    redirectUris,
    allowedGrantTypes,
    ownerId,
  };
}

/** Converts a client to its snake_case JSON form. */
export function clientToJson(client: ClientRecord): Record<string, unknown> {
  return {
    id: client.id,
    name: client.name,
    random_id: client.randomId,
    secret: client.secret,
    redirect_uris: client.redirectUris,
    allowed_grant_types: client.allowedGrantTypes,
  };
}
