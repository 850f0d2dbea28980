import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  hostileCredential,
  hostileCredentialArbitraries,
  LONG_CREDENTIAL_LENGTH,
  type HostileCredentialTheme,
} from '../src/arbitraries.js';

const themes = Object.keys(hostileCredentialArbitraries) as HostileCredentialTheme[];

const THEME_CHECKS: Readonly<Record<HostileCredentialTheme, (value: string) => boolean>> = {
  quotes: (value) => /["'`\\$]/.test(value),
  percent: (value) => value.includes('%'),
  colons: (value) => value.includes(':'),
  lineBreaks: (value) => /[\r\n]/.test(value),
  leadingDash: (value) => value.startsWith('-'),
  nonAscii: () => true,
  surroundingWhitespace: (value) => value !== value.trim(),
  long: (value) => value.length === LONG_CREDENTIAL_LENGTH,
  base64Characters: (value) => /[=+/&? ]/.test(value),
  workflowCommands: (value) => /::|##\[|<<|=|\n/.test(value),
};

describe('hostileCredentialArbitraries', () => {
  it.each(themes)('%s values have their trait and 9+ characters', (theme) => {
    fc.assert(
      fc.property(hostileCredentialArbitraries[theme], (value) => {
        expect(value.length).toBeGreaterThanOrEqual(9);
        expect(THEME_CHECKS[theme](value)).toBe(true);
      }),
      { numRuns: theme === 'long' ? 10 : 100 },
    );
  });

  it('nonAscii values are not all ASCII', () => {
    const samples = fc.sample(hostileCredentialArbitraries.nonAscii, { numRuns: 50, seed: 1 });
    expect(samples.some((value) => /[^\p{ASCII}]/u.test(value))).toBe(true);
  });
});

describe('hostileCredential', () => {
  it('draws from the given themes only', () => {
    const samples = fc.sample(hostileCredential(['leadingDash']), { numRuns: 30, seed: 7 });
    expect(samples.every((value) => value.startsWith('-'))).toBe(true);
  });

  it('rejects an empty theme list', () => {
    expect(() => hostileCredential([])).toThrowError(
      new TypeError('hostileCredential: themes is empty; pass at least one theme.'),
    );
  });
});
