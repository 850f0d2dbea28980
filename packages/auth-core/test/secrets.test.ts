import { describe, expect, it } from 'vitest';

import { plainAuthHeaders, secretForms } from '../src/index.js';
import { createSecretReporter, reportSecret } from '../src/secrets.js';

describe('secretForms', () => {
  it('lists the raw, base64, base64url, URL-encoded and JSON-escaped forms', () => {
    expect(secretForms('a+b/c?"d')).toEqual([
      'a+b/c?"d',
      'YStiL2M/ImQ=',
      'YStiL2M_ImQ',
      'a%2Bb%2Fc%3F%22d',
      'a+b/c?\\"d',
    ]);
  });

  it('lists each line of a multi-line value', () => {
    const forms = secretForms('line one\r\nline two\n');
    expect(forms.slice(0, 3)).toEqual(['line one\r\nline two\n', 'line one', 'line two']);
    expect(forms).toContain('line one\\r\\nline two\\n');
  });

  it('returns nothing for a blank value', () => {
    expect(secretForms('')).toEqual([]);
    expect(secretForms(' \n ')).toEqual([]);
  });

  it('removes duplicate forms', () => {
    expect(secretForms('abc')).toEqual(['abc', 'YWJj']);
  });
});

describe('reportSecret', () => {
  it('reports the value, then each non-blank line', () => {
    const seen: string[] = [];
    reportSecret((value) => seen.push(value), 'one\r\n\ntwo\n');
    expect(seen).toEqual(['one\r\n\ntwo\n', 'one', 'two']);
  });

  it('skips undefined and blank values', () => {
    const seen: string[] = [];
    reportSecret((value) => seen.push(value), undefined);
    reportSecret((value) => seen.push(value), '  ');
    expect(seen).toEqual([]);
  });
});

describe('createSecretReporter', () => {
  it('reports each distinct form once', () => {
    const seen: string[] = [];
    const report = createSecretReporter((value) => seen.push(value));
    report('pw\n');
    report('pw');
    report('other');
    expect(seen).toEqual(['pw\n', 'pw', 'other']);
  });
});

describe('plainAuthHeaders', () => {
  it('sends both pairs for printable ASCII', () => {
    expect(plainAuthHeaders('demo@example.com', 'demo password')).toEqual({
      'x-api-email-enc': 'ZGVtb0BleGFtcGxlLmNvbQ==',
      'x-api-password-enc': 'ZGVtbyBwYXNzd29yZA==',
      'x-api-email': 'demo@example.com',
      'x-api-password': 'demo password',
    });
  });

  it.each([
    ['jürgen@example.com', 'pw'],
    ['a@example.com', 'pässwörd'],
    ['a@example.com', 'tab\there'],
  ])('sends only the -Enc pair for %s / %j', (email, password) => {
    const headers = plainAuthHeaders(email, password);
    expect(Object.keys(headers)).toEqual(['x-api-email-enc', 'x-api-password-enc']);
    expect(Buffer.from(headers['x-api-password-enc'] ?? '', 'base64').toString('utf8')).toBe(
      password,
    );
  });
});
