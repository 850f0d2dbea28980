import type { Logger, RipsAuthError } from '@rips-actions/auth-core';

/** Seams that {@link observeCore} hands to the operation under test. */
export interface ObservedSeams {
  logger: Logger;
  /** Records each secret that auth-core reports, for the leak scan. */
  onSecret: (value: string) => void;
}

/** The outcome of one auth-core call: its value or error, its log and the secrets it reported. */
export interface CoreObservation<T> {
  ok: boolean;
  value: T | undefined;
  error: unknown;
  /** `code` of a {@link RipsAuthError}, or the error's name for any other error. */
  code: string | undefined;
  message: string | undefined;
  elapsedMs: number;
  /** Every log line, one per line, prefixed with its level. */
  log: string[];
  /** Values passed to `onSecret`, in order. */
  reportedSecrets: string[];
}

/**
 * Renders an error, its own properties and its `cause` chain as text, so that a leak scan
 * covers everything a caller could print or serialize.
 */
export function errorText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    if (current instanceof Error) {
      parts.push(`${current.name}: ${current.message}`);
      parts.push(current.stack ?? '');
      const own = Object.fromEntries(Object.entries(current).filter(([name]) => name !== 'cause'));
      parts.push(JSON.stringify(own));
      current = current.cause;
    } else {
      parts.push(String(current));
      current = undefined;
    }
  }
  return parts.join('\n');
}

/**
 * Runs an auth-core operation with a recording logger and secret handler, and returns what
 * happened instead of throwing.
 */
export async function observeCore<T>(
  operation: (seams: ObservedSeams) => Promise<T>,
): Promise<CoreObservation<T>> {
  const log: string[] = [];
  const reportedSecrets: string[] = [];
  const seams: ObservedSeams = {
    logger: {
      debug: (message) => log.push(`debug: ${message}`),
      info: (message) => log.push(`info: ${message}`),
      warning: (message) => log.push(`warning: ${message}`),
    },
    onSecret: (value) => reportedSecrets.push(value),
  };
  const started = performance.now();
  try {
    const value = await operation(seams);
    return {
      ok: true,
      value,
      error: undefined,
      code: undefined,
      message: undefined,
      elapsedMs: performance.now() - started,
      log,
      reportedSecrets,
    };
  } catch (error: unknown) {
    const code =
      typeof error === 'object' && error !== null && 'code' in error
        ? String((error as RipsAuthError).code)
        : error instanceof Error
          ? error.name
          : undefined;
    return {
      ok: false,
      value: undefined,
      error,
      code,
      message: error instanceof Error ? error.message : String(error),
      elapsedMs: performance.now() - started,
      log,
      reportedSecrets,
    };
  }
}
