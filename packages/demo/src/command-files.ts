import { readFile } from 'node:fs/promises';

/**
 * Parses a runner command file (`GITHUB_OUTPUT`, `GITHUB_ENV`) in both forms the runner reads:
 * `name=value` and the multi-line `name<<DELIMITER` … `DELIMITER` form that `@actions/core` writes.
 */
export function parseCommandFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] ?? '';
    if (line === '') {
      continue;
    }
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc !== null) {
      const [, name = '', delimiter] = heredoc;
      const body: string[] = [];
      index += 1;
      while (index < lines.length && lines[index] !== delimiter) {
        body.push(lines[index] ?? '');
        index += 1;
      }
      values[name] = body.join('\n');
      continue;
    }
    const separator = line.indexOf('=');
    if (separator > 0) {
      values[line.slice(0, separator)] = line.slice(separator + 1);
    }
  }
  return values;
}

/** Reads and parses a command file; a missing file reads as empty. */
export async function readCommandFile(path: string): Promise<Record<string, string>> {
  try {
    return parseCommandFile(await readFile(path, 'utf8'));
  } catch (error: unknown) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return {};
    }
    throw error;
  }
}
