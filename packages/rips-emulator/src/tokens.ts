import { randomBytes } from 'node:crypto';

import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

/**
 * One 2048-bit RSA key pair per process, because generating one costs 0.1 to 1 s and a test run
 * starts many emulators. Tokens still belong to one emulator: each keeps its own token table and
 * rejects tokens that are not in it.
 */
let keyPair: ReturnType<typeof generateKeyPair> | undefined;

/** An issued access token, kept so that bearer checks are a table lookup. */
export interface AccessRecord {
  token: string;
  jti: string;
  userId: number;
  clientId: string;
  expiresAtMs: number;
  revoked: boolean;
  /** Set by the control API, so the token is rejected as expired whatever its `exp`. */
  forcedExpired: boolean;
}

/** An issued refresh token. Refresh tokens are opaque and exist only in this table. */
export interface RefreshRecord {
  token: string;
  userId: number;
  clientId: string;
  accessToken: string;
  expiresAtMs: number;
  /** True once used or revoked, because a spent refresh token is rejected. */
  revoked: boolean;
}

/** The response body of `POST /oauth/v2/auth/tokens`. */
export interface TokenPair {
  token_type: 'Bearer';
  expires_in: number;
  access_token: string;
  refresh_token: string;
}

/** Lifetimes and claims of issued tokens. */
export interface TokenSettings {
  tokenTtlSeconds: number;
  refreshTtlSeconds: number;
  issuer: string | undefined;
}

/**
 * Signs RS256 access tokens and keeps every issued access and refresh token in memory.
 * Bearer checks look the token up by its full string, so no signature check is repeated.
 */
export class TokenStore {
  // NOTE: records are never pruned, so memory grows with every token issued until the process
  // ends. That suits tests and demos; a long-lived emulator under load would need pruning.
  readonly accessTokens = new Map<string, AccessRecord>();
  readonly refreshTokens = new Map<string, RefreshRecord>();

  private constructor(
    private readonly privateKey: CryptoKey,
    readonly publicKey: CryptoKey,
    readonly publicJwk: JWK,
    private readonly settings: TokenSettings,
  ) {}

  /** Creates a store that signs with the process's RSA key pair. */
  static async create(settings: TokenSettings): Promise<TokenStore> {
    keyPair ??= generateKeyPair('RS256', { extractable: true });
    const { privateKey, publicKey } = await keyPair;
    const publicJwk = { ...(await exportJWK(publicKey)), alg: 'RS256', use: 'sig' };
    return new TokenStore(privateKey, publicKey, publicJwk, settings);
  }

  /** Issues an access and refresh token pair for a user and client at `nowMs`. */
  async issue(userId: number, clientId: string, nowMs: number): Promise<TokenPair> {
    const jti = randomBytes(40).toString('hex');
    const issuedAt = Math.floor(nowMs / 1000);
    const expiresAt = issuedAt + this.settings.tokenTtlSeconds;
    const jwt = new SignJWT({ scopes: [] })
      .setProtectedHeader({ typ: 'JWT', alg: 'RS256', jti })
      .setAudience(clientId)
      .setJti(jti)
      .setIssuedAt(issuedAt)
      .setNotBefore(issuedAt)
      .setExpirationTime(expiresAt)
      .setSubject(String(userId));
    if (this.settings.issuer !== undefined) {
      jwt.setIssuer(this.settings.issuer);
    }
    const accessToken = await jwt.sign(this.privateKey);
    // The prefix is the version header of defuse/php-encryption, which RIPS refresh tokens show.
    const refreshToken = `def50200${randomBytes(128).toString('hex')}`;

    this.accessTokens.set(accessToken, {
      token: accessToken,
      jti,
      userId,
      clientId,
      expiresAtMs: expiresAt * 1000,
      revoked: false,
      forcedExpired: false,
    });
    this.refreshTokens.set(refreshToken, {
      token: refreshToken,
      userId,
      clientId,
      accessToken,
      expiresAtMs: nowMs + this.settings.refreshTtlSeconds * 1000,
      revoked: false,
    });
    return {
      token_type: 'Bearer',
      expires_in: this.settings.tokenTtlSeconds,
      access_token: accessToken,
      refresh_token: refreshToken,
    };
  }

  /** Revokes a spent refresh token and the access token issued with it (RFC 6749 §6 rotation). */
  spend(refresh: RefreshRecord): void {
    refresh.revoked = true;
    const access = this.accessTokens.get(refresh.accessToken);
    if (access !== undefined) {
      access.revoked = true;
    }
  }

  /** Marks every access token of a user as expired. Returns how many were marked. */
  expireUser(userId: number): number {
    let count = 0;
    for (const record of this.accessTokens.values()) {
      if (record.userId === userId) {
        record.forcedExpired = true;
        count += 1;
      }
    }
    return count;
  }

  /** Revokes every access and refresh token of a user. Returns how many were revoked. */
  revokeUser(userId: number): number {
    let count = 0;
    for (const record of [...this.accessTokens.values(), ...this.refreshTokens.values()]) {
      if (record.userId === userId) {
        record.revoked = true;
        count += 1;
      }
    }
    return count;
  }

  /** Revokes every token issued to a client. Used when its owner deletes the client. */
  revokeClient(clientId: string): void {
    for (const record of [...this.accessTokens.values(), ...this.refreshTokens.values()]) {
      if (record.clientId === clientId) {
        record.revoked = true;
      }
    }
  }
}
