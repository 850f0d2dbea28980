import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { MatrixRow } from './matrix.js';

/** Rows of one part of the fault matrix, as a test file records them. */
export interface MatrixResult {
  kind: 'matrix';
  id: string;
  /** Number of rows when every test of the file ran. */
  expectedRows: number;
  rows: MatrixRow[];
}

/** Findings of a test file that are not matrix rows, such as peak RSS or load figures. */
export interface NoteResult {
  kind: 'note';
  id: string;
  title: string;
  /** Number of items when every test of the file ran. */
  expectedItems: number;
  /** Markdown paragraphs or list items, in test order. */
  items: string[];
}

/** Contribution of one test file to the report. */
export type SectionResult = MatrixResult | NoteResult;

/** True when every test that contributes to the section ran, so the section is not partial. */
export function isComplete(section: SectionResult): boolean {
  return section.kind === 'matrix'
    ? section.rows.length === section.expectedRows
    : section.items.length === section.expectedItems;
}

/**
 * Collects one section during a test file and writes it to the results directory in `afterAll`,
 * where the global teardown reads it. Files run in separate workers, so a file is the only
 * channel between them.
 */
export class SectionRecorder<T extends SectionResult> {
  constructor(
    private readonly directory: string,
    readonly section: T,
  ) {}

  /** Writes the section as `<id>.json`, replacing an earlier write of the same run. */
  async flush(): Promise<void> {
    await mkdir(this.directory, { recursive: true });
    const path = join(this.directory, `${this.section.id}.json`);
    await writeFile(path, `${JSON.stringify(this.section, null, 2)}\n`);
  }
}

/** Creates a recorder of matrix rows. */
export function matrixRecorder(
  directory: string,
  id: string,
  expectedRows: number,
): SectionRecorder<MatrixResult> {
  return new SectionRecorder(directory, { kind: 'matrix', id, expectedRows, rows: [] });
}

/** Creates a recorder of note items. */
export function noteRecorder(
  directory: string,
  id: string,
  title: string,
  expectedItems: number,
): SectionRecorder<NoteResult> {
  return new SectionRecorder(directory, { kind: 'note', id, title, expectedItems, items: [] });
}

/** Reads every section that test files wrote to `directory`, keyed by id. */
export async function readSections(directory: string): Promise<Map<string, SectionResult>> {
  const sections = new Map<string, SectionResult>();
  let names: string[];
  try {
    names = await readdir(directory);
  } catch (error: unknown) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return sections;
    throw error;
  }
  for (const name of names.filter((file) => file.endsWith('.json')).sort()) {
    const section = JSON.parse(await readFile(join(directory, name), 'utf8')) as SectionResult;
    sections.set(section.id, section);
  }
  return sections;
}
