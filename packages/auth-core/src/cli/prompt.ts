import { CliError, ExitCode } from './errors.js';

const CTRL_C = '\u0003';
const CTRL_D = '\u0004';
const CTRL_U = '\u0015';
const ESCAPE = '\u001b';
const BACKSPACES = new Set(['\u007f', '\b']);

/** True when standard input is a terminal that a prompt can read from. */
export function canPrompt(): boolean {
  return process.stdin.isTTY === true;
}

/**
 * Asks a question on stderr and reads one line from the terminal on stdin in raw mode. With
 * `echo: false` nothing typed is shown, which is how passwords and secrets are read. Ctrl-C
 * raises `INTERRUPTED`, and Enter or Ctrl-D ends the line. Callers check {@link canPrompt}
 * first.
 */
export async function promptLine(question: string, options: { echo: boolean }): Promise<string> {
  const input = process.stdin;
  const output = process.stderr;
  if (input.isTTY !== true) {
    throw new TypeError('promptLine needs a terminal on stdin; check canPrompt() first');
  }
  // Raw mode first, so that nothing typed ahead of the question is echoed by the terminal.
  input.setRawMode(true);
  input.setEncoding('utf8');
  input.resume();
  output.write(question);

  return new Promise<string>((resolve, reject) => {
    let value = '';
    let inEscape = false;

    const finish = (error?: Error): void => {
      input.off('data', onData);
      input.off('end', onEnd);
      input.setRawMode(false);
      input.pause();
      output.write('\n');
      if (error === undefined) {
        resolve(value);
      } else {
        reject(error);
      }
    };

    const erase = (count: number): void => {
      if (options.echo && count > 0) {
        output.write('\b \b'.repeat(count));
      }
    };

    const onData = (chunk: string): void => {
      for (const char of chunk) {
        // Arrow and function keys arrive as escape sequences: drop them up to their final byte.
        if (inEscape) {
          inEscape = !/[A-Za-z~]/.test(char);
          continue;
        }
        if (char === ESCAPE) {
          inEscape = true;
        } else if (char === CTRL_C) {
          finish(new CliError('INTERRUPTED', 'Interrupted at the prompt', ExitCode.interrupted));
          return;
        } else if (char === '\r' || char === '\n' || char === CTRL_D) {
          finish();
          return;
        } else if (BACKSPACES.has(char)) {
          const chars = [...value];
          erase(Math.min(chars.length, 1));
          value = chars.slice(0, -1).join('');
        } else if (char === CTRL_U) {
          erase([...value].length);
          value = '';
        } else if (char >= ' ') {
          value += char;
          if (options.echo) output.write(char);
        }
      }
    };

    const onEnd = (): void => {
      finish(
        new CliError('INTERRUPTED', 'Standard input closed at the prompt', ExitCode.interrupted),
      );
    };

    input.on('data', onData);
    input.on('end', onEnd);
  });
}
