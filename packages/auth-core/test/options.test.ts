import { describe, expect, it } from 'vitest';

import {
  ACTION_INPUT_NAMES,
  chooseGrant,
  InvalidOptionError,
  isLoopbackHost,
  normalizeCredential,
  parseApiUrl,
  parseGrant,
  parseHeaderLines,
  parseMethod,
  parseRetries,
  parseTimeoutSeconds,
  resolveInputNames,
  resolveRequestUrl,
  validateHeaders,
} from '../src/index.js';

function optionError(action: () => unknown): InvalidOptionError {
  try {
    action();
  } catch (error: unknown) {
    expect(error).toBeInstanceOf(InvalidOptionError);
    return error as InvalidOptionError;
  }
  throw new Error('expected an InvalidOptionError');
}

describe('normalizeCredential', () => {
  it.each([
    ['secret\n', 'secret'],
    ['secret\r\n', 'secret'],
    ['secret\n\n', 'secret\n'],
    [' secret ', ' secret '],
    [' secret \n', ' secret '],
    ['secret\r', 'secret\r'],
    ['', ''],
    ['line1\nline2', 'line1\nline2'],
  ])('normalizes %j to %j', (input, expected) => {
    expect(normalizeCredential(input)).toBe(expected);
  });
});

describe('parseApiUrl', () => {
  it.each([
    ['https://rips.example.com', 'https://rips.example.com/'],
    ['https://rips.example.com/', 'https://rips.example.com/'],
    ['https://rips.example.com/rips-api/', 'https://rips.example.com/rips-api'],
    ['  https://rips.example.com/a/b//  ', 'https://rips.example.com/a/b'],
    ['http://localhost:8080', 'http://localhost:8080/'],
    ['http://127.0.0.1:3000/api', 'http://127.0.0.1:3000/api'],
    ['http://[::1]:3000', 'http://[::1]:3000/'],
    ['http://ci.localhost', 'http://ci.localhost/'],
  ])('accepts %j', (input, href) => {
    expect(parseApiUrl(input).href).toBe(href);
  });

  it('rejects http for another host', () => {
    const error = optionError(() => parseApiUrl('http://rips.example.com'));
    expect(error.option).toBe('api-url');
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.message).toBe(
      'api-url: plain http:// sends credentials unencrypted to rips.example.com; use https:// or set allow-insecure-http',
    );
  });

  it('accepts http for another host when allowed', () => {
    expect(parseApiUrl('http://rips.example.com', { allowInsecureHttp: true }).href).toBe(
      'http://rips.example.com/',
    );
  });

  it.each([
    ['', 'api-url: the API base URL is missing'],
    [
      'rips.example.com',
      'api-url: expected an absolute http(s) URL such as https://rips.example.com, received "rips.example.com"',
    ],
    ['ftp://rips.example.com', 'api-url: expected an http or https URL, received ftp:'],
    [
      'https://user:pw@rips.example.com',
      'api-url: the URL must not contain user info; pass the e-mail and password as their own inputs',
    ],
    ['https://rips.example.com/?a=1', 'api-url: the URL must not contain a query or fragment'],
    ['https://rips.example.com/#x', 'api-url: the URL must not contain a query or fragment'],
  ])('rejects %j', (input, message) => {
    expect(optionError(() => parseApiUrl(input)).message).toBe(message);
  });

  it('never echoes user info', () => {
    const error = optionError(() => parseApiUrl('https://user:hunter2@rips.example.com'));
    expect(error.message).not.toContain('hunter2');
  });

  it('names a custom option', () => {
    expect(optionError(() => parseApiUrl('', { option: 'apiUrl' })).option).toBe('apiUrl');
  });
});

