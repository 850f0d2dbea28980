import { secretForms } from '@rips-actions/auth-core';

/** Registers a secret, in every form auth-core derives from it, with the runner. */
export type Masker = (value: string) => void;

/**
 * Creates a {@link Masker} that passes each distinct form of each secret to `register` once:
 * the value, each of its lines, and its base64, base64url, URL-encoded and JSON-escaped forms.
 */
export function createMasker(register: (form: string) => void): Masker {
  const registered = new Set<string>();
  return (value) => {
    for (const form of secretForms(value)) {
      if (!registered.has(form)) {
        registered.add(form);
        register(form);
      }
    }
  };
}

/** Masks every string inside `value`, at any depth. */
function maskAll(value: unknown, mask: Masker): void {
  if (typeof value === 'string') {
    mask(value);
  } else if (Array.isArray(value)) {
    for (const item of value) {
      maskAll(item, mask);
    }
  } else if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) {
      maskAll(item, mask);
    }
  }
}

/**
 * Masks the strings under the given field names (compared in lower case) anywhere in a parsed
 * JSON value, inside arrays as well. A field that contains an object or array has every string in
 * it masked. Returns how many fields matched.
 *
 * @example
 * ```ts
 * maskJsonFields({ clients: [{ secret: 's3' }] }, new Set(['secret']), mask); // masks 's3'
 * ```
 */
export function maskJsonFields(value: unknown, fields: ReadonlySet<string>, mask: Masker): number {
  let matched = 0;
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) {
        visit(item);
      }
      return;
    }
    if (typeof node !== 'object' || node === null) {
      return;
    }
    for (const [key, item] of Object.entries(node)) {
      if (fields.has(key.toLowerCase())) {
        matched++;
        maskAll(item, mask);
      } else {
        visit(item);
      }
    }
  };
  visit(value);
  return matched;
}
