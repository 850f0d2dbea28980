/**
 * Control characters (C0, DEL, C1) and the Unicode line and paragraph separators. A runner
 * reads a line break in a log line as the start of a new line, where `::command::` text acts as
 * a workflow command.
 */
const CONTROL = /[\p{Cc}\u2028\u2029]/gu;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Replaces each control character with a visible escape (`\n`, `\r`, `\t`, `\x1b`, `\u2028`), so
 * that text from the API or an input stays on one line of a log or an error message.
 *
 * @example
 * ```ts
 * escapeControlCharacters('a@b.c\n::stop-commands::x'); // 'a@b.c\\n::stop-commands::x'
 * ```
 */
export function escapeControlCharacters(text: string): string {
  return text.replace(CONTROL, (character) => {
    const named = NAMED[character];
    if (named !== undefined) {
      return named;
    }
    const code = character.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** Returns true when `text` contains a control character or a Unicode line separator. */
export function hasControlCharacters(text: string): boolean {
  return new RegExp(CONTROL.source, 'u').test(text);
}
