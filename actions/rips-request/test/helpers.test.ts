import {
  InvalidOptionError,
  NetworkError,
  secretForms,
  TimeoutError,
} from '@rips-actions/auth-core';
import { describe, expect, it, vi } from 'vitest';

import { failureMessage } from '../src/errors.js';
import {
  parseExpectedStatus,
  parseHeaders,
  parseMaxPages,
  parseQuery,
  type ExpectedStatus,
} from '../src/parsers.js';
import { createMasker, maskJsonFields } from '../src/mask.js';
import { filterHeaders } from '../src/outputs.js';
import { isExpectedStatus } from '../src/request.js';

function errorOf(action: () => unknown): InvalidOptionError {
  try {
    action();
  } catch (error: unknown) {
    if (error instanceof InvalidOptionError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected an InvalidOptionError');
}

describe('parseExpectedStatus', () => {
  it.each<[string, ExpectedStatus]>([
    ['', { codes: [], classes: [2] }],
    ['200', { codes: [200], classes: [] }],
    ['200,404', { codes: [200, 404], classes: [] }],
    [' 201 , 2xx\n404 ', { codes: [201, 404], classes: [2] }],
    ['4XX', { codes: [], classes: [4] }],
  ])('parses "%s"', (text, expected) => {
    expect(parseExpectedStatus(text)).toEqual(expected);
  });

  it.each(['ok', '99', '600', '2x', '20'])('rejects "%s"', (text) => {
    const error = errorOf(() => parseExpectedStatus(text));

    expect(error.code).toBe('INVALID_OPTION');
    expect(error.option).toBe('expected-status');
  });
});

describe('isExpectedStatus', () => {
  it.each<[number, string, boolean]>([
    [200, '', true],
    [204, '', true],
    [301, '', false],
    [404, '', false],
    [404, '200,404', true],
    [500, '200,404', false],
    [503, '5xx', true],
  ])('%i against "%s" is %s', (status, text, expected) => {
    expect(isExpectedStatus(status, parseExpectedStatus(text))).toBe(expected);
  });
});

describe('parseQuery', () => {
  it('parses scalars and arrays', () => {
    expect(parseQuery('{"limit": 2, "flag": true, "name": "web", "id": [1, 2]}')).toEqual({
      limit: 2,
      flag: true,
      name: 'web',
      id: [1, 2],
    });
  });

  it('returns an empty object for an empty input', () => {
    expect(parseQuery('  ')).toEqual({});
  });

  it.each([
    [
      '{"a": null}',
      'query: the value of "a" must be a string, number, boolean or an array of them',
    ],
    ['"text"', 'query: expected a JSON object such as {"limit": 10}, received string'],
    ['null', 'query: expected a JSON object such as {"limit": 10}, received null'],
  ])('rejects %s', (text, message) => {
    expect(errorOf(() => parseQuery(text)).message).toBe(message);
  });

  it('never quotes the text of invalid JSON', () => {
    const error = errorOf(() => parseQuery('{"token": "s3cr3t-value'));

    expect(error.option).toBe('query');
    expect(error.message).not.toContain('s3cr3t');
  });
});

describe('parseHeaders', () => {
  it('returns lower-case names and string values', () => {
    expect(parseHeaders('{"X-Request-Id": "ci-42", "X-Count": 3}')).toEqual({
      'x-request-id': 'ci-42',
      'x-count': '3',
    });
  });

  it.each(['Authorization', 'Cookie', 'X-API-Password', 'X-API-Email-Enc', 'X-API-MFA'])(
    'rejects the credential header %s',
    (name) => {
      const error = errorOf(() => parseHeaders(JSON.stringify({ [name]: 'value' })));

      expect(error.option).toBe('headers');
      expect(error.message).toBe(
        `headers: ${name} carries credentials and is set by the authentication inputs; remove it`,
      );
    },
  );

  it('rejects a value that is not a string', () => {
    expect(errorOf(() => parseHeaders('{"X-A": {"b": 1}}')).message).toBe(
      'headers: the value of "X-A" must be a string',
    );
  });
});

describe('parseMaxPages', () => {
  it.each<[string, number]>([
    ['', 100],
    ['1', 1],
    [' 25 ', 25],
    ['10000', 10000],
  ])('parses "%s"', (text, expected) => {
    expect(parseMaxPages(text)).toBe(expected);
  });

  it.each(['0', '-1', '1.5', 'many', '10001'])('rejects "%s"', (text) => {
    expect(errorOf(() => parseMaxPages(text)).option).toBe('max-pages');
  });
});

describe('maskJsonFields', () => {
  const fields = new Set(['token', 'secret', 'password', 'plainpassword']);

  it('masks strings under the fields at any depth and inside arrays', () => {
    const mask = vi.fn();
    const body = {
      token: 'tok-1',
      nested: { deeper: [{ secret: 'sec-2' }, { plainPassword: 'pw-3' }] },
      list: [{ password: ['pw-4', 'pw-5'] }],
      name: 'not-secret',
    };

    const matched = maskJsonFields(body, fields, mask);

    expect(matched).toBe(4);
    expect(mask.mock.calls).toEqual([['tok-1'], ['sec-2'], ['pw-3'], ['pw-4'], ['pw-5']]);
  });

  it('masks every string inside an object under a field', () => {
    const mask = vi.fn();

    maskJsonFields({ secret: { a: 'one', b: [2, 'three'] } }, fields, mask);

    expect(mask.mock.calls).toEqual([['one'], ['three']]);
  });

  it('ignores bodies that are not JSON objects or arrays', () => {
    const mask = vi.fn();

    expect(maskJsonFields(undefined, fields, mask)).toBe(0);
    expect(maskJsonFields('token', fields, mask)).toBe(0);
    expect(mask).not.toHaveBeenCalled();
  });
});

describe('createMasker', () => {
  it('registers each form of each value once', () => {
    const register = vi.fn();
    const mask = createMasker(register);

    mask('two\nlines');
    mask('two\nlines');
    mask('two');

    const expected = [...new Set([...secretForms('two\nlines'), ...secretForms('two')])];
    expect(register.mock.calls.map(([form]) => form)).toEqual(expected);
    expect(register).toHaveBeenCalledTimes(expected.length);
  });

  it('registers nothing for a blank value', () => {
    const register = vi.fn();

    createMasker(register)('  ');

    expect(register).not.toHaveBeenCalled();
  });
});

describe('filterHeaders', () => {
  it('drops credential headers and keeps the rest', () => {
    expect(
      filterHeaders({
        'content-type': 'application/json',
        'set-cookie': 'session=abc',
        authorization: 'Bearer abc',
        'x-api-password-enc': 'cw==',
        'x-api-mfa': '123',
        'x-api-pagination-more': '1',
        'x-api-mfa-required': '1',
        'x-api-expired': '1',
      }),
    ).toEqual({
      'content-type': 'application/json',
      'x-api-pagination-more': '1',
      'x-api-mfa-required': '1',
      'x-api-expired': '1',
    });
  });
});

describe('failureMessage', () => {
  it.each<[string, unknown, string]>([
    [
      'a timeout',
      new TimeoutError('GET /status timed out after 10 ms', 10),
      'GET /status timed out after 10 ms; raise timeout-seconds if the API is slow to respond',
    ],
    [
      'a network error',
      new NetworkError('Could not complete the request to https://h: ECONNREFUSED', {
        mayHaveReachedServer: false,
      }),
      'Could not complete the request to https://h: ECONNREFUSED; check api-url and, on a self-hosted runner, HTTPS_PROXY and NO_PROXY',
    ],
    ['an input error', new InvalidOptionError('path', 'missing'), 'path: missing'],
    ['a plain error', new Error('boom'), 'boom'],
    ['a thrown string', 'text', 'text'],
  ])('describes %s', (_title, error, message) => {
    expect(failureMessage(error)).toBe(message);
  });
});
