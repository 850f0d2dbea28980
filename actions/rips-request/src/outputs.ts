import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { STATUS_CODES } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import * as core from '@actions/core';
import { HttpError, type Session, type TokenSet } from '@rips-actions/auth-core';

import type { ActionConfig } from './inputs.js';
import { ENV } from './names.js';
import type { ExpectedStatus } from './parsers.js';
import { maskJsonFields, type Masker } from './mask.js';
import { pathWithoutQuery, type RequestOutcome } from './request.js';

/** Names of the action's outputs, as declared in action.yml. */
export const OUTPUTS = {
  status: 'status',
  body: 'body',
  headers: 'headers',
  outputFile: 'output-file',
  pages: 'pages',
  refreshed: 'refreshed',
  accessToken: 'access-token',
  refreshToken: 'refresh-token',
} as const;

/** Largest body passed as the `body` output: 1 MiB. Larger bodies go to a file. */
export const MAX_BODY_OUTPUT_BYTES = 1024 * 1024;

/**
 * Response headers that carry credentials and never reach the `headers` output. Flags such as
 * `X-API-MFA-Required` and `X-API-Pagination-More` carry none and are kept.
 */
const CREDENTIAL_HEADER =
  /^(authorization|proxy-authorization|cookie|set-cookie|x-api-(email|username|password|mfa|token|secret)(-enc|-token)?)$/;

/** Everything the action sets after a request, computed before anything is set. */
export interface PreparedOutputs {
  status: number;
  /** The body, or an empty string when it went to a file because it is over 1 MiB. */
  body: string;
  headers: string;
  outputFile: string | undefined;
  pages: number;
  /** The renewed tokens, when the session had to refresh or sign in again. */
  tokens: TokenSet | undefined;
  /** `RIPS_*` variables to export again, because the tokens they held were spent. */
  exports: Record<string, string>;
  warning: string | undefined;
  summary: string;
}

/** Returns the response headers without those that carry credentials. */
export function filterHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => !CREDENTIAL_HEADER.test(name.toLowerCase())),
  );
}

function describeExpected(expected: ExpectedStatus): string {
  return [...expected.codes.map(String), ...expected.classes.map((value) => `${value}xx`)].join(
    ',',
  );
}

function describeStatus(status: number): string {
  const reason = STATUS_CODES[status];
  return reason === undefined ? `status ${status}` : `status ${status} (${reason})`;
}

/** Returns the `RIPS_*` variables to export when renewed tokens replace exported ones. */
export function tokenExports(session: Session, config: ActionConfig): Record<string, string> {
  const tokens = session.tokens;
  if (!config.tokensFromEnv || !session.refreshed || tokens === undefined) {
    return {};
  }
  const exports: Record<string, string> = { [ENV.accessToken]: tokens.accessToken };
  if (tokens.refreshToken !== undefined) {
    exports[ENV.refreshToken] = tokens.refreshToken;
  }
  if (tokens.expiresAt !== undefined) {
    exports[ENV.expiresAt] = tokens.expiresAt.toISOString();
  }
  return exports;
}

/** Writes a body to a file readable only by the runner's user and returns its path. */
async function writeBodyFile(config: ActionConfig, text: string, isJson: boolean): Promise<string> {
  const directory = process.env['RUNNER_TEMP'] || tmpdir();
  const path =
    config.outputFile ?? join(directory, `rips-request-${randomUUID()}.${isJson ? 'json' : 'txt'}`);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text, { mode: 0o600 });
  return path;
}

/**
 * Computes the outputs of a request: checks the status, masks the credential fields of the
 * body, and writes the body to a file when `output-file` is set or the body is over 1 MiB.
 * Raises {@link HttpError} for an unexpected status when `fail-on-error` is true, before
 * anything is written.
 */
