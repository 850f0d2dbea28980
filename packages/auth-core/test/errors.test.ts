import { describe, expect, it } from 'vitest';

import {
  AbortedError,
  ClientNotFoundError,
  HttpError,
  InvalidCredentialsError,
  InvalidOptionError,
  MfaCodeRejectedError,
  MfaRateLimitedError,
  MfaRequiredError,
  NetworkError,
  RefreshRejectedError,
  ResponseNotJsonError,
  ResponseTooLargeError,
  RipsAuthError,
  TimeoutError,
  TokenExpiredError,
  TokenRevokedError,
  USER_AGENT,
  VERSION,
} from '../src/index.js';
import packageJson from '../package.json' with { type: 'json' };

describe('error classes', () => {
  const context = { method: 'GET', path: '/status', status: 401 };
  it.each([
    [new InvalidCredentialsError('m', context), 'InvalidCredentialsError', 'INVALID_CREDENTIALS'],
    [new TokenExpiredError('m', context), 'TokenExpiredError', 'TOKEN_EXPIRED'],
    [new TokenRevokedError('m', context), 'TokenRevokedError', 'TOKEN_REVOKED'],
    [new RefreshRejectedError('m', context), 'RefreshRejectedError', 'REFRESH_REJECTED'],
    [new MfaRequiredError('m', context), 'MfaRequiredError', 'MFA_REQUIRED'],
    [
      new MfaCodeRejectedError('m', 'Invalid code', context),
      'MfaCodeRejectedError',
      'MFA_CODE_REJECTED',
    ],
    [new MfaRateLimitedError('m', 12, context), 'MfaRateLimitedError', 'MFA_RATE_LIMITED'],
    [new HttpError('m', {}, context), 'HttpError', 'HTTP_ERROR'],
    [
      new NetworkError('m', { mayHaveReachedServer: false }, context),
      'NetworkError',
      'NETWORK_ERROR',
    ],
    [new TimeoutError('m', 5, context), 'TimeoutError', 'TIMEOUT'],
    [new AbortedError('m', context), 'AbortedError', 'ABORTED'],
    [new ResponseNotJsonError('m', '<html>', context), 'ResponseNotJsonError', 'RESPONSE_NOT_JSON'],
    [new ResponseTooLargeError('m', 10, context), 'ResponseTooLargeError', 'RESPONSE_TOO_LARGE'],
  ] as const)('%s has its name, code and context', (error, name, code) => {
    expect(error).toBeInstanceOf(RipsAuthError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe(name);
    expect(error.code).toBe(code);
    expect(error.method).toBe('GET');
    expect(error.path).toBe('/status');
    expect(error.status).toBe(401);
  });

  it('forwards the cause', () => {
    const cause = new Error('socket hang up');
    expect(new NetworkError('m', { mayHaveReachedServer: true }, { cause }).cause).toBe(cause);
  });

  it('prefixes an invalid option with its name', () => {
    const error = new InvalidOptionError('api-url', 'the API base URL is missing');
    expect(error.message).toBe('api-url: the API base URL is missing');
    expect(error.option).toBe('api-url');
  });

  it('lists the offered client names', () => {
    const error = new ClientNotFoundError('deploy', ['ci', 'ui-client']);
    expect(error.message).toBe(
      'client-name: no OAuth client named "deploy"; the API offers: ci, ui-client',
    );
    expect(error.offeredNames).toEqual(['ci', 'ui-client']);
    expect(new ClientNotFoundError('ci', []).message).toBe(
      'client-name: no OAuth client named "ci"; the API offers: (none)',
    );
  });
});

describe('VERSION', () => {
  it('matches package.json', () => {
    expect(VERSION).toBe(packageJson.version);
    expect(USER_AGENT).toBe(`rips-actions-auth-core/${packageJson.version}`);
  });
});
