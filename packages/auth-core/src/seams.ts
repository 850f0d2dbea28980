/**
 * Log sink with the three levels auth-core uses: `info` for what a user needs (auth path,
 * signed-in user, expiry), `debug` for internals (endpoints, retry decisions) and `warning` for
 * ignored or conflicting inputs. auth-core never passes a secret to it.
 */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warning(message: string): void;
}

/** Source of the current time. */
export interface Clock {
  /** Returns the current time in milliseconds since the Unix epoch. */
  now(): number;
}

/**
 * Waits `ms` milliseconds. Rejects with the signal's reason when `signal` aborts first.
 */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** A logger that drops every message. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warning: () => undefined,
};

/** The system clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** Waits on a real timer. */
export const realSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
