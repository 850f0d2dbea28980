import type { Logger } from '../index.js';
import type { Failure } from './errors.js';

/**
 * The output streams of a command. Results go to stdout, as text or, with `--json`, as one JSON
 * object. Progress, warnings and prompts go to stderr, so that stdout stays parseable.
 */
export class Output {
  constructor(
    readonly json: boolean,
    readonly verbose: boolean,
    private readonly stdout: NodeJS.WriteStream = process.stdout,
    private readonly stderr: NodeJS.WriteStream = process.stderr,
  ) {}

  /** True when the lines of {@link Output.show} reach a terminal. */
  get interactiveTerminal(): boolean {
    return (this.json ? this.stderr : this.stdout).isTTY === true;
  }

  /** Writes lines of the human-readable result to stdout; does nothing with `--json`. */
  text(...lines: string[]): void {
    if (!this.json) {
      this.stdout.write(lines.map((line) => `${line}\n`).join(''));
    }
  }

  /**
   * Writes lines that the user must see before the command ends (an enrolment URI to scan):
   * to stdout in text mode and to stderr with `--json`.
   */
  show(...lines: string[]): void {
    const stream = this.json ? this.stderr : this.stdout;
    stream.write(lines.map((line) => `${line}\n`).join(''));
  }

  /** Writes the JSON result to stdout; does nothing in text mode. */
  result(value: object): void {
    if (this.json) {
      this.stdout.write(`${JSON.stringify(value)}\n`);
    }
  }

  /** Writes a diagnostic line to stderr. */
  note(line: string): void {
    this.stderr.write(`${line}\n`);
  }

  /** Reports a failure: a line on stderr, and with `--json` an error object on stdout. */
  failure(failure: Failure): void {
    this.stderr.write(`rips-auth: error: ${failure.message}\n`);
    if (this.json) {
      const error: Record<string, unknown> = { code: failure.code, message: failure.message };
      if (failure.retryAfterSeconds !== undefined) {
        error.retryAfterSeconds = failure.retryAfterSeconds;
      }
      this.stdout.write(`${JSON.stringify({ error })}\n`);
    }
  }

  /** Creates a library logger: warnings always reach stderr, info and debug only with `--verbose`. */
  logger(): Logger {
    const verboseNote = (line: string): void => {
      if (this.verbose) this.note(line);
    };
    return {
      debug: verboseNote,
      info: verboseNote,
      warning: (line) => this.note(`warning: ${line}`),
    };
  }
}
