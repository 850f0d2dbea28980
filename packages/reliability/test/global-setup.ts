import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { format, resolveConfig } from 'prettier';
import type { TestProject } from 'vitest/node';

import { checkSections, readSections, renderReport } from '../src/index.js';
import { LAYOUT } from './layout.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Directory where each test file writes its section of the report. */
    resultsDir: string;
  }
}

// The committed report changes only on purpose (`pnpm --filter @rips-actions/reliability run
// report`), so that an ordinary test run leaves the work tree clean. Other runs write the same
// report under the ignored .vitest folder.
const REPORT_PATH = fileURLToPath(
  new URL(
    process.env['RIPS_RELIABILITY_REPORT'] === '1'
      ? '../../../docs/reliability.md'
      : '../../../.vitest/reliability.md',
    import.meta.url,
  ),
);

/**
 * Gives the test files a fresh results directory and, after the run, writes the report from it. A run that skipped or filtered tests leaves some section
 * missing or partial, and then the report is left as it was.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const directory = await mkdtemp(join(tmpdir(), 'rips-reliability-'));
  project.provide('resultsDir', directory);
  return async () => {
    try {
      const sections = await readSections(directory);
      const { missing, partial } = checkSections(LAYOUT, sections);
      if (missing.length > 0 || partial.length > 0) {
        const reasons = [
          missing.length > 0 ? `missing sections: ${missing.join(', ')}` : '',
          partial.length > 0 ? `partial sections: ${partial.join(', ')}` : '',
        ].filter((reason) => reason !== '');
        process.stdout.write(`reliability: ${REPORT_PATH} not written (${reasons.join('; ')})\n`);
        return;
      }
      // Formatted with the repository's Prettier settings, so that `prettier --check .` passes.
      const options = (await resolveConfig(REPORT_PATH)) ?? {};
      const markdown = renderReport(LAYOUT, sections, new Date());
      await mkdir(dirname(REPORT_PATH), { recursive: true });
      await writeFile(REPORT_PATH, await format(markdown, { ...options, filepath: REPORT_PATH }));
      process.stdout.write(`reliability: wrote ${REPORT_PATH}\n`);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  };
}