describe('isLoopbackHost', () => {
  it.each([
    ['localhost', true],
    ['LOCALHOST', true],
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['[::1]', true],
    ['::1', true],
    ['a.localhost', true],
    ['localhost.example.com', false],
    ['128.0.0.1', false],
    ['10.0.0.1', false],
    ['127.0.0.1.example.com', false],
  ])('classifies %s as %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});

describe('parseTimeoutSeconds', () => {
  it.each([
    [undefined, 30],
    ['', 30],
    [' 10 ', 10],
    ['0.5', 0.5],
    ['86400', 86400],
  ])('parses %j as %d', (input, expected) => {
    expect(parseTimeoutSeconds(input)).toBe(expected);
  });

  it.each(['0', '-1', 'abc', '1e3', '86401', 'NaN', '10s'])('rejects %j', (input) => {
    const error = optionError(() => parseTimeoutSeconds(input));
    expect(error.option).toBe('timeout-seconds');
    expect(error.message).toBe(
      `timeout-seconds: expected a number of seconds greater than 0 and at most 86400, received "${input}"`,
    );
  });
});

describe('parseRetries', () => {
  it.each([
    [undefined, 3],
    ['', 3],
    ['0', 0],
    ['10', 10],
  ])('parses %j as %d', (input, expected) => {
    expect(parseRetries(input)).toBe(expected);
  });

  it.each(['-1', '11', '1.5', 'many'])('rejects %j', (input) => {
    expect(optionError(() => parseRetries(input)).message).toBe(
      `retries: expected a whole number from 0 to 10, received "${input}"`,
    );
  });
});

describe('parseGrant', () => {
  it.each([
    ['', 'auto'],
    [undefined, 'auto'],
    ['AUTO', 'auto'],
    ['password', 'password'],
    [' refresh ', 'refresh'],
    ['plain', 'plain'],
  ])('parses %j as %s', (input, expected) => {
    expect(parseGrant(input)).toBe(expected);
  });

  it('rejects an unknown grant', () => {
    expect(optionError(() => parseGrant('client_credentials')).message).toBe(
      'grant: expected one of auto, password, refresh, plain, received "client_credentials"',
    );
  });
});

describe('chooseGrant', () => {
  const email = 'a@example.com';
  const password = 'pw';
  const refreshToken = 'def50200aa';

  it.each([
    [{ grant: 'auto', email, password }, 'password'],
    [{ grant: 'auto', refreshToken }, 'refresh'],
    [{ grant: 'auto', email, password, refreshToken }, 'refresh'],
    [{ grant: 'auto', email, password, refreshToken: '' }, 'password'],
    [{ grant: 'password', email, password, refreshToken }, 'password'],
    [{ grant: 'refresh', refreshToken }, 'refresh'],
    [{ grant: 'plain', email, password }, 'plain'],
  ] as const)('chooses for %j', (inputs, expected) => {
    expect(chooseGrant(inputs)).toBe(expected);
  });

  it.each([
    [
      { grant: 'auto' },
      'grant',
      'grant: auto needs a refresh token, or an e-mail and a password; all are empty (secrets are not passed to workflows triggered from forks or by Dependabot)',
    ],
    [
      { grant: 'auto', email },
      'password',
      'password: the password grant needs a password; it is empty (secrets are not passed to workflows triggered from forks or by Dependabot)',
    ],
    [
      { grant: 'auto', password },
      'email',
      'email: the password grant needs an e-mail; it is empty',
    ],
    [
      { grant: 'refresh', email, password },
      'refresh-token',
      'refresh-token: the refresh grant needs a refresh token; it is empty (secrets are not passed to workflows triggered from forks or by Dependabot)',
    ],
    [{ grant: 'plain', password }, 'email', 'email: the plain grant needs an e-mail; it is empty'],
  ] as const)('rejects %j', (inputs, option, message) => {
    const error = optionError(() => chooseGrant(inputs));
    expect(error.option).toBe(option);
    expect(error.message).toBe(message);
  });
});

describe('parseMethod', () => {
  it.each([
    [undefined, 'GET'],
    ['', 'GET'],
    ['post', 'POST'],
    [' delete ', 'DELETE'],
    ['PATCH', 'PATCH'],
  ])('parses %j as %s', (input, expected) => {
    expect(parseMethod(input)).toBe(expected);
  });

  it.each(['CONNECT', 'TRACE', 'G ET', 'FETCH'])('rejects %j', (input) => {
    expect(optionError(() => parseMethod(input)).message).toBe(
      `method: expected one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, received "${input}"`,
    );
  });
});

describe('resolveRequestUrl', () => {
  const base = parseApiUrl('https://rips.example.com/rips-api');
  const root = parseApiUrl('https://rips.example.com');

  it.each([
    [base, '/applications', 'https://rips.example.com/rips-api/applications'],
    [base, 'applications', 'https://rips.example.com/rips-api/applications'],
    [base, '/applications?limit=5', 'https://rips.example.com/rips-api/applications?limit=5'],
    [root, '/status', 'https://rips.example.com/status'],
    [
      base,
      'https://rips.example.com/rips-api/applications/3',
      'https://rips.example.com/rips-api/applications/3',
    ],
  ])('resolves %s + %j', (apiUrl, path, href) => {
    expect(resolveRequestUrl(apiUrl, path).href).toBe(href);
  });

  it('appends query parameters, repeating arrays', () => {
    const url = resolveRequestUrl(base, '/applications?a=1', {
      limit: 5,
      tag: ['x', 'y'],
      on: true,
    });
    expect(url.search).toBe('?a=1&limit=5&tag=x&tag=y&on=true');
  });

  it('accepts URLSearchParams', () => {
    const url = resolveRequestUrl(base, '/a', new URLSearchParams({ select: '["user"]' }));
    expect(url.searchParams.get('select')).toBe('["user"]');
  });

  it.each([
    'https://evil.example.com/rips-api/applications',
    'http://rips.example.com/rips-api/applications',
    'https://rips.example.com:8443/rips-api/x',
    '//evil.example.com/x',
    'https://rips.example.com/other',
  ])('rejects the URL %s', (path) => {
    const error = optionError(() => resolveRequestUrl(base, path));
    expect(error.option).toBe('path');
    expect(error.message).toMatch(
      /^path: expected a path such as \/applications, or a URL under https:\/\/rips\.example\.com\/rips-api; received a URL of /,
    );
  });

  it.each([
    ['', 'path: the path is empty; expected a path such as /applications'],
    [' \t ', 'path: the path is empty; expected a path such as /applications'],
    [
      '/oauth/v2/clients#\n::stop-commands::x',
      'path: the path contains a line break or another control character; percent-encode it, ' +
        'for example a line feed as %0A',
    ],
    [
      '/applications\r',
      'path: the path contains a line break or another control character; percent-encode it, ' +
        'for example a line feed as %0A',
    ],
    [
      '/a\u001b[2Jb',
      'path: the path contains a line break or another control character; percent-encode it, ' +
        'for example a line feed as %0A',
    ],
    [
      '/a\u2028b',
      'path: the path contains a line break or another control character; percent-encode it, ' +
        'for example a line feed as %0A',
    ],
    [
      '/my applications',
      'path: the path contains whitespace; percent-encode it, for example a space as %20',
    ],
    [
      '/applications#part',
      'path: the path contains a fragment (#), which is never sent to the API; remove it, or ' +
        'write %23 for a literal #',
    ],
    [
      'https://rips.example.com/rips-api/a#b',
      'path: the path contains a fragment (#), which is never sent to the API; remove it, or ' +
        'write %23 for a literal #',
    ],
  ])('rejects the path %j', (path, message) => {
    const error = optionError(() => resolveRequestUrl(base, path));
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.option).toBe('path');
    expect(error.message).toBe(message);
  });

  it('names the given option in a path error', () => {
    const error = optionError(() => resolveRequestUrl(base, '/a#b', {}, '--path'));
    expect(error.option).toBe('--path');
  });

  it('keeps an encoded # and space', () => {
    expect(resolveRequestUrl(base, '/a%23b%20c').href).toBe(
      'https://rips.example.com/rips-api/a%23b%20c',
    );
  });

  it.each(['/../admin', '/a/./b', '/a/%2e%2e/b', '/a/..'])('rejects dot segments in %s', (path) => {
    expect(optionError(() => resolveRequestUrl(base, path)).message).toBe(
      'path: the path must not contain "." or ".." segments',
    );
  });
});

describe('validateHeaders', () => {
  it('lower-cases names and keeps values', () => {
    expect(validateHeaders({ 'X-Request-Id': 'abc', Accept: 'text/plain' })).toEqual({
      'x-request-id': 'abc',
      accept: 'text/plain',
    });
  });

  it.each([
    'Authorization',
    'authorization',
    'X-API-Email',
    'X-Api-Password',
    'X-API-Email-Enc',
    'X-API-Password-Enc',
    'X-API-Username',
    'X-API-MFA',
    'Cookie',
    'Proxy-Authorization',
  ])('rejects the credential header %s', (name) => {
    const error = optionError(() => validateHeaders({ [name]: 'value' }));
    expect(error.option).toBe('headers');
    expect(error.message).toBe(
      `headers: ${name} carries credentials and is set by the authentication inputs; remove it`,
    );
  });

  it.each(['Host', 'Content-Length', 'Transfer-Encoding', 'Connection'])(
    'rejects the transport header %s',
    (name) => {
      expect(optionError(() => validateHeaders({ [name]: '1' })).message).toBe(
        `headers: ${name} is set by the HTTP client; remove it`,
      );
    },
  );

  it('rejects an invalid name', () => {
    expect(optionError(() => validateHeaders({ 'Bad Name': 'x' })).message).toBe(
      'headers: "Bad Name" is not a valid header name',
    );
  });

  it('rejects a value with a line break', () => {
    expect(optionError(() => validateHeaders({ 'X-A': 'a\r\nX-B: b' })).message).toBe(
      'headers: the value of X-A contains a line break or NUL',
    );
  });
});

describe('parseHeaderLines', () => {
  it('parses lines and skips blanks', () => {
    expect(parseHeaderLines('X-One: 1\r\n\nX-Two:two words \n')).toEqual({
      'x-one': '1',
      'x-two': 'two words',
    });
  });

  it('rejects a line without a colon without quoting it', () => {
    const error = optionError(() => parseHeaderLines('X-One: 1\nBearer hunter2'));
    expect(error.message).toBe('headers: line 2 is not of the form "Name: value"');
  });

  it('rejects credential headers', () => {
    expect(optionError(() => parseHeaderLines('Authorization: Bearer x')).message).toBe(
      'headers: Authorization carries credentials and is set by the authentication inputs; remove it',
    );
  });
});

describe('input names', () => {
  it('default to the action input names', () => {
    expect(resolveInputNames()).toEqual(ACTION_INPUT_NAMES);
    expect(ACTION_INPUT_NAMES).toEqual({
      apiUrl: 'api-url',
      allowInsecureHttp: 'allow-insecure-http',
      email: 'email',
      password: 'password',
      grant: 'grant',
      clientId: 'client-id',
      clientName: 'client-name',
      refreshToken: 'refresh-token',
      accessToken: 'access-token',
      totpSecret: 'totp-secret',
      mfaToken: 'mfa-token',
      path: 'path',
    });
  });

  it('keep given names and ignore blank ones', () => {
    const names = resolveInputNames({ clientName: '--client-name', email: ' ' });
    expect(names.clientName).toBe('--client-name');
    expect(names.email).toBe('email');
  });

  it.each([
    ['allow-insecure-http', 'use https:// or set allow-insecure-http'],
    ['--allow-insecure-http', 'use https:// or pass --allow-insecure-http'],
    ['RIPS_ALLOW_INSECURE_HTTP', 'use https:// or set RIPS_ALLOW_INSECURE_HTTP'],
  ])('name %s in the plain http hint', (name, hint) => {
    const error = optionError(() =>
      parseApiUrl('http://rips.example.com', { inputNames: { allowInsecureHttp: name } }),
    );
    expect(error.option).toBe('api-url');
    expect(error.message).toBe(
      `api-url: plain http:// sends credentials unencrypted to rips.example.com; ${hint}`,
    );
  });

  it("name the caller's inputs in chooseGrant", () => {
    const names = { email: '--email', password: 'RIPS_PASSWORD', grant: '--grant' };
    const password = optionError(() =>
      chooseGrant({ grant: 'password', email: 'a@example.com', inputNames: names }),
    );
    expect(password.option).toBe('RIPS_PASSWORD');
    expect(password.message).toBe(
      'RIPS_PASSWORD: the password grant needs a password; it is empty (secrets are not passed to workflows triggered from forks or by Dependabot)',
    );
    const auto = optionError(() => chooseGrant({ grant: 'auto', inputNames: names }));
    expect(auto.message).toMatch(/^--grant: auto needs a refresh token/);
  });
});
