import type { Logger, Sleep } from '../seams.js';
import { generateTotp, TOTP_PERIOD_SECONDS, totpTimeStep } from './totp.js';

/**
 * Wrong TOTP codes that the API accepts per user in {@link MFA_ATTEMPT_WINDOW_SECONDS}. With this
 * many in the window it rejects every further code, right or wrong, with 429 until the oldest
 * leaves the window.
 */
export const MFA_ATTEMPTS_PER_WINDOW = 3;
/** Length of the API's sliding window of wrong TOTP codes, in seconds. */
export const MFA_ATTEMPT_WINDOW_SECONDS = 30;
const WINDOW_MS = MFA_ATTEMPT_WINDOW_SECONDS * 1000;
const STEP_MS = TOTP_PERIOD_SECONDS * 1000;
/**
 * Margin past a step boundary or window end, covering the half-second error of the clock estimate.
 */
const MARGIN_MS = 500;

/** A TOTP code and the time step it belongs to. */
export interface TotpCode {
  code: string;
  step: number;
}

/**
 * Hands out TOTP codes so that no code or time step is sent twice and at most three codes are
 * sent in any 30 s. The server accepts each step once, so no step at or before one it has used
 * is sent. When needed, it waits for the next time step. Times are the server's, estimated from
 * its `Date` header, so that codes match the server's step.
 */
export class TotpCodeSource {
  private readonly sentSteps = new Set<number>();
  private readonly sentCodes = new Set<string>();
  private usedStep = Number.NEGATIVE_INFINITY;
  private sentTimes: number[] = [];

  constructor(
    private readonly secret: string,
    private readonly serverNow: () => number,
    private readonly sleep: Sleep,
    private readonly logger: Logger,
  ) {}

  /** Returns the next code to send, after waiting if the current step or window is spent. */
  async next(signal?: AbortSignal): Promise<TotpCode> {
    for (;;) {
      const now = this.serverNow();
      this.sentTimes = this.sentTimes.filter((time) => now - time < WINDOW_MS);
      const oldest = this.sentTimes[0];
      if (this.sentTimes.length >= MFA_ATTEMPTS_PER_WINDOW && oldest !== undefined) {
        const wait = oldest + WINDOW_MS - now + MARGIN_MS;
        this.logger.info(
          `Waiting ${formatSeconds(wait)} so that no more than ${MFA_ATTEMPTS_PER_WINDOW} codes are sent in 30 s`,
        );
        await this.sleep(wait, signal);
        continue;
      }
      const step = totpTimeStep(now);
      const code = await generateTotp(this.secret, { timeMs: step * STEP_MS });
      // Two steps can share a code, and the server rejects a repeated code as already used.
      if (step <= this.usedStep || this.sentSteps.has(step) || this.sentCodes.has(code)) {
        const wait = (step + 1) * STEP_MS - now + MARGIN_MS;
        this.logger.info(`Waiting ${formatSeconds(wait)} for the next TOTP time step`);
        await this.sleep(wait, signal);
        continue;
      }
      return { code, step };
    }
  }

  /** Records that a code is about to be sent, so it is never handed out again. */
  markSent(code: TotpCode): void {
    this.sentSteps.add(code.step);
    this.sentCodes.add(code.code);
    this.sentTimes.push(this.serverNow());
  }

  /**
   * Records that the server accepted the code's step, or reported it already used, so that
   * only later steps are sent from now on.
   */
  markUsed(code: TotpCode): void {
    this.usedStep = Math.max(this.usedStep, code.step);
  }
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
