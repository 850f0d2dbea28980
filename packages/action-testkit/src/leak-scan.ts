import type { ActionRun, OutputLine } from './run-action.js';
import { parseWorkflowCommand, splitLines } from './workflow-commands.js';

/** A secret to scan for: a bare value, labelled by its position, or a value with a label. */
export type Secret = string | { readonly label: string; readonly value: string };

/** Derivation of a form from the secret. */
export type SecretFormKind =
  | 'raw'
  | 'line'
  | 'base64'
  | 'base64url'
  | 'uri-component'
  | 'form-urlencoded'
  | 'json-escaped'
  | 'bearer';

/** One encoding or part of a secret that must not leak. */
export interface SecretForm {
  readonly kind: SecretFormKind;
  /** Kind plus the detail that distinguishes forms of one kind, for example `line 2`. */
  readonly description: string;
  readonly value: string;
}

/** Reason an occurrence counts as a leak. */
export type LeakKind =
  /** On a stdout or stderr line, and no `::add-mask::` line registers this form. */
  | 'never-masked'
  /** On a stdout or stderr line before the `::add-mask::` line that registers this form. */
  | 'before-mask'
  /**
   * On a stdout or stderr line after its `::add-mask::` line. The runner would
   * hide it, but the action still wrote a secret to its log.
   */
  | 'after-mask'
  /** In the step summary or a written file, where no form may appear at all. */
  | 'in-artifact';

/** One place where a form of a secret appears; it never contains the secret's value. */
export interface LeakFinding {
  /** The secret's label. */
  readonly secret: string;
  /** The form's description, for example `base64` or `line 2`. */
  readonly form: string;
  /** `stdout`, `stderr`, `summary`, or the path of a written file. */
  readonly where: string;
  /** 1-based line number of the occurrence. */
  readonly line: number;
  readonly kind: LeakKind;
}

/** The parts of a run that {@link scanForLeaks} reads. */
export type LeakScanInput = Pick<ActionRun, 'stdout' | 'stderr' | 'summary' | 'writtenFiles'> &
  Partial<Pick<ActionRun, 'log'>>;

// Derived forms shorter than this match too much unrelated text; the raw value is always checked.
const MIN_DERIVED_FORM_LENGTH = 6;

/**
 * Derives every form of a secret that the leak scan looks for: the raw
 * value, each line of a multi-line value, base64, base64url without
 * padding, `encodeURIComponent`, form encoding (space as `+`), the
 * JSON-escaped text without quotes, and `Bearer <value>`. Duplicates and
 * derived forms shorter than 6 characters are dropped.
 *
 * @throws TypeError when the value is empty, because an empty secret matches everywhere
 *
 * @example
 * ```ts
 * deriveSecretForms('a b/c+d').map((form) => form.description);
 * // ['raw', 'base64', 'base64url', 'uri-component', 'form-urlencoded', 'bearer']
 * ```
 */
export function deriveSecretForms(value: string): SecretForm[] {
  if (value === '') {
    throw new TypeError('deriveSecretForms: the secret value is empty; pass a non-empty value.');
  }
  const bytes = Buffer.from(value, 'utf8');
  const candidates: SecretForm[] = [{ kind: 'raw', description: 'raw', value }];
  const lines = value.split(/\r\n|\r|\n/);
  if (lines.length > 1) {
    lines.forEach((line, index) => {
      candidates.push({ kind: 'line', description: `line ${index + 1}`, value: line });
    });
  }
  candidates.push(
    { kind: 'base64', description: 'base64', value: bytes.toString('base64') },
    { kind: 'base64url', description: 'base64url', value: bytes.toString('base64url') },
    { kind: 'uri-component', description: 'uri-component', value: encodeURIComponent(value) },
    {
      kind: 'form-urlencoded',
      description: 'form-urlencoded',
      value: new URLSearchParams({ v: value }).toString().slice('v='.length),
    },
    {
      kind: 'json-escaped',
      description: 'json-escaped',
      value: JSON.stringify(value).slice(1, -1),
    },
    { kind: 'bearer', description: 'bearer', value: `Bearer ${value}` },
  );
  const seen = new Set<string>();
  return candidates.filter((form) => {
    if (seen.has(form.value)) {
      return false;
    }
    seen.add(form.value);
    return form.kind === 'raw' || form.value.trim().length >= MIN_DERIVED_FORM_LENGTH;
  });
}

/**
 * Scans a run for every form of each secret (see {@link deriveSecretForms}).
 *
 * In stdout and stderr a form may appear only on `::add-mask::` lines,
 * because the runner consumes those as commands. The line that registers
 * the form itself, as the whole value or one of its lines, must come before
 * any other line that contains it. In the step summary and in written
 * files no form may appear at all. `GITHUB_OUTPUT`, `GITHUB_ENV` and
 * `GITHUB_STATE` are not scanned because they carry credentials by design.
 *
 * Stdout and stderr are ordered by {@link ActionRun.log}, the order in
 * which their chunks arrived.
 *
 * @returns findings in the order of the secrets, then forms, then places
 *
 * @example
 * ```ts
 * const findings = scanForLeaks(run, [{ label: 'password', value: password }]);
 * expect(findings).toEqual([]);
 * ```
 */
