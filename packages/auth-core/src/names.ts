/**
 * Names of the inputs that auth-core messages start with or refer to, written as the caller's
 * user types them: an action input (`totp-secret`), a flag (`--client-name`) or an environment
 * variable (`RIPS_TOTP_SECRET`).
 */
export interface InputNames {
  apiUrl: string;
  allowInsecureHttp: string;
  email: string;
  password: string;
  grant: string;
  clientId: string;
  clientName: string;
  refreshToken: string;
  accessToken: string;
  totpSecret: string;
  mfaToken: string;
  /** The request path of `Session.request`. */
  path: string;
}

/** The input names of the rips-login and rips-request actions, the default of every message. */
export const ACTION_INPUT_NAMES: Readonly<InputNames> = Object.freeze({
  apiUrl: 'api-url',
  allowInsecureHttp: 'allow-insecure-http',
  email: 'email',
  password: 'password',
  grant: 'grant',
  clientId: 'client-id',
  clientName: 'client-name',
  refreshToken: 'refresh-token',
  accessToken: 'access-token',
  totpSecret: 'totp-secret',
  mfaToken: 'mfa-token',
  path: 'path',
});

/**
 * Completes caller-given input names with {@link ACTION_INPUT_NAMES}.
 *
 * @example
 * ```ts
 * resolveInputNames({ clientName: '--client-name' }).clientName; // '--client-name'
 * resolveInputNames().totpSecret; // 'totp-secret'
 * ```
 */
export function resolveInputNames(names: Partial<InputNames> = {}): InputNames {
  const resolved: InputNames = { ...ACTION_INPUT_NAMES };
  for (const key of Object.keys(resolved) as (keyof InputNames)[]) {
    const name = names[key];
    if (name !== undefined && name.trim() !== '') {
      resolved[key] = name;
    }
  }
  return resolved;
}

/**
 * Says how to turn a boolean input on: a flag (`--x`) is passed, while an action input or an
 * environment variable is set.
 */
export function turnOnHint(name: string): string {
  return name.startsWith('-') ? `pass ${name}` : `set ${name}`;
}
