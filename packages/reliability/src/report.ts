import { cpus, totalmem } from 'node:os';

import { countVerdicts, renderMatrix, type MatrixRow } from './matrix.js';
import { isComplete, type SectionResult } from './results.js';

/** The sections the report needs, in the order it shows them. */
export interface ReportLayout {
  /** Ids of the matrix sections whose rows form the one fault table. */
  matrix: readonly string[];
  /** Ids of the note sections shown after the table. */
  notes: readonly string[];
}

/** Sections that keep a report from being written: ids of missing and of partial sections. */
export interface MissingSections {
  missing: string[];
  partial: string[];
}

/** Lists the sections of the layout that are absent or partial. Two empty lists mean ready. */
export function checkSections(
  layout: ReportLayout,
  sections: ReadonlyMap<string, SectionResult>,
): MissingSections {
  const missing: string[] = [];
  const partial: string[] = [];
  for (const id of [...layout.matrix, ...layout.notes]) {
    const section = sections.get(id);
    if (section === undefined) missing.push(id);
    else if (!isComplete(section)) partial.push(id);
  }
  return { missing, partial };
}

/** Orders rows by fault, in the order the faults first appear, then by target as given. */
function groupByFault(rows: readonly MatrixRow[]): MatrixRow[] {
  const order = new Map<string, number>();
  for (const row of rows) {
    if (!order.has(row.fault)) order.set(row.fault, order.size);
  }
  return rows
    .map((row, index) => ({ row, index }))
    .sort(
      (a, b) => (order.get(a.row.fault) ?? 0) - (order.get(b.row.fault) ?? 0) || a.index - b.index,
    )
    .map(({ row }) => row);
}

function machine(): string {
  const cores = cpus();
  const model = cores[0]?.model.trim() ?? 'unknown CPU';
  const memory = (totalmem() / 1024 ** 3).toFixed(1);
  return `${cores.length} × ${model}, ${memory} GiB RAM, Node.js ${process.version} on ${process.platform}`;
}

/**
 * Renders `docs/reliability.md` from complete sections. Callers check completeness first with
 * {@link checkSections}, so that a filtered run, or one where a test stopped before recording
 * its result, never replaces a full report. Failed tests record their rows first.
 */
export function renderReport(
  layout: ReportLayout,
  sections: ReadonlyMap<string, SectionResult>,
  generatedAt: Date,
): string {
  const rows: MatrixRow[] = [];
  for (const id of layout.matrix) {
    const section = sections.get(id);
    if (section?.kind === 'matrix') rows.push(...section.rows);
  }
  const counts = countVerdicts(rows);
  const parts = [
    '# Reliability under faults',
    '',
    'This page is written by the test run of `packages/reliability`',
    '(`cd packages/reliability && pnpm exec vitest run`); do not edit it by hand. Each row below',
    'is one test that injects a fault with the RIPS emulator and runs auth-core (`login`) or a',
    'committed action bundle against it. Time bounds are correctness limits (for example "gives',
    'up within the deadline"), not speed targets. "requests" counts the entries in the',
    'emulator\'s request log during the run. "secrets clean" means no raw, base64, base64url,',
    'URL-encoded or JSON-escaped form of a credential appeared in the logs, error messages, step',
    'summary or written files. "outputs after failure" lists the step outputs, exported',
    'variables and saved state that a failed run set.',
    '',
    `Generated ${generatedAt.toISOString()} on ${machine()}.`,
    '',
    `Matrix rows: ${rows.length}; as expected: ${counts['as expected']}; known bugs: ` +
      `${counts['known bug']}; differing: ${counts.differs}; not run: ${counts['not run']}.`,
    'Known bugs outside the matrix cells are tests marked `it.fails` in',
    '`packages/reliability/test`, each with a NOTE that describes the bug. The sections after',
    'the table report what several of them observed.',
    '',
    '## Fault matrix',
    '',
    renderMatrix(groupByFault(rows)),
  ];
  for (const id of layout.notes) {
    const section = sections.get(id);
    if (section?.kind !== 'note') continue;
    parts.push('', `## ${section.title}`, '', ...section.items.flatMap((item) => [item, '']));
    parts.pop();
  }
  return `${parts.join('\n')}\n`;
}
