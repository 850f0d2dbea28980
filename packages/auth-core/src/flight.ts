import { AbortedError } from './errors.js';

interface Flight<T> {
  promise: Promise<T>;
  controller: AbortController;
  waiters: number;
}

/**
 * One operation shared by concurrent callers, such as a token refresh. The operation runs with
 * its own `AbortSignal`, so that one caller's abort does not fail the others. A caller whose
 * signal aborts stops waiting with {@link AbortedError}. The operation is cancelled only once
 * every caller has stopped waiting, and its requests keep their own deadlines.
 */
export class SharedFlight<T> {
  private current: Flight<T> | undefined;

  /** Creates a flight whose cancelled waiters get `AbortedError` with `cancelledMessage`. */
  constructor(private readonly cancelledMessage: string) {}

  /** Starts the operation unless one is running, and waits for it on `signal`. */
  async run(start: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted === true) {
      throw new AbortedError(this.cancelledMessage, { cause: signal.reason });
    }
    const flight = this.current ?? this.start(start);
    return this.wait(flight, signal);
  }

  /** Waits until the running operation, if any, has ended, whatever its outcome. */
  async settled(): Promise<void> {
    await this.current?.promise.catch(() => undefined);
  }

  private start(start: (signal: AbortSignal) => Promise<T>): Flight<T> {
    const controller = new AbortController();
    const flight: Flight<T> = {
      promise: start(controller.signal).finally(() => {
        this.detach(flight);
      }),
      controller,
      waiters: 0,
    };
    // Every waiter may have stopped waiting, so the flight's own failure must not go unhandled.
    flight.promise.catch(() => undefined);
    this.current = flight;
    return flight;
  }

  private async wait(flight: Flight<T>, signal: AbortSignal | undefined): Promise<T> {
    flight.waiters++;
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_resolve, reject) => {
      onAbort = () => reject(new AbortedError(this.cancelledMessage, { cause: signal?.reason }));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([flight.promise, aborted]);
    } finally {
      if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
      flight.waiters--;
      // A waiter without a signal never leaves early, so the count reaches 0 on an abort only
      // when every waiter has aborted.
      if (signal?.aborted === true && flight.waiters === 0) {
        this.detach(flight);
        flight.controller.abort(signal.reason);
      }
    }
  }

  private detach(flight: Flight<T>): void {
    if (this.current === flight) {
      this.current = undefined;
    }
  }
}
