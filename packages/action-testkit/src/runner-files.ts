/** Raised when a runner command file such as `GITHUB_OUTPUT` is not in the runner's format. */
export class RunnerFileFormatError extends Error {
  override readonly name = 'RunnerFileFormatError';

  constructor(
    message: string,
    /** Name of the file, for example `GITHUB_OUTPUT`. */
    readonly file: string,
    /** 1-based line number of the entry that failed. */
    readonly line: number,
  ) {
    super(message);
  }
}

/**
 * Parses the contents of a `GITHUB_OUTPUT`, `GITHUB_ENV` or `GITHUB_STATE`
 * file as the runner does.
 *
 * Each entry is either `name=value` on one line or the heredoc form:
 * `name<<DELIMITER`, the value's lines, and a line that is exactly
 * `DELIMITER`. `@actions/core` 3 writes the heredoc form with a random
 * delimiter. Whichever of `=` and `<<` comes first on a line decides the form.
 * Lines of a heredoc value are joined with `\n`. A later entry with the same
 * name wins.
 *
 * @param file - name of the file for error messages, for example `GITHUB_OUTPUT`
 * @throws RunnerFileFormatError for a line that is neither form, an empty
 *   name or delimiter, or a heredoc without its closing delimiter. The runner
 *   fails the step in the same cases.
 *
 * @example
 * ```ts
 * parseRunnerFile('token<<ghadelim_1\nabc\nghadelim_1\nstatus=200\n', 'GITHUB_OUTPUT');
 * // { token: 'abc', status: '200' }
 * ```
 */
export function parseRunnerFile(contents: string, file: string): Record<string, string> {
  const entries: Record<string, string> = {};
  const lines = contents.split(/\r?\n/);
  let index = 0;
  while (index < lines.length) {
    const text = lines[index] ?? '';
    const lineNumber = index + 1;
    index += 1;
    if (text === '') {
      continue;
    }
    const equalsAt = text.indexOf('=');
    const heredocAt = text.indexOf('<<');
    if (equalsAt >= 0 && (heredocAt < 0 || equalsAt < heredocAt)) {
      const name = requireName(text.slice(0, equalsAt), file, lineNumber);
      entries[name] = text.slice(equalsAt + 1);
      continue;
    }
    if (heredocAt < 0) {
      throw new RunnerFileFormatError(
        `${file} line ${lineNumber} is invalid: expected "name=value" or "name<<DELIMITER".`,
        file,
        lineNumber,
      );
    }
    const name = requireName(text.slice(0, heredocAt), file, lineNumber);
    const delimiter = text.slice(heredocAt + 2);
    if (delimiter === '') {
      throw new RunnerFileFormatError(
        `${file} line ${lineNumber} is invalid: the heredoc for "${name}" has an empty delimiter.`,
        file,
        lineNumber,
      );
    }
    const closingAt = lines.indexOf(delimiter, index);
    if (closingAt < 0) {
      throw new RunnerFileFormatError(
        `${file} line ${lineNumber} is invalid: no closing delimiter line for "${name}".`,
        file,
        lineNumber,
      );
    }
    entries[name] = lines.slice(index, closingAt).join('\n');
    index = closingAt + 1;
  }
  return entries;
}

/** Parses a `GITHUB_PATH` file: one directory a line, empty lines ignored. */
export function parsePathFile(contents: string): string[] {
  return contents.split(/\r?\n/).filter((line) => line !== '');
}

function requireName(name: string, file: string, line: number): string {
  if (name === '') {
    throw new RunnerFileFormatError(
      `${file} line ${line} is invalid: the name is empty.`,
      file,
      line,
    );
  }
  return name;
}
