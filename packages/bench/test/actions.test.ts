import { describe, expect, it } from 'vitest';

import { inputVariable, parseOutputFile } from '../src/actions.js';

describe('inputVariable', () => {
  it.each([
    { name: 'api-url', expected: 'INPUT_API-URL' },
    { name: 'totp secret', expected: 'INPUT_TOTP_SECRET' },
  ])('maps $name to $expected', ({ name, expected }) => {
    expect(inputVariable(name)).toBe(expected);
  });
});

describe('parseOutputFile', () => {
  it('reads delimited blocks as @actions/core writes them', () => {
    const text = 'status<<ghadelimiter_1\n200\nghadelimiter_1\nbody<<EOF\n{\n"a": 1\n}\nEOF\n';
    expect(parseOutputFile(text)).toEqual({ status: '200', body: '{\n"a": 1\n}' });
  });

  it('reads name=value lines', () => {
    expect(parseOutputFile('token-type=Bearer\nexpires-in=3600\n')).toEqual({
      'token-type': 'Bearer',
      'expires-in': '3600',
    });
  });

  it('returns no outputs for an empty file', () => {
    expect(parseOutputFile('')).toEqual({});
  });
});
