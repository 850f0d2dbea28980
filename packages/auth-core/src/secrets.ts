/**
 * A synchronous callback that receives each secret value before auth-core uses or returns it,
 * so that a caller can mask it (for example with `core.setSecret`) before anything else runs.
 */
export type SecretHandler = (value: string) => void;

/** Splits a value into its non-blank lines, dropping a trailing `\r` from each. */
function linesOf(value: string): string[] {
  return value
    .split('\n')
    .map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line))
    .filter((line) => line.trim() !== '');
}

/**
 * Lists the forms in which a secret can appear in output: the value itself, each line of a
 * multi-line value, its base64, base64url and URL-encoded forms, and its JSON-escaped form.
 * Blank values give an empty list and duplicates are removed.
 *
 * @example
 * ```ts
 * for (const form of secretForms(password)) core.setSecret(form);
 * ```
 */
export function secretForms(value: string): string[] {
  if (value.trim() === '') {
    return [];
  }
  const bytes = Buffer.from(value, 'utf8');
  const forms = [
    value,
    ...linesOf(value),
    bytes.toString('base64'),
    bytes.toString('base64url'),
    encodeURIComponent(value),
    JSON.stringify(value).slice(1, -1),
  ];
  return [...new Set(forms)];
}

/**
 * Reports a secret to the handler: the whole value first, then each line of a multi-line value.
 * Blank values and blank lines are skipped because masking them would hide unrelated output.
 */
export function reportSecret(handler: SecretHandler | undefined, value: string | undefined): void {
  if (handler === undefined || value === undefined || value.trim() === '') {
    return;
  }
  const reported = new Set<string>([value, ...linesOf(value)]);
  for (const form of reported) {
    handler(form);
  }
}

/** Reports each distinct secret once; undefined and blank values are ignored. */
export type SecretReporter = (value: string | undefined) => void;

/**
 * Creates a {@link SecretReporter} that passes each value, then each of its lines, to the
 * handler once, so that a caller counting mask registrations gets no duplicates.
 */
export function createSecretReporter(handler: SecretHandler | undefined): SecretReporter {
  const seen = new Set<string>();
  return (value) => {
    reportSecret(
      handler === undefined
        ? undefined
        : (form) => {
            if (!seen.has(form)) {
              seen.add(form);
              handler(form);
            }
          },
      value,
    );
  };
}
