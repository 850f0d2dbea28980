import fc from 'fast-check';

const ALPHANUMERIC = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'] as const;

/** Length of the values made by {@link hostileCredentialArbitraries.long}: 10 KiB of ASCII. */
export const LONG_CREDENTIAL_LENGTH = 10 * 1024;

// Every value carries at least 8 alphanumeric characters besides the hostile part, so the leak
// scan, which drops derived forms under 6 characters, still checks each of its encodings.
const filler = fc.string({ unit: fc.constantFrom(...ALPHANUMERIC), minLength: 8, maxLength: 24 });

function embed(pieces: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc
    .tuple(filler, fc.array(pieces, { minLength: 1, maxLength: 4 }), filler)
    .map(([before, middle, after]) => `${before}${middle.join('')}${after}`);
}

/**
 * Credentials that break careless code, by theme. Each value is at least 9
 * characters long.
 */
export const hostileCredentialArbitraries = {
  /** Single, double and back quotes and backslashes, which break shell and JSON quoting. */
  quotes: embed(fc.constantFrom('"', "'", '`', '\\', '\\"', "\\'", '${x}')),
  /** `%` and the escapes that workflow commands and URLs use. */
  percent: embed(fc.constantFrom('%', '%%', '%25', '%0A', '%0D', '%3A', '%2C', '%s', '%00')),
  /** `::`, the separator of workflow commands. */
  colons: embed(fc.constantFrom('::', ':', ':::', ' :: ')),
  /** CR, LF and CRLF, so the value has several lines that must each be masked. */
  lineBreaks: embed(fc.constantFrom('\r\n', '\n', '\r', '\n\n')),
  /** A leading `-` or `--`, which a command line would read as an option. */
  leadingDash: fc
    .tuple(fc.constantFrom('-', '--', '-e ', '--password='), filler)
    .map(([prefix, rest]) => `${prefix}${rest}`),
  /** Accented letters, CJK, emoji with joiners, and right-to-left text and marks. */
  nonAscii: embed(
    fc.oneof(
      fc.constantFrom(
        'é',
        'ß',
        'Ω',
        '日本語',
        '🔑',
        '👩‍💻',
        '🏳️‍🌈',
        'مرحبا',
        'שלום',
        '\u202E',
        '\u200F',
      ),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 4 }),
    ),
  ),
  /** Spaces, tabs or no-break spaces at either end, which `core.getInput` trims by default. */
  surroundingWhitespace: fc
    .tuple(fc.constantFrom(' ', '  ', '\t', '\u00A0', ''), filler, fc.constantFrom(' ', '\t ', ''))
    .filter(([start, , end]) => start !== '' || end !== '')
    .map(([start, middle, end]) => `${start}${middle}${end}`),
  /** 10 KiB values, far larger than any header or log line a test expects. */
  long: filler.map((seed) =>
    seed.repeat(Math.ceil(LONG_CREDENTIAL_LENGTH / seed.length)).slice(0, LONG_CREDENTIAL_LENGTH),
  ),
  /** `=`, `+` and `/`, which base64 uses and form and URL encoding change. */
  base64Characters: embed(fc.constantFrom('=', '==', '+', '/', '+/', ' + ', '&', '?')),
  /** Text that a runner would read as a workflow command or an env-file heredoc. */
  workflowCommands: fc
    .tuple(
      fc.constantFrom(
        '::add-mask::',
        '::set-output name=token::',
        '::error::',
        '::warning file=a::',
        '::stop-commands::',
        '::endgroup::',
        '##[error]',
        'EOF<<EOF\n',
        'ghadelimiter_1\n',
        'NAME=value\n',
      ),
      filler,
    )
    .map(([command, rest]) => `${command}${rest}`),
} as const;

/** Name of one theme in {@link hostileCredentialArbitraries}. */
export type HostileCredentialTheme = keyof typeof hostileCredentialArbitraries;

/**
 * Generates credentials from every theme in
 * {@link hostileCredentialArbitraries}, or from the given themes only.
 *
 * @example
 * ```ts
 * await fc.assert(
 *   fc.asyncProperty(hostileCredential(), async (password) => {
 *     const run = await runAction({ action, inputs: { password, ... } });
 *     expectNoLeaks(run, [{ label: 'password', value: password }]);
 *   }),
 *   { numRuns: 20 },
 * );
 * ```
 */
export function hostileCredential(
  themes: readonly HostileCredentialTheme[] = Object.keys(
    hostileCredentialArbitraries,
  ) as HostileCredentialTheme[],
): fc.Arbitrary<string> {
  if (themes.length === 0) {
    throw new TypeError('hostileCredential: themes is empty; pass at least one theme.');
  }
  return fc.oneof(...themes.map((theme) => hostileCredentialArbitraries[theme]));
}
