import { secretForms } from '@rips-actions/auth-core';

/** Registers a secret, with every form derived from it, as a runner mask. */
export type SecretMasker = (secret: string) => void;

/**
 * Creates a {@link SecretMasker} that passes each form from `secretForms` (the value, each of its
 * lines, base64, base64url, URL-encoded and JSON-escaped) to `register` once. Blank values are
 * skipped, because a blank mask would hide unrelated log text.
 */
export function createSecretMasker(register: (form: string) => void): SecretMasker {
  const registered = new Set<string>();
  return (secret) => {
    for (const form of secretForms(secret)) {
      if (!registered.has(form)) {
        registered.add(form);
        register(form);
      }
    }
  };
}
