/** One account in the users file or in `startEmulator({ users })`. */
export interface UserSeed {
  email: string;
  password: string;
  /** Positive integer (default: the 1-based position in the list). */
  id?: number;
  /** Base32 TOTP secret, at least 16 characters. A user with a secret has MFA on. */
  totpSecret?: string;
  roles?: string[];
}

/** Fields every fault shares, whatever its kind. */
export interface FaultMatch {
  /** HTTP method to match (default: any method). */
  method?: string;
  /** Exact path, or a prefix ending in `*`. */
  path: string;
  /** Number of matching requests the fault hits (default: 1). */
  times?: number;
}

/** A failure that the control API injects into matching requests. */
export type Fault = FaultMatch &
  (
    | { kind: 'status'; status: number; retryAfter?: number | string; body?: unknown }
    | { kind: 'delay'; ms: number }
    | { kind: 'reset'; after?: 'headers' | 'partial-body' }
    | { kind: 'html'; status?: number }
    | { kind: 'empty'; status?: number }
    | { kind: 'truncated-json'; status?: number }
    | { kind: 'large'; mib: number; status?: number }
    | { kind: 'redirect'; status?: number; location: string }
  );

/** The kinds of fault the control API accepts. */
export type FaultKind = Fault['kind'];

/** One served request as the control API's request log shows it, without credentials. */
export interface RequestLogEntry {
  method: string;
  /** Path without the query string. */
  path: string;
  /** Query parameters. Values of parameters that may carry secrets are replaced by `[redacted]`. */
  query?: Record<string, string>;
  status: number;
  /** Names of the request headers, lower-case, without their values. */
  headers: string[];
  /** Time the request arrived, ISO 8601 on the emulator's shifted clock. */
  time: string;
  /** Kind of primary authentication the request carried. */
  auth: 'bearer' | 'plain' | 'none';
  /** Id of the fault that hit this request. */
  faultId?: string;
}

/** Options of `startEmulator`. */
export interface EmulatorOptions {
  /** Seed users, or the path of a JSON users file (default: one MFA-enabled demo user). */
  users?: UserSeed[] | string;
  /** Address to bind (default: 127.0.0.1). */
  host?: string;
  /** Port to bind, 0 for a free port (default: 0). */
  port?: number;
  /** Serves the control API under `/_emulator/` when true. */
  control?: boolean;
  /** Access-token lifetime in seconds (default: 28 days). */
  tokenTtlSeconds?: number;
  /** Refresh-token lifetime in seconds (default: 30 days). */
  refreshTtlSeconds?: number;
  /** TOTP steps of clock skew accepted on either side (default: 1). */
  clockSkewSteps?: number;
  /** Source of the current time in milliseconds, before the clock offset (default: `Date.now`). */
  now?: () => number;
  /** `iss` claim of access tokens (default: no `iss` claim). */
  issuer?: string;
  /**
   * scrypt cost parameter N, a power of two (default: 16384). Tests may lower it, but the
   * default stays slow because plain header authentication must cost a password hash.
   */
  scryptCost?: number;
}
