/** E-mail of the demo user that exists when no users file is given. */
export const DEMO_EMAIL = 'demo@example.com';

/** Password of the demo user. */
export const DEMO_PASSWORD = 'demo-password';

/** Base32 TOTP secret of the demo user (80 bits, as authenticator apps issue them). */
export const DEMO_TOTP_SECRET = 'JBSWY3DPEHPK3PXP';

/** Version string that `GET /status` reports. Clients require major version 3. */
export const API_VERSION = '3.4.3';

/** Default access-token lifetime: 28 days, as in the RIPS authentication guide's example. */
export const DEFAULT_TOKEN_TTL_SECONDS = 2_419_200;

/** Default refresh-token lifetime: 30 days. */
export const DEFAULT_REFRESH_TTL_SECONDS = 2_592_000;

/** Largest request body the server reads into memory: 1 MiB. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Largest `limit` a list endpoint accepts, and its default. */
export const MAX_PAGE_SIZE = 500;

/** Default scrypt cost parameter N (2^14). With r = 8 each hash needs 16 MiB of memory. */
export const DEFAULT_SCRYPT_COST = 16_384;

/** Wrong MFA codes allowed per user within the attempt window. */
export const MFA_MAX_WRONG_CODES = 3;

/** Length of the sliding window that counts wrong MFA codes, in milliseconds. */
export const MFA_WINDOW_MS = 30_000;

/** TOTP time step in seconds (RFC 6238 default). */
export const TOTP_PERIOD_SECONDS = 30;
