/** Bounds of one closed-loop load run. */
export interface LoadOptions {
  /** Requests in flight at any time. */
  concurrency: number;
  /** No request starts after this many milliseconds. */
  durationMs: number;
  /** No request starts once this many have started. */
  maxRequests: number;
}

/** Outcome of a load run; `rate` counts successful requests per second. */
export interface LoadResult {
  completed: number;
  failed: number;
  elapsedMs: number;
  rate: number;
  /** CPU time (user + system) of this process per successful request, in microseconds. */
  cpuMicrosPerRequest: number;
  firstError: string | undefined;
}

/**
 * Runs `send` from `concurrency` workers until the duration or the request count is used up.
 * Each worker starts its next request when the previous one ends (a closed loop), so the rate
 * is what the client and server sustain together. `send` returns the HTTP status; anything but
 * 200 counts as a failure. The CPU time covers the whole process, so nothing else should run in
 * it meanwhile.
 */
export async function runLoad(
  send: () => Promise<number>,
  options: LoadOptions,
): Promise<LoadResult> {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const deadline = start + options.durationMs;
  let started = 0;
  let completed = 0;
  let failed = 0;
  let firstError: string | undefined;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline && started < options.maxRequests) {
      started++;
      try {
        const status = await send();
        if (status === 200) {
          completed++;
        } else {
          failed++;
          firstError ??= `status ${status}`;
        }
      } catch (error: unknown) {
        failed++;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const elapsedMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  return {
    completed,
    failed,
    elapsedMs,
    rate: (completed * 1000) / elapsedMs,
    cpuMicrosPerRequest: completed === 0 ? Number.NaN : (cpu.user + cpu.system) / completed,
    firstError,
  };
}
