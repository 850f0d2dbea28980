import { InvalidOptionError, validateHeaders, type QueryParams } from '@rips-actions/auth-core';

import { INPUTS } from './names.js';

/** Response fields whose string values are always masked, at any depth. */
export const DEFAULT_MASKED_FIELDS = [
  'access_token',
  'refresh_token',
  'token',
  'secret',
  'password',
  'plainPassword',
] as const;

/** Default and largest accepted value of `max-pages`. */
export const DEFAULT_MAX_PAGES = 100;
export const MAX_PAGES_LIMIT = 10_000;

/** Statuses that count as success: exact codes and classes such as 2 for `2xx`. */
export interface ExpectedStatus {
  codes: readonly number[];
  classes: readonly number[];
}

/** Describes a JSON parse failure by position only, because the text may contain a credential. */
export function jsonError(option: string, error: unknown, expected: string): InvalidOptionError {
  const detail = error instanceof Error ? /position \d+/.exec(error.message)?.[0] : undefined;
  const where = detail === undefined ? '' : ` at ${detail}`;
  return new InvalidOptionError(
    option,
    `invalid JSON${where}; expected ${expected} (the text is not shown because it may contain a credential)`,
    { cause: error },
  );
}

function parseJsonObject(option: string, text: string, expected: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error: unknown) {
    throw jsonError(option, error, expected);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    let kind: string = typeof value;
    if (Array.isArray(value)) {
      kind = 'an array';
    } else if (value === null) {
      kind = 'null';
    }
    throw new InvalidOptionError(option, `expected ${expected}, received ${kind}`);
  }
  return value as Record<string, unknown>;
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** Parses the `query` input: a JSON object of names to scalars or arrays of scalars. */
export function parseQuery(text: string): QueryParams {
  if (text.trim() === '') {
    return {};
  }
  const expected = 'a JSON object such as {"limit": 10}';
  const query: QueryParams = {};
  for (const [name, value] of Object.entries(parseJsonObject(INPUTS.query, text, expected))) {
    if (isScalar(value) || (Array.isArray(value) && value.every(isScalar))) {
      query[name] = value;
    } else {
      throw new InvalidOptionError(
        INPUTS.query,
        `the value of "${name}" must be a string, number, boolean or an array of them`,
      );
    }
  }
  return query;
}

/** Parses the `headers` input: a JSON object of header names to strings, without credentials. */
export function parseHeaders(text: string): Record<string, string> {
  if (text.trim() === '') {
    return {};
  }
  const expected = 'a JSON object such as {"X-Request-Id": "ci-42"}';
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(parseJsonObject(INPUTS.headers, text, expected))) {
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new InvalidOptionError(INPUTS.headers, `the value of "${name}" must be a string`);
    }
    headers[name] = String(value);
  }
  return validateHeaders(headers, INPUTS.headers);
}

/**
 * Parses `expected-status`: codes such as 200 or 404 and classes such as 2xx, separated by
 * commas, spaces or line breaks. An empty value means any 2xx status.
 */
export function parseExpectedStatus(text: string): ExpectedStatus {
  const items = text.split(/[\s,]+/).filter((item) => item !== '');
  if (items.length === 0) {
    return { codes: [], classes: [2] };
  }
  const codes: number[] = [];
  const classes: number[] = [];
  for (const item of items) {
    if (/^[1-5]xx$/i.test(item)) {
      classes.push(Number(item[0]));
    } else if (/^[1-5]\d\d$/.test(item)) {
      codes.push(Number(item));
    } else {
      throw new InvalidOptionError(
        INPUTS.expectedStatus,
        `expected HTTP statuses such as 200,404 or 2xx, received "${item.slice(0, 20)}"`,
      );
    }
  }
  return { codes, classes };
}

/** Parses `max-pages`: a whole number from 1 to {@link MAX_PAGES_LIMIT}. */
export function parseMaxPages(text: string): number {
  const trimmed = text.trim();
  if (trimmed === '') {
    return DEFAULT_MAX_PAGES;
  }
  const pages = /^\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!(pages >= 1 && pages <= MAX_PAGES_LIMIT)) {
    throw new InvalidOptionError(
      INPUTS.maxPages,
      `expected a whole number from 1 to ${MAX_PAGES_LIMIT}, received "${trimmed.slice(0, 20)}"`,
    );
  }
  return pages;
}

/** Parses `mask-json-fields` (commas or line breaks) and adds the default fields. */
export function parseMaskedFields(lines: string[]): ReadonlySet<string> {
  const extra = lines.flatMap((line) => line.split(','));
  const fields = [...DEFAULT_MASKED_FIELDS, ...extra]
    .map((field) => field.trim().toLowerCase())
    .filter((field) => field !== '');
  return new Set(fields);
}