export function scanForLeaks(run: LeakScanInput, secrets: readonly Secret[]): LeakFinding[] {
  const log = run.log ?? buildLog(run.stdout, run.stderr);
  const findings: LeakFinding[] = [];
  secrets.forEach((secret, index) => {
    const { label, value } =
      typeof secret === 'string' ? { label: `secret ${index + 1}`, value: secret } : secret;
    for (const form of deriveSecretForms(value)) {
      const report = (where: string, line: number, kind: LeakKind): void => {
        findings.push({ secret: label, form: form.description, where, line, kind });
      };
      scanLog(log, form.value, report);
      scanArtifact('summary', run.summary, form.value, report);
      for (const file of run.writtenFiles) {
        scanArtifact(file.path, file.content, form.value, report);
      }
    }
  });
  return findings;
}

type Reporter = (where: string, line: number, kind: LeakKind) => void;

function scanLog(log: readonly OutputLine[], form: string, report: Reporter): void {
  const maskIndex = log.findIndex((entry) => registersMask(entry.text, form));
  const multiLine = /[\r\n]/.test(form);
  if (multiLine) {
    // A value with line breaks spans lines, so search each stream as one text.
    for (const stream of ['stdout', 'stderr'] as const) {
      const entries = log.filter((entry) => entry.stream === stream);
      const text = entries.map((entry) => entry.text).join('\n');
      // Log lines lose the CR of a CRLF but keep a lone CR, so search for both spellings.
      const spellings = new Set([form, form.replace(/\r\n/g, '\n')]);
      const lines = new Set([...spellings].flatMap((spelling) => occurrenceLines(text, spelling)));
      for (const line of [...lines].sort((a, b) => a - b)) {
        const entry = entries[line - 1];
        if (entry !== undefined && !isMaskCommand(entry.text)) {
          report(stream, line, classify(log.indexOf(entry), maskIndex));
        }
      }
    }
    return;
  }
  log.forEach((entry, index) => {
    if (entry.text.includes(form) && !isMaskCommand(entry.text)) {
      report(entry.stream, entry.line, classify(index, maskIndex));
    }
  });
}

function classify(index: number, maskIndex: number): LeakKind {
  if (maskIndex < 0) {
    return 'never-masked';
  }
  return index < maskIndex ? 'before-mask' : 'after-mask';
}

function scanArtifact(where: string, content: string, form: string, report: Reporter): void {
  for (const line of occurrenceLines(content, form)) {
    report(where, line, 'in-artifact');
  }
}

/** Returns the distinct 1-based line numbers where `form` starts in `text`. */
function occurrenceLines(text: string, form: string): number[] {
  const lines = new Set<number>();
  let from = text.indexOf(form);
  while (from >= 0) {
    lines.add(countLineBreaks(text, from) + 1);
    from = text.indexOf(form, from + 1);
  }
  return [...lines];
}

function countLineBreaks(text: string, end: number): number {
  let count = 0;
  for (
    let index = text.indexOf('\n');
    index >= 0 && index < end;
    index = text.indexOf('\n', index + 1)
  ) {
    count += 1;
  }
  return count;
}

function isMaskCommand(text: string): boolean {
  return parseWorkflowCommand(text, 0)?.name === 'add-mask';
}

/** Tests whether a line registers `form` itself, as the whole mask value or one of its lines. */
function registersMask(text: string, form: string): boolean {
  const command = parseWorkflowCommand(text, 0);
  if (command?.name !== 'add-mask') {
    return false;
  }
  return command.message === form || command.message.split(/\r\n|\r|\n/).includes(form);
}

function buildLog(stdout: string, stderr: string): OutputLine[] {
  const toEntries = (stream: OutputLine['stream'], text: string): OutputLine[] =>
    splitLines(text).map((line, index) => ({ stream, line: index + 1, text: line }));
  return [...toEntries('stdout', stdout), ...toEntries('stderr', stderr)];
}

const KIND_EXPLANATIONS: Readonly<Record<LeakKind, string>> = {
  'never-masked': 'no ::add-mask:: line registers this form',
  'before-mask': 'printed before the ::add-mask:: line that registers this form',
  'after-mask':
    'printed outside an ::add-mask:: line (the runner would hide it, but it was written)',
  'in-artifact': 'no form of a secret may appear here',
};

/** Raised by {@link expectNoLeaks}; the message and findings name secrets by label only. */
export class SecretLeakError extends Error {
  override readonly name = 'SecretLeakError';

  constructor(readonly findings: readonly LeakFinding[]) {
    super(formatLeakReport(findings));
  }
}

/** Formats findings as a readable report, one line each, without any secret value. */
export function formatLeakReport(findings: readonly LeakFinding[]): string {
  const lines = findings.map(
    (finding) =>
      `- ${finding.secret} (${finding.form}) in ${finding.where} line ${finding.line}: ` +
      KIND_EXPLANATIONS[finding.kind],
  );
  const count = findings.length === 1 ? '1 secret leak' : `${findings.length} secret leaks`;
  return [`${count} found:`, ...lines].join('\n');
}

/**
 * Asserts that a run leaks no form of any secret (see {@link scanForLeaks}).
 *
 * @throws SecretLeakError listing every finding by label, form and place
 *
 * @example
 * ```ts
 * expectNoLeaks(run, [
 *   { label: 'password', value: password },
 *   { label: 'access-token', value: accessToken },
 * ]);
 * ```
 */
export function expectNoLeaks(run: LeakScanInput, secrets: readonly Secret[]): void {
  const findings = scanForLeaks(run, secrets);
  if (findings.length > 0) {
    throw new SecretLeakError(findings);
  }
}