export async function prepareOutputs(
  outcome: RequestOutcome,
  config: ActionConfig,
  session: Session,
  mask: Masker,
): Promise<PreparedOutputs> {
  const { method } = config.request;
  const path = pathWithoutQuery(config);
  const expected = describeExpected(config.expectedStatus);
  let warning: string | undefined;
  if (!outcome.expected) {
    const what = `${method} ${path} returned ${describeStatus(outcome.status)}`;
    if (config.failOnError) {
      throw new HttpError(
        `${what}; expected-status is ${expected} (set fail-on-error to false to continue with the outputs)`,
        {},
        { method, path, status: outcome.status },
      );
    }
    warning = `${what}, which is not in expected-status (${expected}); the outputs are set because fail-on-error is false`;
  }

  // Masking comes before the body reaches an output, a file or the log.
  maskJsonFields(outcome.json, config.maskedFields, mask);

  const tooLarge = Buffer.byteLength(outcome.text, 'utf8') > MAX_BODY_OUTPUT_BYTES;
  let outputFile: string | undefined;
  if (config.outputFile !== undefined || tooLarge) {
    outputFile = await writeBodyFile(config, outcome.text, outcome.json !== undefined);
    core.info(`Wrote the response body to ${outputFile}`);
  }
  return {
    status: outcome.status,
    body: tooLarge ? '' : outcome.text,
    headers: JSON.stringify(filterHeaders(outcome.headers)),
    outputFile,
    pages: outcome.pages,
    tokens: session.refreshed ? session.tokens : undefined,
    exports: tokenExports(session, config),
    warning,
    summary: summaryLine(outcome, config),
  };
}

/**
 * Returns the job summary line of a request: method, path without its query string, status,
 * duration and page count, never a credential or the body. `failed` marks a step that failed
 * after the response arrived, such as on a status outside `expected-status`.
 */
export function summaryLine(outcome: RequestOutcome, config: ActionConfig, failed = false): string {
  const path = pathWithoutQuery(config);
  const pages = outcome.pages === 1 ? '1 page' : `${outcome.pages} pages`;
  const line = `rips-request: \`${config.request.method} ${path}\` returned ${outcome.status} in ${outcome.durationMs} ms, ${pages}`;
  return failed ? `${line}; the step failed` : line;
}

/** Exports renewed tokens to the `RIPS_*` variables they replace. */
export function exportTokens(exports: Record<string, string>): void {
  for (const [name, value] of Object.entries(exports)) {
    core.exportVariable(name, value);
  }
}

/** Sets the outputs, exports and job summary computed by {@link prepareOutputs}. */
export async function publishOutputs(prepared: PreparedOutputs): Promise<void> {
  core.setOutput(OUTPUTS.status, String(prepared.status));
  core.setOutput(OUTPUTS.body, prepared.body);
  core.setOutput(OUTPUTS.headers, prepared.headers);
  if (prepared.outputFile !== undefined) {
    core.setOutput(OUTPUTS.outputFile, prepared.outputFile);
  }
  core.setOutput(OUTPUTS.pages, String(prepared.pages));
  core.setOutput(OUTPUTS.refreshed, String(prepared.tokens !== undefined));
  if (prepared.tokens !== undefined) {
    core.setOutput(OUTPUTS.accessToken, prepared.tokens.accessToken);
    if (prepared.tokens.refreshToken !== undefined) {
      core.setOutput(OUTPUTS.refreshToken, prepared.tokens.refreshToken);
    }
  }
  exportTokens(prepared.exports);
  if (prepared.warning !== undefined) {
    core.warning(prepared.warning);
  }
  await writeSummary(prepared.summary);
}

/**
 * Appends a line to the job summary. A summary that cannot be written only warns, because the
 * request itself has already been sent.
 */
export async function writeSummary(line: string): Promise<void> {
  // The runner always sets GITHUB_STEP_SUMMARY; a local run without it has no summary.
  if (!process.env['GITHUB_STEP_SUMMARY']) {
    return;
  }
  try {
    await core.summary.addRaw(line, true).write();
  } catch (error: unknown) {
    core.warning(`The job summary was not written: ${(error as Error).message}`);
  }
}
